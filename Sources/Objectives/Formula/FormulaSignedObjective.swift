import LinearAlgebra
import SolverAPI

/// A signed objective whose feature map is a formula (docs/math.md §2):
///     G_λ(ν) = R(∫ Φ dν) + (λ/2)‖ν‖²_TV,   Φ(w)_k = φ(w; x_k),
/// on the domain W named in the config, with the data of any data set and either loss — a new signed
/// problem without a compiler. Records the test risk when the data set has a test split, and with labels ±1
/// the classification accuracy (train and test).
public final class FormulaSignedObjective: SignedObjective {
  public let domain: any Geometry
  public let features: any FeatureMap
  public let labels: [Double]
  public let loss: any Loss
  public let lambda: Double
  let testFeatures: FormulaFeatures?
  let testLabels: [Double]

  public init(features: FormulaFeatures, labels: [Double], testFeatures: FormulaFeatures?, testLabels: [Double], loss: any Loss, lambda: Double) {
    self.domain = features.geometry
    self.features = features
    self.labels = labels
    self.testFeatures = testFeatures
    self.testLabels = testLabels
    self.loss = loss
    self.lambda = lambda
  }

  /// Labels ±1 in both splits: a classification task.
  var classifies: Bool { isClassification(labels, testLabels) }

  public var observableNames: [String] {
    (testFeatures == nil ? [] : ["test_risk"]) + (classifies ? ["accuracy"] + (testFeatures == nil ? [] : ["test_accuracy"]) : [])
  }

  public func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] {
    let test = testFeatures?.predictions(weights: r, positions: w, parallel: parallel)
    var out = test.map { [loss.risk($0, testLabels)] } ?? []
    if classifies {
      out.append(classificationAccuracy(features.predictions(weights: r, positions: w, parallel: parallel), labels))
      if let test { out.append(classificationAccuracy(test, testLabels)) }
    }
    return out
  }
}
