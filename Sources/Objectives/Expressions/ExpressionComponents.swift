import SolverAPI

/// Parts defined by a formula instead of Swift code: potentials, kernels and reference potentials.
/// A string where such a part is expected is a formula: `"V": "0.5*a*|x|^2"` is
/// `{"type": "expression", "formula": "0.5*a*|x|^2"}`.
public enum ExpressionComponents {
  static let grammar = """
    Formulas use + - * / ^ (right-associative, above unary minus), parentheses, numbers, the variables, \
    named constants from "constants" (numbers or vectors), pi, e, and exp, log, sqrt, sin, cos, tanh, sigmoid, \
    softplus, relu, abs, min(a, b), max(a, b), dot(u, v), norm(u), |u|. Gradients are exact (reverse mode).
    """

  static func parameters(_ doc: String) -> [Parameter] {
    [.string("formula", doc), .constants("constants", "named constants, e.g. {\"a\": 2, \"v\": [1, 0]}")]
  }

  public static let all: [Component] = [
    Component(.potential, "expression", summary: "V(x) given by a formula in x1…xd, |x|, dot(x, v)",
              parameters: parameters("V(x), e.g. \"0.25*(|x|^2 - 1)^2 + 0.1*sin(2*pi*x1)\""), notes: grammar,
              example: ["type": "expression", "formula": "0.5*a*|x|^2", "constants": ["a": 1.0]]) { args in
      try ExpressionField.compile(args, vector: "x", dimension: args.domain.dimension) as any ScalarField
    },
    Component(.kernel, "expression", summary: "W(z) at z = x − y given by a formula in z1…zd, |z|, dot(z, v) (W must be even)",
              parameters: parameters("W(z), e.g. \"exp(-|z|^2/(2*s^2))\""), notes: grammar,
              example: ["type": "expression", "formula": "0.5*b*|z|^2", "constants": ["b": 2.0]]) { args in
      try ExpressionField.compile(args, vector: "z", dimension: args.domain.dimension) as any ScalarField
    },
    Component(.reference, "expression", summary: "ρ ∝ e^{−U} with U(x) given by a formula in x1…xd, |x|",
              parameters: parameters("U(x), e.g. \"|x|^2/2\""), notes: grammar,
              example: ["type": "expression", "formula": "|x|^4/4"]) { args in
      ReferenceMeasure(name: "expression", potential: try ExpressionField.compile(args, vector: "x", dimension: args.domain.dimension))
    },
  ]
}
