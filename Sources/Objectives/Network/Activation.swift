import Foundation

/// An activation σ with its derivative, for ridge features σ(⟨w, x̃⟩) (MATH.md §2).
public enum Activation: String, CaseIterable, Sendable {
  case relu, tanh, sigmoid, softplus

  /// σ(t).
  @inlinable public func value(_ t: Double) -> Double {
    switch self {
    case .relu: return t > 0 ? t : 0
    case .tanh: return Foundation.tanh(t)
    case .sigmoid: return t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t))
    case .softplus: return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t))
    }
  }

  /// σ'(t); relu'(0) = 0.
  @inlinable public func derivative(_ t: Double) -> Double {
    switch self {
    case .relu: return t > 0 ? 1 : 0
    case .tanh: let h = Foundation.tanh(t); return 1 - h * h
    case .sigmoid: let s = Activation.sigmoid.value(t); return s * (1 - s)
    case .softplus: return Activation.sigmoid.value(t)
    }
  }
}
