/// The built-in functions. `dot` and `norm` take vectors; all others take scalars.
enum ExpressionFunction: String, CaseIterable {
  case exp, log, sqrt, sin, cos, tanh, sigmoid, softplus, relu, abs, min, max, dot, norm

  var arity: Int {
    switch self {
    case .min, .max, .dot: 2
    default: 1
    }
  }

  var takesVectors: Bool { self == .dot || self == .norm }
}

/// The built-in constants, available unless a signature name shadows them.
enum ExpressionBuiltinConstant {
  static let values: [String: Double] = ["pi": Double.pi, "e": 2.718281828459045]
}

/// A vector operand of `dot` or `norm`, with its names resolved.
enum ExpressionVector: Equatable {
  /// Components are the scalar variables with these indices.
  case variables([Int])
  case constants([Double])

  var count: Int {
    switch self {
    case .variables(let v): v.count
    case .constants(let c): c.count
    }
  }
}
