import Foundation
import MFLD

/// Gaussian radial features φ(w; x_k) = exp(−|x_k − w|²/(2s²)) on n data points, a new feature map: the
/// particles w ∈ ℝ^d are moving centers. ∇_w φ(w; x_k) = φ(w; x_k)(x_k − w)/s², rebuilt from the feature and
/// the data, so no Jacobian data is stored (jacobianWidth 0). `gradientScale` multiplies the Jacobian: 1 is
/// exact; any other value is wrong on purpose, to watch `mfld check` fail.
public final class RadialFeatures: FeatureMap {
  public let inputs: [Double]
  public let dimension: Int
  public let bandwidth: Double
  public let gradientScale: Double
  public var sampleCount: Int { inputs.count / dimension }
  public var jacobianWidth: Int { 0 }

  public init(inputs: [Double], dimension: Int, bandwidth: Double, gradientScale: Double = 1) {
    self.inputs = inputs
    self.dimension = dimension
    self.bandwidth = bandwidth
    self.gradientScale = gradientScale
  }

  public func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, parallel: Parallel) {
    let n = sampleCount, d = dimension, c = -0.5 / (bandwidth * bandwidth)
    w.coordinates.withUnsafeBufferPointer { wp in
      inputs.withUnsafeBufferPointer { xp in
        let wb = wp.baseAddress!, x = xp.baseAddress!
        parallel.forEachChunk(w.count, grain: 8) { range in
          for i in range {
            for k in 0..<n {
              var r2 = 0.0
              for j in 0..<d { let z = x[k * d + j] - wb[i * d + j]; r2 += z * z }
              features[i * n + k] = exp(c * r2)
            }
          }
        }
      }
    }
  }

  public func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                       scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
    let n = sampleCount, d = dimension, s = gradientScale / (bandwidth * bandwidth)
    w.coordinates.withUnsafeBufferPointer { wp in
      inputs.withUnsafeBufferPointer { xp in
        let wb = wp.baseAddress!, x = xp.baseAddress!
        parallel.forEachChunk(w.count, grain: 8) { range in
          for i in range {
            for j in 0..<d { g[i * d + j] = 0 }
            for k in 0..<n {
              let a = u[k] * features[i * n + k]
              for j in 0..<d { g[i * d + j] += a * (x[k * d + j] - wb[i * d + j]) }
            }
            for j in 0..<d { g[i * d + j] *= c[i] * s }
          }
        }
      }
    }
  }

  public func subset(_ samples: [Int]) -> any FeatureMap {
    let d = dimension
    return RadialFeatures(inputs: samples.flatMap { inputs[($0 * d)..<($0 * d + d)] }, dimension: d, bandwidth: bandwidth,
                          gradientScale: gradientScale)
  }
}

/// An RBF network f(x) = ∫ φ(w; x) dν(w) with moving Gaussian centers, a new signed objective:
///     G_λ(ν) = R(∫ φ(w; ·) dν(w)) + (λ/2)‖ν‖²_TV,
/// on W = ℝ^d with any data set (a nested part: two-moons, teacher, csv, …); records test_risk with a test split.
/// Like every signed objective it runs under either reduction, bilevel or lift.
public final class RBFNetwork: SignedObjective {
  public let domain: any Geometry
  public let features: any FeatureMap
  public let labels: [Double]
  public let loss: any Loss
  public let lambda: Double
  let test: (features: RadialFeatures, labels: [Double])?

  public init(data: Dataset, bandwidth: Double, loss: any Loss, lambda: Double, gradientScale: Double = 1) {
    domain = Euclidean(dimension: data.dimension)
    features = RadialFeatures(inputs: data.inputs, dimension: data.dimension, bandwidth: bandwidth, gradientScale: gradientScale)
    labels = data.labels
    self.loss = loss
    self.lambda = lambda
    test = data.testCount == 0 ? nil
      : (RadialFeatures(inputs: data.testInputs, dimension: data.dimension, bandwidth: bandwidth), data.testLabels)
  }

  public var observableNames: [String] { test == nil ? [] : ["test_risk"] }

  /// R on the held-out data of the network ν = (1/m) Σ r_i δ_{w_i}.
  public func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] {
    guard let test else { return [] }
    let n = test.labels.count, m = w.count
    var phi = [Double](repeating: 0, count: m * n)
    phi.withUnsafeMutableBufferPointer { test.features.evaluate(w, features: $0.baseAddress!, jacobian: nil, parallel: parallel) }
    var risk = 0.0
    for k in 0..<n {
      var f = 0.0
      for i in 0..<m { f += r[i] * phi[i * n + k] }
      risk += loss.value(f / Double(m), test.labels[k])
    }
    return [risk / Double(n)]
  }

  public static let component = Component(
    .objective, "rbf-network",
    summary: "G_λ(ν) = R(∫ exp(−|x − w|²/(2s²)) dν(w)) + (λ/2)‖ν‖²_TV: an RBF network with moving centers w ∈ ℝ^d",
    parameters: [
      .part("data", .dataset, "the data: two-moons, teacher, csv, …"),
      .real("bandwidth", default: 0.5, in: .positive, "s"),
      .choice("loss", ["square", "logistic"], default: "square", "R: square, or logistic (labels ±1)"),
      .real("lambda", default: 1e-3, in: .positive, "λ"),
      .real("gradient_scale", default: 1, in: .positive, "multiplies ∇_w φ: 1 is exact; other values are wrong on purpose (see mfld check)"),
    ],
    notes: "A signed objective: choose a reduction, bilevel or lift (or this plugin's lift-gaussian).",
    example: ["type": "rbf-network", "data": ["type": "two-moons", "samples": 200], "bandwidth": 0.5]
  ) { args in
    let data = try args.part("data", as: Dataset.self)
    let loss: any Loss = args.string("loss") == "logistic" ? LogisticLoss() : SquareLoss()
    if let problem = loss.checkLabels(data.labels) { throw args.error("loss", problem, fix: "use \"loss\": \"square\"") }
    return RBFNetwork(data: data, bandwidth: args.real("bandwidth"), loss: loss, lambda: args.real("lambda"),
                      gradientScale: args.real("gradient_scale")) as any SignedObjective
  }
}
