import Formats
import Foundation
import LinearAlgebra
import SolverAPI

/// An infinite-width two-layer network as a signed measure ν on W (docs/math.md §2):
///     f_ν(x) = ∫ σ(⟨w, x̃⟩) dν(w),   G_λ(ν) = R(f_ν on the training data) + (λ/2) ‖ν‖²_TV,
/// with W the sphere S^d ⊂ ℝ^{d+1} or ℝ^{d+1}. Records the test risk when there is a test split and,
/// for a single-neuron teacher, the alignments max_i ⟨w_i, w*⟩ and Σ|r_i|⟨w_i, w*⟩ / Σ|r_i|. With labels ±1 it
/// records the classification accuracy (train and test): the share of signs of f_ν that match.
public final class TwoLayerNetwork: SignedObjective, PredictionModel {
  public let domain: any Geometry
  public let features: any FeatureMap
  public let labels: [Double]
  public let loss: any Loss
  public let lambda: Double
  public let data: Dataset
  let testFeatures: RidgeFeatures?
  /// f_ν on new inputs; model.json.
  public let predictor: NetworkPredictor
  /// The teacher direction whose alignment is recorded (single neuron), unit length in ℝ^{d+1}.
  let alignmentTarget: [Double]?

  public init(data: Dataset, activation: Activation, loss: any Loss, lambda: Double, sphere: Bool, bias: Bool = true,
              recordsAlignment: Bool = false) {
    let ridge = RidgeFeatures(inputs: data.inputs, dimension: data.dimension, bias: bias, activation: activation)
    self.features = ridge
    self.domain = sphere ? Sphere(intrinsicDimension: ridge.dimension - 1) : Euclidean(dimension: ridge.dimension)
    self.labels = data.labels
    self.loss = loss
    self.lambda = lambda
    self.data = data
    self.predictor = NetworkPredictor(activation: activation, bias: bias, data: data, loss: loss)
    self.testFeatures = data.testCount > 0
      ? RidgeFeatures(inputs: data.testInputs, dimension: data.dimension, bias: bias, activation: activation) : nil
    if recordsAlignment, let t = data.teacher.first {
      let norm = t.reduce(0) { $0 + $1 * $1 }.squareRoot()
      alignmentTarget = t.map { $0 / norm }
    } else {
      alignmentTarget = nil
    }
  }

  public var predictionModel: ConfigValue { predictor.model }

  public var observableNames: [String] {
    (testFeatures == nil ? [] : ["test_risk"]) + (alignmentTarget == nil ? [] : ["alignment", "mass_alignment"])
      + (data.isClassification ? ["accuracy"] + (testFeatures == nil ? [] : ["test_accuracy"]) : [])
  }

  public func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] {
    var out: [Double] = []
    var testPredictions: [Double] = []
    if let test = testFeatures {
      testPredictions = test.predictions(weights: r, positions: w, parallel: parallel)
      out.append(loss.risk(testPredictions, data.testLabels))
    }
    if let t = alignmentTarget {
      var best = -Double.infinity, weighted = 0.0, mass = 0.0
      for i in 0..<w.count {
        var dot = 0.0, norm = 0.0
        for k in 0..<w.dimension { dot += w[i, k] * t[k]; norm += w[i, k] * w[i, k] }
        let cosine = dot / max(norm.squareRoot(), 1e-300)
        best = max(best, cosine)
        weighted += abs(r[i]) * cosine
        mass += abs(r[i])
      }
      out += [best, mass > 0 ? weighted / mass : 0]
    }
    if data.isClassification {
      out.append(classificationAccuracy(features.predictions(weights: r, positions: w, parallel: parallel), labels))
      if testFeatures != nil { out.append(classificationAccuracy(testPredictions, data.testLabels)) }
    }
    return out
  }
}
