import Foundation
import Objectives
import Reductions
import SolverAPI
import Testing

/// The bilevel inner problem (docs/math.md §2): the closed form for the square loss on both the n × n and
/// the Woodbury path, and Newton for the logistic loss, against independent computations.
struct InnerSolveTests {
  static func network(samples n: Int, loss: any Loss = SquareLoss(), lambda: Double = 1e-2, signs: Bool = false) -> TwoLayerNetwork {
    var data = TeacherData.make(dimension: 3, samples: n, testSamples: 0, neurons: 2, activation: .tanh, noise: 0.05, random: RandomStream(seed: 8))
    if signs {
      data = Dataset(dimension: data.dimension, inputs: data.inputs, labels: data.labels.map { $0 >= 0 ? 1 : -1 }, source: "signs")
    }
    return TwoLayerNetwork(data: data, activation: .tanh, loss: loss, lambda: lambda, sphere: true)
  }

  static func cloud(_ m: Int, seed: UInt64 = 3) -> ParticleCloud {
    var rng = RandomStream(seed: seed).generator()
    var c = ParticleCloud(count: m, dimension: 4, coordinates: (0..<(4 * m)).map { _ in rng.normal() })
    _ = Sphere(intrinsicDimension: 3).canonicalize(&c)
    return c
  }

  /// r = Pᵀ (K + nλI)⁻¹ y by Gaussian elimination with partial pivoting on the normal equations,
  /// written independently of the library's kernels.
  static func directWeights(_ net: TwoLayerNetwork, _ w: ParticleCloud) -> [Double] {
    let m = w.count, n = net.features.sampleCount
    var F = [Double](repeating: 0, count: m * n)
    F.withUnsafeMutableBufferPointer { net.features.evaluate(w, features: $0.baseAddress!, jacobian: nil, parallel: .serial) }
    var A = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
    for k in 0..<n {
      for l in 0..<n {
        var s = 0.0
        for i in 0..<m { s += F[i * n + k] * F[i * n + l] }
        A[k][l] = s / Double(m) + (k == l ? Double(n) * net.lambda : 0)
      }
      A[k][n] = net.labels[k]
    }
    for col in 0..<n {
      let pivot = (col..<n).max { abs(A[$0][col]) < abs(A[$1][col]) }!
      A.swapAt(col, pivot)
      for row in (col + 1)..<n {
        let factor = A[row][col] / A[col][col]
        for c in col...n { A[row][c] -= factor * A[col][c] }
      }
    }
    var a = [Double](repeating: 0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
      var s = A[row][n]
      for c in (row + 1)..<n { s -= A[row][c] * a[c] }
      a[row] = s / A[row][row]
    }
    return (0..<m).map { i in (0..<n).reduce(0) { $0 + F[i * n + $1] * a[$1] } }
  }

  static func relativeError(_ x: [Double], _ y: [Double]) -> Double {
    let num = zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    let den = y.reduce(0) { $0 + $1 * $1 }
    return (num / den).squareRoot()
  }

  @Test("the square-loss closed form matches a direct solve of the normal equations to 1e-10, on both paths",
        arguments: [(30, 20), (30, 45)])
  func closedFormMatchesDirectSolve(n: Int, m: Int) throws {
    let net = Self.network(samples: n)
    let w = Self.cloud(m)
    let direct = Self.directWeights(net, w)
    for solver in [BilevelObjective.InnerSolver.kernel, .woodbury, .auto] {
      let (r, _) = try BilevelObjective(net, solver: solver).signedMeasure(of: w, parallel: .serial)
      #expect(Self.relativeError(r, direct) < 1e-10, "\(solver) at n = \(n), m = \(m)")
    }
  }

  @Test("kernel and Woodbury paths give the same J_λ and gradient")
  func pathsAgree() throws {
    let net = Self.network(samples: 25)
    let w = Self.cloud(15)
    let (j1, g1) = try BilevelObjective(net, solver: .kernel).valueAndGradient(w)
    let (j2, g2) = try BilevelObjective(net, solver: .woodbury).valueAndGradient(w)
    #expect(abs(j1 - j2) <= 1e-12 * abs(j1))
    #expect(Self.relativeError(g1.coordinates, g2.coordinates) < 1e-10)
  }

  @Test("the logistic inner Newton solve reaches its optimality condition λr + Pᵀ∇R(f) = 0 to 1e-10")
  func newtonOptimality() throws {
    let net = Self.network(samples: 40, loss: LogisticLoss(), lambda: 1e-2, signs: true)
    let w = Self.cloud(25)
    let objective = BilevelObjective(net)
    let (r, _) = try objective.signedMeasure(of: w, parallel: .serial)
    // Independent check of the optimality condition.
    let m = w.count, n = 40
    var F = [Double](repeating: 0, count: m * n)
    F.withUnsafeMutableBufferPointer { net.features.evaluate(w, features: $0.baseAddress!, jacobian: nil, parallel: .serial) }
    let f = (0..<n).map { k in (0..<m).reduce(0) { $0 + F[$1 * n + k] * r[$1] } / Double(m) }
    let dR = (0..<n).map { LogisticLoss().derivative(f[$0], net.labels[$0]) / Double(n) }
    let residual = (0..<m).map { i in net.lambda * r[i] + (0..<n).reduce(0) { $0 + F[i * n + $1] * dR[$1] } }
    let scale = net.lambda * (r.reduce(0) { $0 + $1 * $1 }).squareRoot()
    #expect((residual.reduce(0) { $0 + $1 * $1 }).squareRoot() / scale < 1e-10)
    #expect(objective.lastResidual < 1e-10)
    // Warm-started from the previous solution, a nearby cloud needs few iterations.
    var moved = w
    for k in moved.coordinates.indices { moved.coordinates[k] += 1e-3 * sin(Double(k)) }
    _ = try objective.signedMeasure(of: moved, parallel: .serial)
    #expect(objective.lastIterations <= 3)
  }

  @Test("the bilevel gradient at the inner optimum is the gradient of J_λ itself (envelope theorem)")
  func envelopeTheorem() throws {
    for loss in [SquareLoss() as any Loss, LogisticLoss()] {
      let net = Self.network(samples: 20, loss: loss, signs: loss is LogisticLoss)
      let failures = try FirstVariationCheck().check(BilevelObjective(net), on: Self.cloud(6), geometry: net.domain, random: RandomStream(seed: 4))
      #expect(failures.isEmpty, "\(loss.name): \(failures)")
    }
  }
}
