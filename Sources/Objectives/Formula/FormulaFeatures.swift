import Expressions
import LinearAlgebra
import SolverAPI

/// A feature map given by a formula Φ(w; x) in the particle w ∈ W and a data point x (docs/math.md §2.2):
///     Φ(w)_k = φ(w; x_k),   ∇_w Φ(w)_k = ∂φ/∂w (w; x_k) + ∂φ/∂z (w; x_k),
/// compiled once with exact (reverse-mode) gradients. Its variables are w1…wD and the vector w, x1…xd and
/// the vector x, and — when w and x have the same dimension — z = w − x (the periodic difference on the
/// torus) with z1…zD, so a bump is `exp(-|z|^2/(2*s^2))` and a ridge `tanh(dot(w, x))`.
///
/// No Jacobian data is stored: the pullback evaluates the gradients again (one reverse pass per
/// particle and sample), so memory stays m × n. Particles are split over threads in fixed chunks, each
/// feature one evaluation: the same bits on any thread count.
public final class FormulaFeatures: FeatureMap {
  public let expression: CompiledExpression
  /// n × d data points, row-major.
  public let inputs: [Double]
  /// d, the coordinates of a data point.
  public let inputDimension: Int
  public let geometry: any Geometry
  public let dimension: Int
  public let sampleCount: Int
  public var jacobianWidth: Int { 0 }
  /// Whether the formula uses z = w − x (then the inputs hold w, x and z).
  private let usesDifference: Bool

  /// The signature of φ on a domain of `dimension` coordinates with data points of `inputDimension`.
  public static func signature(dimension D: Int, inputDimension d: Int, constants: [String: Double] = [:],
                               constantVectors: [String: [Double]] = [:]) -> ExpressionSignature {
    let w = (1...D).map { "w\($0)" }, x = (1...max(d, 1)).map { "x\($0)" }.prefix(d), z = (1...D).map { "z\($0)" }
    var vectors = ["w": w, "x": Array(x)]
    if d == D { vectors["z"] = z }
    return ExpressionSignature(scalars: w + x + (d == D ? z : []), vectors: vectors, constants: constants, constantVectors: constantVectors)
  }

  /// - Parameters:
  ///   - expression: φ, compiled against `signature(dimension:inputDimension:)`.
  ///   - inputs: the n data points, `inputDimension` coordinates each.
  public init(expression: CompiledExpression, inputs: [Double], inputDimension d: Int, geometry: any Geometry) {
    self.expression = expression
    self.inputs = inputs
    self.inputDimension = d
    self.geometry = geometry
    self.dimension = geometry.dimension
    self.sampleCount = d == 0 ? 0 : inputs.count / d
    let D = geometry.dimension
    usesDifference = d == D && expression.usedVariables.contains { $0 >= D + d }
  }

  /// The same map on the data points `samples` only.
  public func subset(_ samples: [Int]) -> any FeatureMap {
    let d = inputDimension
    var rows = [Double](repeating: 0, count: samples.count * d)
    for (c, k) in samples.enumerated() { for j in 0..<d { rows[c * d + j] = inputs[k * d + j] } }
    return FormulaFeatures(expression: expression, inputs: rows, inputDimension: d, geometry: geometry)
  }

  /// Calls `body(i, k, variables, workspace)` for every particle i of `range` and sample k, with the
  /// variables (w_i, x_k, z) in place.
  @inline(__always)
  private func sweep(_ w: UnsafePointer<Double>, _ range: Range<Int>,
                     _ body: (Int, Int, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void) {
    let D = dimension, d = inputDimension, n = sampleCount
    let count = expression.variableCount
    withUnsafeTemporaryAllocation(of: Double.self, capacity: count + expression.workspaceSize) { buffer in
      let v = buffer.baseAddress!, workspace = v + count
      inputs.withUnsafeBufferPointer { xs in
        for i in range {
          for j in 0..<D { v[j] = w[i * D + j] }
          for k in 0..<n {
            for j in 0..<d { v[D + j] = xs[k * d + j] }
            if usesDifference { geometry.difference(v, v + D, into: v + D + d) }
            body(i, k, v, workspace)
          }
        }
      }
    }
  }

  public func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?,
                       parallel: Parallel) {
    let n = sampleCount, expression = self.expression
    w.coordinates.withUnsafeBufferPointer { wp in
      parallel.forEachChunk(w.count, grain: max(1, 4096 / max(n, 1))) { range in
        sweep(wp.baseAddress!, range) { i, k, v, workspace in
          features[i * n + k] = expression.evaluate(v, gradient: nil, workspace: workspace)
        }
      }
    }
  }

  public func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                       scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
    let n = sampleCount, D = dimension, d = inputDimension, expression = self.expression, difference = usesDifference
    let count = expression.variableCount
    w.coordinates.withUnsafeBufferPointer { wp in
      parallel.forEachChunk(w.count, grain: max(1, 4096 / max(n, 1))) { range in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { gradient in
          for i in range { for j in 0..<D { g[i * D + j] = 0 } }
          sweep(wp.baseAddress!, range) { i, k, v, workspace in
            _ = expression.evaluate(v, gradient: gradient.baseAddress!, workspace: workspace)
            let weight = u[k]
            for j in 0..<D {
              let dw = difference ? gradient[j] + gradient[D + d + j] : gradient[j]
              g[i * D + j] += weight * dw
            }
          }
          for i in range { for j in 0..<D { g[i * D + j] *= c[i] } }
        }
      }
    }
  }
}
