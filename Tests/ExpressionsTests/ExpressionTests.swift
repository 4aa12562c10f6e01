import Dispatch
import Foundation
@_spi(Testing) import Expressions
import TestSupport
import Testing

// Specification of the expression language (`CompiledExpression`): values, precedence,
// exact gradients (checked against finite differences), derivative conventions at kinks,
// error messages with their columns, robustness against arbitrary input, thread safety,
// and that the compiler's rearranging of the tape (merged chains) changes no bit.

@Suite("Expression language")
struct ExpressionTests {
  // MARK: - Fixtures

  /// x1…x4 with vectors x = (x1, x2), y = (x3, x4), u = (x1, x3) (not contiguous), the
  /// constants s, a and the constant vectors c ∈ ℝ², k ∈ ℝ³.
  static let fourVariables = ExpressionSignature(
    scalars: ["x1", "x2", "x3", "x4"],
    vectors: ["x": ["x1", "x2"], "y": ["x3", "x4"], "u": ["x1", "x3"]],
    constants: ["s": 0.7, "a": 1.3],
    constantVectors: ["c": [0.5, -1.5], "k": [1, 2, 3]])

  /// x1, x2 and the constant s; no vectors.
  static let twoVariables = ExpressionSignature(scalars: ["x1", "x2"], constants: ["s": 0.5])

  /// A potential on ℝ²: x1, x2, the vector x, the constant s, the constant vector c ∈ ℝ³.
  static let planeWithVector = ExpressionSignature(
    scalars: ["x1", "x2"], vectors: ["x": ["x1", "x2"]], constants: ["s": 0.5],
    constantVectors: ["c": [1, 2, 3]])

  static func compile(_ source: String, _ signature: ExpressionSignature = fourVariables) throws
    -> CompiledExpression
  {
    try CompiledExpression(source, signature: signature)
  }


  // MARK: - Values

  @Suite("Values")
  struct Values {
    struct FunctionCase: Sendable, CustomTestStringConvertible {
      var source: String
      var points: [Double]
      var reference: @Sendable (Double) -> Double
      /// Relative tolerance; 0 means bit-for-bit equal to the reference.
      var tolerance = 0.0
      var testDescription: String { source }
    }

    static let functions: [FunctionCase] = [
      FunctionCase(source: "exp(x1)", points: [-2.3, 0, 0.7, 5.1], reference: { Foundation.exp($0) }),
      FunctionCase(source: "log(x1)", points: [0.01, 0.5, 1, 7.3], reference: { Foundation.log($0) }),
      FunctionCase(source: "sqrt(x1)", points: [0, 0.25, 2, 1e6], reference: { Foundation.sqrt($0) }),
      FunctionCase(source: "sin(x1)", points: [-2.3, 0, 0.7, 12.5], reference: { Foundation.sin($0) }),
      FunctionCase(source: "cos(x1)", points: [-2.3, 0, 0.7, 12.5], reference: { Foundation.cos($0) }),
      FunctionCase(source: "tanh(x1)", points: [-2.3, 0, 0.7, 30], reference: { Foundation.tanh($0) }),
      FunctionCase(
        source: "sigmoid(x1)", points: [-30, -2.3, 0, 0.7, 30], reference: { 1 / (1 + Foundation.exp(-$0)) },
        tolerance: 1e-15),
      FunctionCase(
        source: "softplus(x1)", points: [-30, -2.3, 0, 0.7, 30], reference: { Foundation.log(1 + Foundation.exp($0)) },
        tolerance: 1e-15),
      FunctionCase(source: "relu(x1)", points: [-2.3, 0, 0.7], reference: { Swift.max($0, 0) }),
      FunctionCase(source: "abs(x1)", points: [-2.3, 0, 0.7], reference: { Swift.abs($0) }),
      FunctionCase(source: "|x1|", points: [-2.3, 0, 0.7], reference: { Swift.abs($0) }),
      FunctionCase(source: "min(x1, 0.5)", points: [-2.3, 0.5, 0.7], reference: { Swift.min($0, 0.5) }),
      FunctionCase(source: "max(x1, 0.5)", points: [-2.3, 0.5, 0.7], reference: { Swift.max($0, 0.5) }),
      FunctionCase(source: "x1 + 1.5", points: [-2.3, 0.7], reference: { $0 + 1.5 }),
      FunctionCase(source: "x1 - 1.5", points: [-2.3, 0.7], reference: { $0 - 1.5 }),
      FunctionCase(source: "1.5 - x1", points: [-2.3, 0.7], reference: { 1.5 - $0 }),
      FunctionCase(source: "x1 * 1.5", points: [-2.3, 0.7], reference: { $0 * 1.5 }),
      FunctionCase(source: "x1 / 1.5", points: [-2.3, 0.7], reference: { $0 / 1.5 }),
      FunctionCase(source: "1.5 / x1", points: [-2.3, 0.7], reference: { 1.5 / $0 }),
      FunctionCase(source: "x1 ^ 2", points: [-2.3, 0.7], reference: { $0 * $0 }),
      FunctionCase(source: "x1 ^ 3", points: [-2.3, 0.7], reference: { $0 * $0 * $0 }),
      FunctionCase(source: "x1 ^ 7", points: [-2.3, 0.7], reference: { Foundation.pow($0, 7) }),
      FunctionCase(source: "x1 ^ 2.5", points: [0, 2.3, 0.7], reference: { Foundation.pow($0, 2.5) }),
      FunctionCase(source: "x1 ^ 0.5", points: [0, 2.3, 0.7], reference: { Foundation.sqrt($0) }),
      FunctionCase(source: "2.5 ^ x1", points: [-2.3, 0.7], reference: { Foundation.pow(2.5, $0) }),
      FunctionCase(source: "-x1", points: [-2.3, 0.7], reference: { -$0 }),
      FunctionCase(source: "pi * x1", points: [1, 2], reference: { Double.pi * $0 }),
      FunctionCase(source: "e ^ x1", points: [1, -2], reference: { Foundation.pow(M_E, $0) }),
    ]

    @Test("every function and operator agrees with Foundation", arguments: functions)
    func functionValues(_ c: FunctionCase) throws {
      let f = try compile(c.source)
      for t in c.points {
        let value = f.value(at: [t, 0, 0, 0])
        let expected = c.reference(t)
        if c.tolerance == 0 {
          #expect(value == expected, "\(c.source) at \(t)")
        } else {
          #expect(Swift.abs(value - expected) <= c.tolerance * Swift.max(1, Swift.abs(expected)), "\(c.source) at \(t)")
        }
      }
    }

    @Test("two-variable operators", arguments: [(1.7, -0.4), (-2.5, 3.25), (0.3, 0.3)])
    func binaryOperators(_ p: (Double, Double)) throws {
      let (a, b) = p
      let point = [a, b, 0, 0]
      #expect(try compile("x1 + x2").value(at: point) == a + b)
      #expect(try compile("x1 - x2").value(at: point) == a - b)
      #expect(try compile("x1 * x2").value(at: point) == a * b)
      #expect(try compile("x1 / x2").value(at: point) == a / b)
      #expect(try compile("min(x1, x2)").value(at: point) == Swift.min(a, b))
      #expect(try compile("max(x1, x2)").value(at: point) == Swift.max(a, b))
      #expect(try compile("|x1| ^ x2").value(at: point) == Foundation.pow(Swift.abs(a), b))
    }

    @Test("vectors: dot, norm and |u|")
    func vectorValues() throws {
      let p = [3.0, -4.0, 0.5, 2.0]
      #expect(try compile("norm(x)").value(at: p) == 5)
      #expect(try compile("|x|").value(at: p) == 5)
      #expect(try compile("|x|^2").value(at: p) == 25)
      #expect(try compile("dot(x, y)").value(at: p) == 3 * 0.5 - 4 * 2)
      #expect(try compile("dot(x, c)").value(at: p) == 3 * 0.5 + 4 * 1.5)
      #expect(try compile("dot(c, x)").value(at: p) == 3 * 0.5 + 4 * 1.5)
      #expect(try compile("dot(u, x)").value(at: p) == 3 * 3 + 0.5 * -4)
      #expect(try compile("dot(c, c)").value(at: p) == 0.25 + 2.25)
      #expect(try compile("norm(k)").value(at: p) == Foundation.sqrt(14))
      #expect(try compile("|(x)|").value(at: p) == 5)
    }

    @Test("numbers and constants")
    func literals() throws {
      let cases: [(String, Double)] = [
        ("1", 1), ("2.5", 2.5), ("1e-3", 1e-3), ("2E+2", 200), (".5", 0.5), ("3.", 3), ("1.5e1", 15),
        ("pi", Double.pi), ("e", M_E), ("s", 0.7), ("a * s", 1.3 * 0.7), ("0", 0),
      ]
      for (source, expected) in cases {
        #expect(try compile(source).value(at: [0, 0, 0, 0]) == expected, "\(source)")
      }
    }

    @Test("signature names shadow the built-in constants")
    func shadowing() throws {
      let signature = ExpressionSignature(scalars: ["t"], constants: ["e": 0.25, "pi": 3])
      #expect(try CompiledExpression("e + pi", signature: signature).value(at: [0]) == 3.25)
      let variables = ExpressionSignature(scalars: ["e"])
      #expect(try CompiledExpression("2*e", signature: variables).value(at: [4]) == 8)
    }

    /// `^` binds tightest and is right-associative; unary minus binds looser than `^` but
    /// tighter than `*`; `+ - * /` associate to the left.
    static let precedenceCases: [(String, Double)] = [
        ("-x1^2", -4.0), ("-2^2", -4), ("(-2)^2", 4), ("2^3^2", 512), ("(2^3)^2", 64), ("2^-1", 0.5),
        ("x1^-x2", 0.125), ("-x1^2^-1", -Foundation.sqrt(2)), ("1 - 2 - 3", -4), ("8 / 4 / 2", 1),
        ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("2 * 3 ^ 2", 18), ("-x1 * x2", -6), ("x1 - -x2", 5),
        ("--x1", 2), ("+x1", 2), ("-+-x1", 2), ("2*-x1", -4), ("1/2*x1", 1), ("x1/x2*x2", 2),
        ("|x1 - x2|", 1), ("|x1| - |x2|", -1), ("||x1 - x2| - 3|", 2), ("|x|^2", 13),
        ("x1 + x2 * x1 ^ 2 - x2 / x1", 2 + 12 - 1.5), ("2 ^ x1 ^ 0", 2), ("min(1, 2) + max(1, 2) * 2", 5),
      ]

    @Test("precedence and associativity", arguments: precedenceCases)
    func precedence(_ c: (String, Double)) throws {
      let value = try compile(c.0).value(at: [2, 3, 0, 0])
      #expect(Swift.abs(value - c.1) <= 1e-15 * Swift.abs(c.1), "\(c.0) = \(value)")
    }

    @Test("whitespace and unicode letters in names")
    func whitespaceAndNames() throws {
      let signature = ExpressionSignature(scalars: ["σ", "t_0"])
      let f = try CompiledExpression("\t σ *\n t_0 ", signature: signature)
      #expect(f.value(at: [2, 3]) == 6)
    }

    @Test("integer powers of negative numbers are exact products")
    func negativeBases() throws {
      #expect(try compile("x1^2").valueAndGradient(at: [-3, 0, 0, 0]) == (9, [-6, 0, 0, 0]))
      #expect(try compile("x1^3").valueAndGradient(at: [-2, 0, 0, 0]) == (-8, [12, 0, 0, 0]))
      #expect(try compile("x1^-1").valueAndGradient(at: [-2, 0, 0, 0]) == (-0.5, [-0.25, 0, 0, 0]))
      #expect(try compile("x1^0").valueAndGradient(at: [-2, 0, 0, 0]) == (1, [0, 0, 0, 0]))
      #expect(try compile("x1^2.5").value(at: [-2, 0, 0, 0]).isNaN)
    }

    @Test("usedVariables lists the inputs an expression mentions, through vectors too")
    func usedVariables() throws {
      #expect(try compile("x1 + 0*x3").usedVariables == [0, 2])
      #expect(try compile("|y|").usedVariables == [2, 3])
      #expect(try compile("dot(u, c)").usedVariables == [0, 2])
      #expect(try compile("pi * s").usedVariables == [])
      #expect(try compile("x1").variableCount == 4)
    }

    @Test("constant subexpressions are folded at compile time")
    func folding() throws {
      let f = try compile("exp(2*pi) * x1 + log(s) - sqrt(a)^2")
      #expect(f.instructionCount <= 4)  // load x1, ·c, +c, −c
      let r = Foundation.sqrt(1.3)
      #expect(f.value(at: [1, 0, 0, 0]) == Foundation.exp(2 * Double.pi) * 1 + Foundation.log(0.7) - r * r)
      let constant = try compile("2 * (3 + 4) ^ 2")
      #expect(constant.instructionCount == 1)
      #expect(constant.valueAndGradient(at: [1, 2, 3, 4]) == (98, [0, 0, 0, 0]))
    }

    @Test("common potentials compile to a few instructions: chains merge, variables load without dispatch")
    func shortTapes() throws {
      #expect(try compile("s*(x1^2 - 1)^2 + 0.5*a*x2^2").instructionCount <= 4)  // 2 loads, 2 merged chains
      #expect(try compile("2*x1 + 1").instructionCount <= 2)
      #expect(try compile("x2 - s*(x1 + 1)^2").instructionCount <= 3)
      #expect(try compile("-exp(-(x1 - 1)^2/(2*s^2))").instructionCount <= 5)
    }

    @Test("evaluate overwrites every gradient entry and needs only workspaceSize doubles")
    func rawEvaluate() throws {
      let f = try compile("0.25*(|x|^2 - 1)^2 + 0.1*sin(2*pi*x1)")
      let x: [Double] = [0.3, -1.1, 5, 6]
      var gradient = [Double](repeating: .nan, count: 4)
      var workspace = [Double](repeating: .nan, count: f.workspaceSize)
      let value = x.withUnsafeBufferPointer { x in
        gradient.withUnsafeMutableBufferPointer { g in
          workspace.withUnsafeMutableBufferPointer { w in
            f.evaluate(x.baseAddress!, gradient: g.baseAddress!, workspace: w.baseAddress!)
          }
        }
      }
      let r2 = 0.3 * 0.3 + 1.1 * 1.1
      #expect(Swift.abs(value - (0.25 * (r2 - 1) * (r2 - 1) + 0.1 * Foundation.sin(2 * Double.pi * 0.3))) < 1e-15)
      #expect(gradient[2] == 0 && gradient[3] == 0)
      let expected0 = (r2 - 1) * 0.3 + 0.2 * Double.pi * Foundation.cos(2 * Double.pi * 0.3)
      #expect(Swift.abs(gradient[0] - expected0) < 1e-14)
      #expect(Swift.abs(gradient[1] - (r2 - 1) * -1.1) < 1e-14)
    }
  }

  // MARK: - Gradients

  @Suite("Gradients")
  struct Gradients {
    struct GradientCase: Sendable, CustomTestStringConvertible {
      var source: String
      var range: ClosedRange<Double> = -3...3
      /// Points too close to a kink or a singularity, where finite differences are meaningless.
      var avoid: @Sendable ([Double]) -> Bool = { _ in false }
      var testDescription: String { source }
    }

    private static let positive: ClosedRange<Double> = 0.1...3
    private static func near(_ t: Double) -> Bool { Swift.abs(t) < 1e-2 }

    static let functions: [GradientCase] = [
      GradientCase(source: "exp(x1)"),
      GradientCase(source: "log(x1)", range: positive),
      GradientCase(source: "sqrt(x1)", range: positive),
      GradientCase(source: "sin(x1)"),
      GradientCase(source: "cos(x1)"),
      GradientCase(source: "tanh(x1)"),
      GradientCase(source: "sigmoid(3*x1)"),
      GradientCase(source: "softplus(3*x1)"),
      GradientCase(source: "relu(x1)", avoid: { near($0[0]) }),
      GradientCase(source: "abs(x1)", avoid: { near($0[0]) }),
      GradientCase(source: "|x1|", avoid: { near($0[0]) }),
      GradientCase(source: "min(x1, x2)", avoid: { near($0[0] - $0[1]) }),
      GradientCase(source: "max(x1, x2)", avoid: { near($0[0] - $0[1]) }),
      GradientCase(source: "dot(x, y)"),
      GradientCase(source: "dot(x, c)"),
      GradientCase(source: "dot(c, x)"),
      GradientCase(source: "dot(u, x)"),
      GradientCase(source: "dot(u, y)"),
      GradientCase(source: "dot(x, x)"),
      GradientCase(source: "norm(x)", avoid: { near($0[0]) && near($0[1]) }),
      GradientCase(source: "|u|", avoid: { near($0[0]) && near($0[2]) }),
      GradientCase(source: "|x|^2"),
      GradientCase(source: "|u|^4"),
      GradientCase(source: "|x|^3"),
      GradientCase(source: "2*|y| - norm(u)/3", avoid: { (near($0[2]) && near($0[3])) || (near($0[0]) && near($0[2])) }),
      GradientCase(source: "x1 + x2"),
      GradientCase(source: "x1 - x2"),
      GradientCase(source: "x1 * x2"),
      GradientCase(source: "x1 / x2", avoid: { Swift.abs($0[1]) < 0.2 }),
      GradientCase(source: "x1 ^ x2", range: positive),
      GradientCase(source: "2 ^ x1"),
      GradientCase(source: "x1 ^ 2"),
      GradientCase(source: "x1 ^ 3"),
      GradientCase(source: "x1 ^ 5"),
      GradientCase(source: "x1 ^ -2", avoid: { Swift.abs($0[0]) < 0.3 }),
      GradientCase(source: "x1 ^ 2.5", range: positive),
      GradientCase(source: "x1 ^ 0.5", range: positive),
      GradientCase(source: "-x1"),
      GradientCase(source: "3 - x1"),
      GradientCase(source: "3 / x1", avoid: { Swift.abs($0[0]) < 0.3 }),
    ]

    static let composites: [GradientCase] = [
      GradientCase(source: "0.25*(|x|^2 - 1)^2 + 0.1*sin(2*pi*x1)"),
      GradientCase(source: "exp(-|x|^2/(2*s^2))"),
      GradientCase(source: "tanh(x1) + 0.1*x1"),
      GradientCase(source: "0.5*a*|x|^2"),
      GradientCase(source: "log(1 + |x|^2) * softplus(x3 - x4)"),
      GradientCase(source: "sigmoid(a*dot(x, c) + x3) * cos(x4)"),
      GradientCase(
        source: "max(x1, x2)^2 / (1 + min(x3, x4)^2)", avoid: { near($0[0] - $0[1]) || near($0[2] - $0[3]) }),
      GradientCase(source: "sqrt(1 + x1^2 + x2^2) - x3*x4/(2 + sin(x1))"),
      GradientCase(source: "x1*x1*x1 - 3*x1*x2^2 + x1*x2*x3*x4"),
      GradientCase(source: "sin(x1)*sin(x1) + cos(x1)^2 + sin(x1)*cos(x2)"),
      GradientCase(source: "-|x| + 2*|y|", avoid: { (near($0[0]) && near($0[1])) || (near($0[2]) && near($0[3])) }),
      GradientCase(source: "|x1*x2 - 1|", avoid: { near($0[0] * $0[1] - 1) }),
      GradientCase(source: "relu(x1 - x2) + relu(x2 - x3)", avoid: { near($0[0] - $0[1]) || near($0[1] - $0[2]) }),
      GradientCase(source: "x1^x2^0.5", range: positive),
      GradientCase(source: "exp(sin(x1) * x2) / sqrt(2 + x3^2)"),
      GradientCase(source: "(x1 - x2)^2 * exp(-(x3 + x4)^2) + 1/(1 + x1^2)"),
      GradientCase(source: "softplus(dot(u, c)) - sigmoid(-|y|^2) * x1"),
      GradientCase(source: "log(x1 * x2 + x3^2) + x4^x1", range: positive),
      GradientCase(source: "2*s*x1 - x2/s + s^x3 - (x4 - s)^3"),
      GradientCase(source: "min(sin(x1), cos(x2)) * max(x3, 0.5)", avoid: { near(Foundation.sin($0[0]) - Foundation.cos($0[1])) || near($0[2] - 0.5) }),
    ]

    /// ∇f(p) against central differences with h = 1e-5·max(1, |pₖ|), at 200 deterministic
    /// random points; the tolerance is relative, 1e-6 of max(1, |∂ₖf|, |f|).
    private func checkAgainstFiniteDifferences(_ c: GradientCase, seed: UInt64) throws {
      let f = try compile(c.source)
      var random = SplitMix64(seed: seed)
      var failures: [String] = []
      var checked = 0
      while checked < 200 {
        let p = (0..<4).map { _ in random.uniform(c.range) }
        if c.avoid(p) { continue }
        checked += 1
        let (value, gradient) = f.valueAndGradient(at: p)
        #expect(value == f.value(at: p))
        for k in 0..<4 {
          let h = 1e-5 * Swift.max(1, Swift.abs(p[k]))
          var plus = p
          var minus = p
          plus[k] += h
          minus[k] -= h
          let difference = (f.value(at: plus) - f.value(at: minus)) / (plus[k] - minus[k])
          let tolerance = 1e-6 * Swift.max(1, Swift.abs(gradient[k]), Swift.abs(value))
          if !(Swift.abs(difference - gradient[k]) <= tolerance) {
            failures.append("∂\(k + 1) at \(p): exact \(gradient[k]), finite difference \(difference)")
          }
        }
      }
      #expect(failures.isEmpty, "\(c.source): \(failures.count) failures, e.g. \(failures.prefix(3))")
    }

    @Test("each function's gradient matches finite differences at 200 points", arguments: functions)
    func functionGradients(_ c: GradientCase) throws {
      try checkAgainstFiniteDifferences(c, seed: 0x5EED_0001)
    }

    @Test("composite gradients match finite differences at 200 points", arguments: composites)
    func compositeGradients(_ c: GradientCase) throws {
      try checkAgainstFiniteDifferences(c, seed: 0x5EED_0002)
    }

    @Test("conventions at kinks: relu'(0) = 0, abs'(0) = 0, ∇|u| = 0 at u = 0")
    func kinks() throws {
      let zero = [0.0, 0, 0, 0]
      #expect(try compile("relu(x1)").gradient(at: zero) == [0, 0, 0, 0])
      #expect(try compile("abs(x1)").gradient(at: zero) == [0, 0, 0, 0])
      #expect(try compile("|x1|").gradient(at: zero) == [0, 0, 0, 0])
      #expect(try compile("|x|").gradient(at: zero) == [0, 0, 0, 0])
      #expect(try compile("norm(u)").gradient(at: zero) == [0, 0, 0, 0])
      #expect(try compile("3*|y|").gradient(at: zero) == [0, 0, 0, 0])
      #expect(try compile("|x|^2").gradient(at: zero) == [0, 0, 0, 0])
    }

    @Test("min and max send the derivative to the first argument on ties")
    func ties() throws {
      let tie = [1.5, 1.5, 0, 0]
      #expect(try compile("min(x1, x2)").gradient(at: tie) == [1, 0, 0, 0])
      #expect(try compile("min(x2, x1)").gradient(at: tie) == [0, 1, 0, 0])
      #expect(try compile("max(x1, x2)").gradient(at: tie) == [1, 0, 0, 0])
      #expect(try compile("max(x2, x1)").gradient(at: tie) == [0, 1, 0, 0])
    }

    @Test("a branch not taken contributes nothing, even where its derivative is infinite")
    func untakenBranches() throws {
      #expect(try compile("max(1, sqrt(x1))").gradient(at: [0, 0, 0, 0]) == [0, 0, 0, 0])
      #expect(try compile("relu(log(x1))").gradient(at: [0, 0, 0, 0]) == [0, 0, 0, 0])
      #expect(try compile("x2^0 * x1").gradient(at: [2, 0, 0, 0]) == [1, 0, 0, 0])
    }

    @Test("merged chains give the values and gradients of their operations written out, to the bit")
    func mergedChains() throws {
      let (p, q, s, a) = (0.7, -1.3, 0.7, 1.3)
      func check(_ source: String, _ value: Double, _ gradient: [Double]) throws {
        let (v, g) = try compile(source).valueAndGradient(at: [p, q, 0, 0])
        #expect(v.bitPattern == value.bitPattern, "\(source): \(v) instead of \(value)")
        #expect(g.map(\.bitPattern) == gradient.map(\.bitPattern), "\(source): \(g) instead of \(gradient)")
      }
      // The reverse pass of the unmerged tape: each instruction passes its adjoint times its
      // local derivative to its operands, last instruction first.
      try check("2.5*x1 + 1", p * 2.5 + 1, [2.5, 0, 0, 0])
      try check("1 - s*x1", 1 - p * s, [(0 - 1) * s, 0, 0, 0])
      let t = p - s
      try check("a*(x1 - s)^2", t * t * a, [2 * (1 * a) * t, 0, 0, 0])
      let u = p * p - 1
      try check("s*(x1^2 - 1)^2", u * u * s, [2 * (2 * (1 * s) * u) * p, 0, 0, 0])
      let w = p + 1
      try check("x2 - s*(x1 + 1)^2", q - w * w * s, [2 * ((0 - 1) * s) * w, 1, 0, 0])
      try check("x1^2 + x2^2", p * p + q * q, [2 * p, 2 * q, 0, 0])
      try check("x2 + 3*x1", q + p * 3, [3, 1, 0, 0])
      try check("x2 - 3*x1", q - p * 3, [(0 - 1) * 3, 1, 0, 0])
      try check("3*x1 - x2", p * 3 - q, [3, -1, 0, 0])
      try check("-(s*x1)", -(p * s), [(0 - 1) * s, 0, 0, 0])
      try check("-x1/s", -p / s, [0 - 1 / s, 0, 0, 0])
    }

    @Test("a zero factor stops the gradient inside a merged chain too, even where the rest is infinite")
    func zeroFactorsInMergedChains() throws {
      let infinite = [Double.infinity, 2, 0, 0]
      #expect(try compile("0*(x1 - 1)^2").gradient(at: infinite) == [0, 0, 0, 0])
      #expect(try compile("0*(x1^2 - 1)^2").gradient(at: infinite) == [0, 0, 0, 0])
      #expect(try compile("x2 + 0*x1^2").gradient(at: infinite) == [0, 1, 0, 0])
      #expect(try compile("x2 - 0*(x1 + 1)^2").gradient(at: infinite) == [0, 1, 0, 0])
      #expect(try compile("0*(0*x1^2 - 1)^2").gradient(at: infinite) == [0, 0, 0, 0])
    }
  }

  // MARK: - Errors

  @Suite("Errors")
  struct Errors {
    struct ErrorCase: Sendable, CustomTestStringConvertible {
      var source: String
      var message: String
      var column: Int
      var signature = planeWithVector
      var testDescription: String { source }
    }

    static let cases: [ErrorCase] = [
      ErrorCase(
        source: "1 + 0.25 * sinn(x1)", message: "unknown function 'sinn' at column 12 (did you mean 'sin'?)",
        column: 12),
      ErrorCase(source: "1 + foo(x1)", message: "unknown function 'foo' at column 5", column: 5),
      ErrorCase(
        source: "2 * x3", message: "unknown name 'x3' at column 5 (variables here: x1, x2; constants: s)", column: 5,
        signature: twoVariables),
      ErrorCase(
        source: "x1 + z",
        message: "unknown name 'z' at column 6 (variables here: x1, x2; vectors: x; constants: s; constant vectors: c)",
        column: 6),
      ErrorCase(source: "2 * PI", message: "unknown name 'PI' at column 5 (did you mean 'pi'?)", column: 5),
      ErrorCase(
        source: "sigmaa + 1", message: "unknown name 'sigmaa' at column 1 (did you mean 'sigma'?)", column: 1,
        signature: ExpressionSignature(scalars: ["t"], constants: ["sigma": 1])),
      ErrorCase(
        source: "x", message: "unknown name 'x' at column 1 (no variables or constants are defined here)", column: 1,
        signature: ExpressionSignature(scalars: [])),
      ErrorCase(source: "10*(s*x1", message: "expected ')' at column 9 to close '(' at column 4", column: 9),
      ErrorCase(source: "sin(x1 x2)", message: "expected ')' at column 8 to close '(' at column 4", column: 8),
      ErrorCase(source: "|x1 + 1", message: "expected '|' at column 8 to close '|' at column 1", column: 8),
      ErrorCase(source: "dot(x)", message: "'dot' takes 2 arguments, got 1 at column 1", column: 1),
      ErrorCase(source: "1 + sin()", message: "'sin' takes 1 argument, got 0 at column 5", column: 5),
      ErrorCase(source: "max(1, 2, 3)", message: "'max' takes 2 arguments, got 3 at column 1", column: 1),
      ErrorCase(source: "", message: "empty expression", column: 1),
      ErrorCase(source: "  \n ", message: "empty expression", column: 1),
      ErrorCase(source: "x1#x2", message: "unexpected character '#' at column 3", column: 3),
      ErrorCase(source: "x1 + \u{7}", message: "unexpected character '\\u{7}' at column 6", column: 6),
      ErrorCase(source: "x + 1", message: "x is a vector; use |x| or dot(x, v) at column 1", column: 1),
      ErrorCase(source: "2 * sin(x)", message: "x is a vector; use |x| or dot(x, v) at column 9", column: 9),
      ErrorCase(source: "-x", message: "x is a vector; use |x| or dot(x, v) at column 2", column: 2),
      ErrorCase(source: "x^2", message: "x is a vector; use |x| or dot(x, v) at column 1", column: 1),
      ErrorCase(source: "(x)", message: "x is a vector; use |x| or dot(x, v) at column 2", column: 2),
      ErrorCase(source: "min(x1, c)", message: "c is a vector; use |c| or dot(c, v) at column 9", column: 9),
      ErrorCase(
        source: "dot(x, c)",
        message: "'dot' needs vectors of the same dimension, but x has 2 components and c has 3 at column 1",
        column: 1),
      ErrorCase(
        source: "dot(x, x1)", message: "'dot' needs a vector as argument 2, got a scalar at column 8", column: 8),
      ErrorCase(
        source: "norm(x1 + 1)", message: "'norm' needs a vector as its argument, got a scalar at column 6",
        column: 6),
      ErrorCase(source: "x1(2)", message: "'x1' is not a function at column 1", column: 1),
      ErrorCase(source: "2 * sin", message: "'sin' is a function; call it as sin(…) at column 5", column: 5),
      ErrorCase(source: "x1 + * x2", message: "expected an operand at column 6, found '*'", column: 6),
      ErrorCase(source: "x1 +", message: "expected an operand at column 5, found end of input", column: 5),
      ErrorCase(source: "x1 x2", message: "expected an operator at column 4, found 'x2'", column: 4),
      ErrorCase(source: "x1)", message: "unexpected ')' at column 3", column: 3),
      ErrorCase(source: "x1, x2", message: "unexpected ',' at column 3", column: 3),
      ErrorCase(source: "2x1", message: "malformed number '2x1' at column 1", column: 1),
      ErrorCase(source: "x1 * 1e", message: "malformed number '1e' at column 6", column: 6),
      ErrorCase(source: "1.2.3", message: "malformed number '1.2.3' at column 1", column: 1),
      ErrorCase(source: "1e999 * x1", message: "number '1e999' is out of range at column 1", column: 1),
      ErrorCase(
        source: "|v|", message: "vector v has component 'x9', which is not a scalar variable, at column 2",
        column: 2, signature: ExpressionSignature(scalars: ["x1"], vectors: ["v": ["x1", "x9"]])),
    ]

    @Test("errors name the problem and point at its column", arguments: cases)
    func errorMessage(_ c: ErrorCase) {
      do {
        let f = try CompiledExpression(c.source, signature: c.signature)
        Issue.record("\(c.source) compiled to \(f.instructionCount) instructions; expected an error")
      } catch {
        #expect(error.message == c.message)
        #expect(error.column == c.column)
        #expect(error.description == c.message)
      }
    }

    @Test("the first error from the left is the one reported")
    func leftmostError() {
      #expect(throws: ExpressionError(column: 1, message: "unknown function 'sinn' at column 1 (did you mean 'sin'?)")) {
        try CompiledExpression("sinn(x1) + #", signature: planeWithVector)
      }
    }

    @Test("nesting is limited to 200 levels, with an error instead of a stack overflow")
    func nestingLimit() throws {
      func parenthesized(_ n: Int) -> String { String(repeating: "(", count: n) + "x1" + String(repeating: ")", count: n) }
      #expect(try CompiledExpression(parenthesized(200), signature: twoVariables).value(at: [2, 0]) == 2)
      #expect(throws: ExpressionError.self) { try CompiledExpression(parenthesized(201), signature: twoVariables) }
      do {
        _ = try CompiledExpression(parenthesized(100_000), signature: twoVariables)
        Issue.record("expected an error")
      } catch {
        #expect(error.message == "expression nested too deeply (more than 200 levels) at column 201")
      }
      let calls = String(repeating: "sin(", count: 199) + "x1" + String(repeating: ")", count: 199)
      #expect(try CompiledExpression(calls, signature: twoVariables).value(at: [0.5, 0]) != 0)
      for deep in [
        String(repeating: "-", count: 100_000) + "x1", String(repeating: "|", count: 100_000),
        String(repeating: "x1^", count: 100_000) + "2", String(repeating: "sin(", count: 100_000),
      ] {
        #expect(throws: ExpressionError.self) { try CompiledExpression(deep, signature: twoVariables) }
      }
    }

    @Test("compiling uses little stack: 200 levels of calls compile on a thread with a 128 KB stack")
    func smallStack() {
      final class Box: @unchecked Sendable { var value = 0.0 }
      let result = Box()
      let done = DispatchSemaphore(value: 0)
      let thread = Thread {
        let source = String(repeating: "max(0, -sin(", count: 66) + "x1" + String(repeating: "))", count: 66)
        result.value = (try? CompiledExpression(source, signature: twoVariables).value(at: [0.5, 0])) ?? .nan
        done.signal()
      }
      thread.stackSize = 128 * 1024
      thread.start()
      done.wait()
      #expect(!result.value.isNaN)
    }

    @Test("long flat sums and products are not nesting")
    func longChains() throws {
      let sum = try CompiledExpression(
        Array(repeating: "x1", count: 20_000).joined(separator: " + "), signature: twoVariables)
      #expect(sum.valueAndGradient(at: [0.5, 1]) == (10_000, [20_000, 0]))
      let product = try CompiledExpression(
        Array(repeating: "x1", count: 5_000).joined(separator: " * "), signature: twoVariables)
      #expect(product.value(at: [1, 0]) == 1)
      #expect(product.gradient(at: [1, 0]) == [5_000, 0])
    }
  }

  // MARK: - Robustness

  @Suite("Robustness")
  struct Robustness {
    static let pieces = [
      "x1", "x2", "x", "y", "u", "c", "k", "s", "a", "pi", "e", "q", "0", "1", "2.5", "1e-3", "3e2", ".5", "1e",
      "+", "-", "*", "/", "^", "(", ")", ",", "|", " ", "  ", "exp(", "log(", "sqrt(", "sin(", "cos(", "tanh(",
      "sigmoid(", "softplus(", "relu(", "abs(", "min(", "max(", "dot(", "norm(", "sinn(", "#", ".", "σ", "é", "\u{0}",
    ]
    static let seeds = [
      "0.25*(|x|^2 - 1)^2 + 0.1*sin(2*pi*x1)", "exp(-|x|^2/(2*s^2))", "tanh(x1) + 0.1*x1",
      "dot(x, c) - norm(y)^3 + min(x1, max(x2, x3))", "softplus(x4)*sigmoid(-x3)/log(1+|u|^2)",
      "x1^x2^-0.5 - 2^x3 + relu(x4 - a)*abs(x1)", "sqrt(|x1 - x2|) * cos(dot(u, y)) + e^x1",
    ]

    /// A random expression from the grammar (valid apart from the occasional vector
    /// dimension mismatch), with every construct of the language.
    private static func randomExpression(_ random: inout SplitMix64, depth: Int) -> String {
      let scalars = ["x1", "x2", "x3", "x4", "s", "a", "pi", "e", "0", "1", "2.5", "1e-3", "3"]
      let vectors = ["x", "y", "u", "c"]
      let functions = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus", "relu", "abs"]
      if depth == 0 || random.below(4) == 0 { return scalars[random.below(scalars.count)] }
      func sub(_ random: inout SplitMix64) -> String { randomExpression(&random, depth: depth - 1) }
      switch random.below(10) {
      case 0: return "(" + sub(&random) + ")"
      case 1: return sub(&random) + ["+", "-", "*", "/"][random.below(4)] + sub(&random)
      case 2: return "-" + sub(&random)
      case 3: return functions[random.below(functions.count)] + "(" + sub(&random) + ")"
      case 4: return ["min", "max"][random.below(2)] + "(" + sub(&random) + ", " + sub(&random) + ")"
      case 5: return "dot(" + vectors[random.below(4)] + ", " + vectors[random.below(4)] + ")"
      case 6: return "|" + vectors[random.below(4)] + "|" + (random.below(2) == 0 ? "^\(random.below(5))" : "")
      case 7: return "|" + sub(&random) + "|"
      case 8: return sub(&random) + "^" + sub(&random)
      default: return sub(&random) + "^" + ["2", "3", "-1", "0.5", "1.5", "0", "-2"][random.below(7)]
      }
    }

    private struct Outcome {
      var compiled = 0
      var failed = 0
      /// Sources whose error pointed outside the source or had no message.
      var badErrors: [String] = []
    }

    private func exercise(_ source: String, _ outcome: inout Outcome, _ random: inout SplitMix64) {
      do {
        let f = try CompiledExpression(source, signature: fourVariables)
        outcome.compiled += 1
        let p = (0..<4).map { _ in random.uniform(-3...3) }
        _ = f.valueAndGradient(at: p)
        _ = f.value(at: [0, 0, 0, 0])
      } catch {
        outcome.failed += 1
        if !(1...(source.count + 1)).contains(error.column) || error.message.isEmpty {
          outcome.badErrors.append(source)
        }
      }
    }

    @Test("25,000 random, mutated and generated sources never crash the compiler or the evaluator")
    func fuzz() {
      var random = SplitMix64(seed: 42)
      var outcome = Outcome()
      // Token soup from the language's alphabet.
      for _ in 0..<9_000 {
        var source = ""
        for _ in 0..<random.below(24) { source += Self.pieces[random.below(Self.pieces.count)] }
        exercise(source, &outcome, &random)
      }
      // Random bytes, decoded as UTF-8 with repair.
      for _ in 0..<5_000 {
        let bytes = (0..<random.below(20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        exercise(String(decoding: bytes, as: UTF8.self), &outcome, &random)
      }
      // Mutations of valid expressions: deletions, insertions, swaps, duplications.
      let alphabet = Array("x1234yucksaepi0.5e+-*/^(),| #σ")
      for _ in 0..<7_000 {
        var characters = Array(Self.seeds[random.below(Self.seeds.count)])
        for _ in 0...random.below(3) {
          let i = random.below(characters.count + 1)
          switch random.below(4) {
          case 0 where i < characters.count: characters.remove(at: i)
          case 1: characters.insert(alphabet[random.below(alphabet.count)], at: i)
          case 2 where i + 1 < characters.count: characters.swapAt(i, i + 1)
          default:
            let piece = characters[i..<Swift.min(characters.count, i + random.below(8))]
            characters.insert(contentsOf: piece, at: random.below(characters.count + 1))
          }
        }
        exercise(String(characters), &outcome, &random)
      }
      // Random well-formed expressions: every instruction of the evaluator.
      for _ in 0..<4_000 {
        exercise(Self.randomExpression(&random, depth: 6), &outcome, &random)
      }
      #expect(outcome.compiled + outcome.failed == 25_000)
      #expect(outcome.badErrors.isEmpty, "errors outside their source: \(outcome.badErrors.prefix(5))")
      #expect(outcome.compiled > 1_000, "the fuzz should also reach the evaluator")
      #expect(outcome.failed > 1_000)
    }

    /// Random expressions, half of them built around the chains the compiler merges, at
    /// random points and at special values (±0, ±∞, NaN, huge, subnormal).
    @Test("rearranging the tape (leaves first, merged chains) changes no value or gradient bit")
    func rearrangingIsExact() {
      var random = SplitMix64(seed: 2024)
      let factors = ["2.5", "s", "-a", "0", "1", "-0", "1e300", "x2"]
      func chain(_ random: inout SplitMix64) -> String {
        let u = Self.randomExpression(&random, depth: 3)
        let v = Self.randomExpression(&random, depth: 3)
        let c = factors[random.below(factors.count)]
        let d = factors[random.below(factors.count)]
        let sign = ["+", "-"][random.below(2)]
        switch random.below(8) {
        case 0: return "\(c)*(\(u)) \(sign) \(d)"
        case 1: return "\(d) \(sign) \(c)*(\(u))"
        case 2: return "\(c)*((\(u)) \(sign) \(d))^2"
        case 3: return "\(c)*((\(u))^2 \(sign) \(d))^2"
        case 4: return "(\(v)) \(sign) \(c)*((\(u)) \(sign) \(d))^2"
        case 5: return "(\(v)) \(sign) \(c)*(\(u))"
        case 6: return "\(c)*(\(u)) \(sign) (\(v))"
        default: return "-(\(c)*(\(u)))/\(d) \(sign) -(\(u))*\(c)"
        }
      }
      let special: [Double] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, 1e308, .leastNormalMagnitude / 4]
      /// Bit patterns, with every NaN the same: a NaN's sign is not specified.
      func bits(_ values: [Double]) -> [UInt64] { values.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern } }
      var mismatches: [String] = []
      var compared = 0
      var (instructions, plainInstructions) = (0, 0)
      for n in 0..<4_000 {
        let source = n.isMultiple(of: 2) ? Self.randomExpression(&random, depth: 6) : chain(&random)
        guard let f = try? CompiledExpression(source, signature: fourVariables),
          let plain = try? CompiledExpression(source, signature: fourVariables, rearranging: false)
        else { continue }
        compared += 1
        instructions += f.instructionCount
        plainInstructions += plain.instructionCount
        for _ in 0..<3 {
          var p = (0..<4).map { _ in random.uniform(-3...3) }
          if random.below(2) == 0 { p[random.below(4)] = special[random.below(special.count)] }
          let (value, gradient) = f.valueAndGradient(at: p)
          let (plainValue, plainGradient) = plain.valueAndGradient(at: p)
          if bits([value, f.value(at: p)] + gradient) != bits([plainValue, plainValue] + plainGradient) {
            mismatches.append("\(source) at \(p)")
          }
        }
      }
      #expect(mismatches.count == 0, "e.g. \(mismatches.prefix(3))")
      #expect(compared > 3_000)
      #expect(Double(instructions) < 0.9 * Double(plainInstructions), "\(instructions) vs \(plainInstructions) instructions")
    }

    @Test("one expression evaluated from many threads, each with its own workspace, gives identical results")
    func concurrentEvaluation() throws {
      let f = try compile("0.25*(|x|^2 - 1)^2 + 0.1*sin(2*pi*x1) + softplus(dot(u, c)) * tanh(x4) / (1 + |y|^2)")
      var random = SplitMix64(seed: 7)
      let points = (0..<(4 * 2_000)).map { _ in random.uniform(-2...2) }
      @Sendable func run(into results: UnsafeMutablePointer<Double>) {
        let workspace = UnsafeMutablePointer<Double>.allocate(capacity: f.workspaceSize)
        defer { workspace.deallocate() }
        points.withUnsafeBufferPointer { p in
          for i in 0..<2_000 {
            results[5 * i] = f.evaluate(p.baseAddress! + 4 * i, gradient: results + 5 * i + 1, workspace: workspace)
          }
        }
      }
      let threads = 8
      let serial = UnsafeMutablePointer<Double>.allocate(capacity: 5 * 2_000)
      let parallel = UnsafeMutablePointer<Double>.allocate(capacity: threads * 5 * 2_000)
      defer {
        serial.deallocate()
        parallel.deallocate()
      }
      run(into: serial)
      nonisolated(unsafe) let output = parallel
      DispatchQueue.concurrentPerform(iterations: threads) { t in run(into: output + t * 5 * 2_000) }
      var mismatches = 0
      for t in 0..<threads {
        for j in 0..<(5 * 2_000) where parallel[t * 5 * 2_000 + j].bitPattern != serial[j].bitPattern {
          mismatches += 1
        }
      }
      #expect(mismatches == 0)
    }
  }
}
