import LinearAlgebra
import SolverAPI

/// A signed objective whose feature map is a formula (docs/math.md §2):
///     G_λ(ν) = R(∫ Φ dν) + (λ/2)‖ν‖²_TV,   Φ(w)_k = φ(w; x_k),
/// on the domain W named in the config, with the data of any data set and either loss — a new signed
/// problem without a compiler. Records the test risk when the data set has a test split.
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

  public var observableNames: [String] { testFeatures == nil ? [] : ["test_risk"] }

  public func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] {
    guard let test = testFeatures else { return [] }
    let m = w.count, n = test.sampleCount
    var phi = [Double](repeating: 0, count: m * n), f = [Double](repeating: 0, count: n)
    phi.withUnsafeMutableBufferPointer { p in
      test.evaluate(w, features: p.baseAddress!, jacobian: nil, parallel: parallel)
      r.withUnsafeBufferPointer { rp in
        f.withUnsafeMutableBufferPointer {
          Dense.multiplyTransposed(p.baseAddress!, vector: rp.baseAddress!, into: $0.baseAddress!, m: m, n: n, alpha: 1 / Double(m), parallel: parallel)
        }
      }
    }
    return [loss.risk(f, testLabels)]
  }
}
