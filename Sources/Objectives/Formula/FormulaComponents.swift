import Expressions
import SolverAPI

/// Signed problems written as a formula: the feature φ(w; x), the domain, the data and the loss.
public enum FormulaComponents {
  public static let all: [Component] = [featureFormula]

  static let featureFormula = Component(
    .objective, "feature-formula",
    summary: "signed: G_λ(ν) = R(∫Φ dν) + (λ/2)‖ν‖²_TV with Φ(w)_k = φ(w; x_k) a formula, e.g. \"relu(dot(w, x))\" or \"exp(-|z|^2/(2*s^2))\"",
    parameters: [
      .string("feature", "φ(w; x): variables w1…wD and w (the particle), x1…xd and x (a data point), z = w − x when D = d"),
      .constants("constants", "named constants, e.g. {\"s\": 0.05}"),
      .part("domain", .domain, "W, the particles' domain, e.g. {\"type\": \"sphere\", \"dimension\": 5}"),
      .part("data", .dataset, "the data points x_k and labels y_k: teacher, csv, spikes"),
      .boolean("bias", default: false, "append 1 to every data point (x̃ = (x, 1), as a network's bias)"),
      .choice("loss", ["square", "logistic"], default: "square", "R: the square loss, or the logistic loss (labels ±1)"),
      .real("lambda", default: 1e-3, in: .positive, "λ, the strength of the (λ/2)‖ν‖²_TV penalty"),
    ],
    notes: "z = w − x is the periodic difference on the torus. Gradients in w are exact (reverse mode); no Jacobian is stored: "
      + "the pullback evaluates them again. With \"bias\": true, relu(dot(w, x)) on the sphere of the data's dimension is the "
      + "two-layer ReLU network; exp(-|z|^2/(2*s^2)) on the torus with spikes data is Gaussian sparse deconvolution "
      + "(up to the periodized Gaussian's images beyond the nearest, below e^{−1/(8s²)}). " + ExpressionComponents.grammar,
    example: ["type": "feature-formula", "feature": "relu(dot(w, x))", "bias": true,
              "domain": ["type": "sphere", "dimension": 5], "data": ["type": "teacher", "dimension": 5], "lambda": 0.001]
  ) { args in
    let domain = try args.part("domain", as: (any Geometry).self)
    let data = try args.part("data", as: Dataset.self)
    let bias = args.bool("bias"), d = data.dimension + (bias ? 1 : 0), D = domain.dimension
    func expanded(_ x: [Double]) -> [Double] {
      guard bias else { return x }
      let n = x.count / data.dimension
      var out = [Double](repeating: 1, count: n * d)
      for k in 0..<n { for j in 0..<data.dimension { out[k * d + j] = x[k * data.dimension + j] } }
      return out
    }
    let (scalars, vectors) = args.constants("constants")
    let expression: CompiledExpression
    do {
      expression = try CompiledExpression(args.string("feature"), signature: FormulaFeatures.signature(
        dimension: D, inputDimension: d, constants: scalars, constantVectors: vectors))
    } catch {
      throw args.error("feature", "\(error)",
                       fix: "variables: w1…w\(D), w (the particle on \(domain.name)), x1…x\(d), x (a data point)"
                         + (d == D ? ", z = w − x" : "; z = w − x needs data points of \(D) coordinates (\(d) here)"))
    }
    let loss: any Loss = args.string("loss") == "logistic" ? LogisticLoss() : SquareLoss()
    if let problem = loss.checkLabels(data.labels) { throw args.error("loss", problem, fix: "use \"square\", or labels ±1") }
    let features = FormulaFeatures(expression: expression, inputs: expanded(data.inputs), inputDimension: d, geometry: domain)
    let test = data.testCount > 0 ? FormulaFeatures(expression: expression, inputs: expanded(data.testInputs), inputDimension: d, geometry: domain) : nil
    return FormulaSignedObjective(features: features, labels: data.labels, testFeatures: test, testLabels: data.testLabels,
                                  loss: loss, lambda: args.real("lambda")) as any SignedObjective
  }
}
