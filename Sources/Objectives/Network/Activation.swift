import Expressions
import Foundation
import LinearAlgebra
import SolverAPI

/// An activation σ with its derivative, for ridge features σ(⟨w, x̃⟩) (docs/math.md §2): a built-in, or a
/// formula in t compiled with exact derivatives (`"tanh(t) + 0.1*t"`).
public enum Activation: Sendable {
  case relu, tanh, sigmoid, softplus
  case expression(CompiledExpression)

  public static let builtinNames = ["relu", "tanh", "sigmoid", "softplus"]

  /// A built-in by name, or else the string compiled as a formula in t.
  public init(_ text: String) throws(ExpressionError) {
    switch text {
    case "relu": self = .relu
    case "tanh": self = .tanh
    case "sigmoid": self = .sigmoid
    case "softplus": self = .softplus
    default: self = .expression(try CompiledExpression(text, signature: ExpressionSignature(scalars: ["t"])))
    }
  }

  public var name: String {
    switch self {
    case .relu: return "relu"
    case .tanh: return "tanh"
    case .sigmoid: return "sigmoid"
    case .softplus: return "softplus"
    case .expression(let e): return e.source
    }
  }

  /// σ(t).
  @inlinable public func value(_ t: Double) -> Double {
    switch self {
    case .relu: return t > 0 ? t : 0
    case .tanh: return Foundation.tanh(t)
    case .sigmoid: return t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t))
    case .softplus: return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t))
    case .expression(let e): return Activation.run(e, t).value
    }
  }

  /// σ'(t); relu'(0) = 0.
  @inlinable public func derivative(_ t: Double) -> Double {
    switch self {
    case .relu: return t > 0 ? 1 : 0
    case .tanh: let h = Foundation.tanh(t); return 1 - h * h
    case .sigmoid: let s = Activation.sigmoid.value(t); return s * (1 - s)
    case .softplus: return Activation.sigmoid.value(t)
    case .expression(let e): return Activation.run(e, t).derivative
    }
  }

  /// σ' as a function of σ's value, where it is one: relu' = 1[σ > 0], tanh' = 1 − σ², sigmoid' =
  /// σ(1 − σ), each the same bits as `derivative`. Then the features alone carry the Jacobian data.
  /// nil for softplus (σ' = 1 − e^{−σ} would round differently) and formulas.
  public var slopeFromValue: Dense.EntryMap? {
    switch self {
    case .relu: return .indicatorOfPositive
    case .tanh: return .oneMinusSquare
    case .sigmoid: return .timesOneMinus
    case .softplus, .expression: return nil
    }
  }

  /// σ(t) and σ'(t) together (one pass for a formula).
  @inlinable public func valueAndDerivative(_ t: Double) -> (value: Double, derivative: Double) {
    if case .expression(let e) = self { return Activation.run(e, t) }
    return (value(t), derivative(t))
  }

  /// z ← σ(z) over `count` values, and σ'(z) into `derivative` when given: one loop per activation,
  /// so the built-ins vectorize.
  public func apply(_ z: UnsafeMutablePointer<Double>, derivative: UnsafeMutablePointer<Double>?, count: Int) {
    switch (self, derivative) {
    case (.relu, nil):
      for k in 0..<count { let t = z[k]; z[k] = t > 0 ? t : 0 }  // as `value` (NaN ↦ 0)
    case (.relu, let d?):
      for k in 0..<count { let t = z[k]; d[k] = t > 0 ? 1 : 0; z[k] = t > 0 ? t : 0 }
    case (_, nil):
      for k in 0..<count { z[k] = value(z[k]) }
    case (_, let d?):
      for k in 0..<count { let (v, dv) = valueAndDerivative(z[k]); d[k] = dv; z[k] = v }
    }
  }

  @usableFromInline static func run(_ e: CompiledExpression, _ t: Double) -> (value: Double, derivative: Double) {
    withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, e.workspaceSize) + 2) { w in
      let base = w.baseAddress!
      base[0] = t
      let v = e.evaluate(base, gradient: base + 1, workspace: base + 2)
      return (v, base[1])
    }
  }
}
