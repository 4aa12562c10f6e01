import Formats
import Registry
import SolverAPI
import Testing

/// Parts defined by formulas behave exactly like the built-ins they spell out, and their errors
/// point at the character.
struct ExpressionPartsTests {
  static func mcKeanVlasov(V: ConfigValue, W: ConfigValue) -> ConfigValue {
    [
      "seed": 7,
      "domain": ["type": "euclidean", "dimension": 2],
      "objective": ["type": "sum", "terms": [["type": "potential", "V": V], ["type": "interaction", "W": W]]],
      "integrator": ["type": "euler-maruyama", "step": 0.005, "temperature": 0.5],
      "particles": ["count": 200, "init": ["type": "gaussian", "std": 1.0]],
      "steps": 300,
      "record": ["every": 10, "observers": ["variance"]],
    ]
  }

  func trace(_ config: ConfigValue) throws -> TraceTable {
    let e = try Composition.compose(config)
    let t = TraceTable()
    _ = try Solver.run(e.plan, sink: t)
    return t
  }

  @Test("an expression quadratic potential and interaction reproduce the built-in McKean–Vlasov run to 1e-12")
  func expressionsMatchBuiltins() throws {
    let builtin = try trace(Self.mcKeanVlasov(V: ["type": "quadratic", "a": 1.0], W: ["type": "quadratic", "b": 2.0]))
    let formula = try trace(Self.mcKeanVlasov(V: ["type": "expression", "formula": "0.5*a*|x|^2", "constants": ["a": 1.0]],
                                              W: "0.5*2*|z|^2"))
    #expect(builtin.columns == formula.columns)
    #expect(builtin.rows.count == formula.rows.count && builtin.rows.count == 31)
    for (r1, r2) in zip(builtin.rows, formula.rows) {
      for (a, b) in zip(r1, r2) { #expect(abs(a - b) <= 1e-12 * max(1, abs(a)), "\(a) vs \(b)") }
    }
  }

  @Test("a formula's error names the key path and the column, with a suggestion")
  func errorsPointAtTheCharacter() {
    do {
      _ = try Composition.compose(Self.mcKeanVlasov(V: "0.5*|x|^2 + sinn(x1)", W: ["type": "quadratic", "b": 2.0]), file: "mv.json")
      Issue.record("expected an error")
    } catch let e as ConfigError {
      #expect(e.path == "objective.terms[0].V.formula")
      #expect(e.description.contains("unknown function 'sinn' at column 13 (did you mean 'sin'?)"), "\(e)")
    } catch { Issue.record("\(error)") }
  }

  @Test("a custom activation is a formula in t; a bad one is refused at objective.activation")
  func customActivation() throws {
    func network(_ activation: String) -> ConfigValue {
      ["objective": ["type": "two-layer-network", "activation": .string(activation), "data": ["type": "teacher", "dimension": 3, "samples": 10]],
       "reduction": "bilevel", "integrator": ["type": "euler-maruyama", "step": 0.1, "temperature": 0.0],
       "particles": ["count": 4, "init": "uniform"], "steps": 2]
    }
    // The formula spelling of tanh gives the built-in's numbers.
    let builtin = try trace(network("tanh")), formula = try trace(network("tanh(t)"))
    #expect(try builtin.column("objective") == formula.column("objective"))
    do { _ = try Composition.compose(network("tanh(u)")); Issue.record("expected an error") } catch let e as ConfigError {
      #expect(e.path == "objective.activation")
      #expect(e.description.contains("'u'"), "\(e)")
    }
  }

  @Test("an expression reference potential adds its drift: U = |x|²/2 matches the Gaussian reference with s = 1")
  func expressionReference() throws {
    func run(_ reference: ConfigValue) throws -> TraceTable {
      var c = Self.mcKeanVlasov(V: ["type": "quadratic", "a": 1.0], W: ["type": "quadratic", "b": 2.0])
      if case .object(var o) = c { o["reference"] = reference; c = .object(o) }
      return try trace(c)
    }
    let gaussian = try run(["type": "gaussian", "scale": 1.0]), formula = try run(["type": "expression", "formula": "|x|^2/2"])
    let expected = try gaussian.column("variance"), actual = try formula.column("variance")
    #expect(expected.count == actual.count && expected.count == 31)
    for (a, b) in zip(expected, actual) { #expect(abs(a - b) <= 1e-12 * a) }
  }
}
