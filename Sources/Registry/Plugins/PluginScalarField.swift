import Formats
import LinearAlgebra
import SolverAPI

/// The host's view of a plugin potential, kernel or reference potential: one C call per point.
struct PluginScalarField: ScalarField, @unchecked Sendable {
  let dimension: Int
  let quadraticCoefficient: Double?
  private let handle: PluginHandle
  private let pointer: UnsafeMutableRawPointer
  private let evaluateFunction: PluginABI.FieldEvaluateFunction

  init(handle: PluginHandle, dimension: Int, quadraticCoefficient: Double?) {
    self.handle = handle
    self.dimension = dimension
    self.quadraticCoefficient = quadraticCoefficient
    pointer = handle.pointer
    evaluateFunction = handle.ops.fieldEvaluate!
  }

  func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    evaluateFunction(pointer, x, gradient)
  }
}
