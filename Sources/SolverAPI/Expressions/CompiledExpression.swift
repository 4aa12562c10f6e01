import Foundation

/// A scalar function of named variables, written in a small expression language, compiled
/// once and then evaluated — value and exact gradient — without allocation.
///
///     let V = try CompiledExpression(
///       "0.25*(|x|^2 - 1)^2 + 0.1*sin(2*pi*x1)",
///       signature: .euclidean(dimension: 2))      // scalars x1, x2 and the vector x
///     V.value(at: [0.3, -1])                      // convenience, allocates
///     V.gradient(at: [0.3, -1])
///     // hot loop: one workspace of V.workspaceSize doubles per thread, reused
///     let f = V.evaluate(x, gradient: g, workspace: w)
///
/// ## Language
///
///     expression = sum
///     sum        = product {("+" | "-") product}          left-associative
///     product    = unary {("*" | "/") unary}              left-associative
///     unary      = ("-" | "+") unary | power
///     power      = primary ["^" unary]                    right-associative
///     primary    = number | name | call | "(" sum ")" | "|" sum "|"
///     call       = function "(" [sum {"," sum}] ")"
///     number     = digits ["." [digits]] [("e" | "E") ["+" | "-"] digits] | "." digits [...]
///     name       = (letter | "_") {letter | digit | "_"}
///
/// So `^` binds tighter than unary minus and is right-associative: `-x^2 = -(x^2)`,
/// `2^3^2 = 2^9`, `2^-1 = 0.5`; and `-x*y = (-x)*y`. Whitespace is ignored between tokens.
///
/// Names are the signature's scalar variables, vectors, constants and constant vectors,
/// then the built-in constants `pi` and `e` (see `ExpressionSignature` for precedence).
/// A name followed by `(` is a function:
///
/// - `exp(t)`, `log(t)`, `sqrt(t)`, `sin(t)`, `cos(t)`, `tanh(t)` — as in Foundation.
/// - `sigmoid(t)` = 1/(1 + e⁻ᵗ), evaluated without overflow; derivative σ(1 − σ).
/// - `softplus(t)` = log1p(e^(−|t|)) + max(t, 0), stable for large |t|; derivative σ(t).
/// - `relu(t)` = max(t, 0); derivative 1 for t > 0 and 0 otherwise, so relu′(0) = 0.
/// - `abs(t)`, also written `|t|`; derivative sign(t), and abs′(0) = 0.
/// - `min(a, b)`, `max(a, b)`; the derivative flows to the chosen argument, and to the
///   first one on ties.
/// - `dot(u, v)` = Σ uₖvₖ for two vectors of the same dimension.
/// - `norm(u)`, also written `|u|` for a vector u: the Euclidean norm; its gradient is
///   u/|u|, and 0 at u = 0. `|u|^2` is computed as `dot(u, u)` (no square root).
///
/// Powers `a^b`: when `b` is an integer-valued constant, exact products (`x^2 = x*x`) or
/// `pow`, with derivative b·a^(b−1), so `x^2` and `x^3` are fine for negative x; `a^0.5`
/// is `sqrt(a)`; otherwise the rules of exp(b log a): ∂/∂a = b·a^(b−1) and
/// ∂/∂b = a^b·log a (taken as 0 where a^b = 0), NaN for a negative base.
///
/// Vectors may appear only as arguments of `dot`, `norm` and `|…|` (parentheses allowed);
/// their components are ordinary scalar variables too. A vector used as a scalar, a
/// scalar given to `dot` or `norm`, vectors of different dimensions in `dot`, a wrong
/// argument count, an unknown name or function and nesting deeper than 200 levels are
/// compile errors: `ExpressionError`, with a message and the column of the offending
/// character.
///
/// ## Evaluation
///
/// Parsing and compiling use explicit stacks, so no input can exhaust the call stack.
/// Constant subexpressions are folded, identical subexpressions shared, and the result
/// is a tape of instructions in single-assignment form; common chains such as
/// `a*(x1 - c)^2 + v` become single instructions that compute exactly what the chain
/// would (see `ExpressionCompiler`). The forward pass stores every
/// intermediate value in the workspace; the gradient is the reverse (adjoint) pass over
/// the same tape, so it costs a small constant times the value, independent of the number
/// of variables. Instructions whose adjoint is exactly zero are skipped, so a branch not
/// taken by `min`, `max`, `relu` or `abs` contributes nothing to the gradient, even where
/// its own derivative is infinite or NaN.
///
/// An instance is immutable and safe to share across threads; each thread passes its
/// own workspace.
public final class CompiledExpression: @unchecked Sendable, CustomStringConvertible {
  /// The source the expression was compiled from.
  public let source: String
  /// The signature the names were resolved against.
  public let signature: ExpressionSignature
  /// Indices (into `signature.scalars`) of the variables the source mentions, directly
  /// or as components of a vector. Callers use it to validate, e.g. that a potential on
  /// ℝ² does not mention y1.
  public let usedVariables: Set<Int>
  /// Number of instructions on the tape (a measure of evaluation cost).
  public let instructionCount: Int

  private let code: UnsafeMutablePointer<ExpressionInstruction>
  private let indices: UnsafeMutablePointer<Int32>
  private let constants: UnsafeMutablePointer<Double>
  private let indexCount: Int
  private let constantCount: Int
  /// The tape starts with this many `.variable` instructions, loaded (and their adjoints
  /// added to the gradient) without dispatching on each.
  private let loadCount: Int
  /// The loads and the `.constant` instructions that follow them: leaves, which the
  /// reverse pass does not visit.
  private let leafCount: Int
  /// The loads are x1, x2, … in order, and nothing else on the tape touches the gradient
  /// (no other `.variable`, no vector instruction): the loads' adjoints are the gradient.
  private let loadsAreGradient: Bool

  /// Compiles `source`; names are resolved against `signature`.
  public convenience init(_ source: String, signature: ExpressionSignature) throws(ExpressionError) {
    try self.init(source, signature: signature, rearranging: true)
  }

  /// Compiles `source`, without rearranging the tape if `rearranging` is false: no leaves
  /// moved to the front, no fused instructions. For tests, which check that rearranging
  /// changes no value or gradient.
  @_spi(Testing)
  public init(_ source: String, signature: ExpressionSignature, rearranging: Bool) throws(ExpressionError) {
    let parser = try ExpressionParser(source, signature: signature, rearranging: rearranging)
    let compiled = parser.compiler
    self.source = source
    self.signature = signature
    usedVariables = parser.usedVariables
    variableCount = signature.scalars.count
    instructionCount = compiled.code.count
    code = .allocate(capacity: compiled.code.count)
    code.initialize(from: compiled.code, count: compiled.code.count)
    indexCount = compiled.indexTable.count
    indices = .allocate(capacity: max(1, indexCount))
    indices.initialize(from: compiled.indexTable, count: indexCount)
    constantCount = compiled.constantTable.count
    constants = .allocate(capacity: max(1, constantCount))
    constants.initialize(from: compiled.constantTable, count: constantCount)
    let loads = compiled.code.prefix { $0.op == .variable }
    loadCount = loads.count
    leafCount = loads.count + compiled.code.dropFirst(loads.count).prefix { $0.op == .constant }.count
    loadsAreGradient =
      loads.enumerated().allSatisfy { $0.element.a == $0.offset }
      && compiled.code.dropFirst(loads.count).allSatisfy { $0.op != .variable && !$0.op.readsVectors }
  }

  deinit {
    code.deinitialize(count: instructionCount)
    code.deallocate()
    indices.deallocate()
    constants.deallocate()
  }

  /// Number of inputs, `signature.scalars.count`; `evaluate` reads them in that order.
  public let variableCount: Int

  /// Doubles of scratch space one evaluation needs (values and adjoints of the tape).
  public var workspaceSize: Int { 2 * instructionCount }

  public var description: String { source }

  /// Evaluates f(x) and, when `gradient` is non-nil, writes ∇f(x) into its
  /// `variableCount` entries (every entry is overwritten; unused variables get 0).
  ///
  /// `x` must hold `variableCount` values and `workspace` `workspaceSize` doubles. Does
  /// not allocate; safe to call concurrently as long as each caller passes its own
  /// workspace and gradient buffer.
  public func evaluate(
    _ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?,
    workspace: UnsafeMutablePointer<Double>
  ) -> Double {
    let code = self.code
    let count = instructionCount
    let v = workspace
    let loads = loadCount

    // Forward pass: register i holds the value of instruction i, the variables at the
    // front of the tape simply copied.
    if loadsAreGradient {
      Self.copy(v, x, loads)
    } else {
      for i in 0..<loads { v[i] = x[Int(code[i].a)] }
    }
    var i = loads
    while i < count {
      let ins = code[i]
      let a = Int(ins.a)
      let b = Int(ins.b)
      defer { i &+= 1 }
      switch ins.op {
      case .constant: v[i] = ins.c
      case .variable: v[i] = x[a]
      case .add: v[i] = v[a] + v[b]
      case .sub: v[i] = v[a] - v[b]
      case .mul: v[i] = v[a] * v[b]
      case .div: v[i] = v[a] / v[b]
      case .addC: v[i] = v[a] + ins.c
      case .mulC: v[i] = v[a] * ins.c
      case .divC: v[i] = v[a] / ins.c
      case .subFromC: v[i] = ins.c - v[a]
      case .divideC: v[i] = ins.c / v[a]
      case .neg: v[i] = -v[a]
      case .square: v[i] = v[a] * v[a]
      case .affine: v[i] = v[a] * ins.c + ins.d
      case .affineSquare:
        let t = v[a] + ins.c
        v[i] = t * t * ins.d
      case .affineSquareOfSquare:
        let t = v[a] * v[a] + ins.c
        v[i] = t * t * ins.d
      case .addAffineSquare:
        let t = v[a] + ins.c
        v[i] = v[b] + t * t * ins.d
      case .mulCAdd: v[i] = v[a] * ins.c + v[b]
      case .mulCSub: v[i] = v[a] * ins.c - v[b]
      case .powInt: v[i] = ExpressionMath.powInt(v[a], ins.c)
      case .powC: v[i] = Foundation.pow(v[a], ins.c)
      case .cPow: v[i] = Foundation.pow(ins.c, v[a])
      case .pow: v[i] = Foundation.pow(v[a], v[b])
      case .exp: v[i] = Foundation.exp(v[a])
      case .log: v[i] = Foundation.log(v[a])
      case .sqrt: v[i] = v[a].squareRoot()
      case .sin: v[i] = Foundation.sin(v[a])
      case .cos: v[i] = Foundation.cos(v[a])
      case .tanh: v[i] = Foundation.tanh(v[a])
      case .sigmoid: v[i] = ExpressionMath.sigmoid(v[a])
      case .softplus: v[i] = ExpressionMath.softplus(v[a])
      case .relu: v[i] = ExpressionMath.relu(v[a])
      case .abs: v[i] = Swift.abs(v[a])
      case .min: v[i] = ExpressionMath.min(v[a], v[b])
      case .max: v[i] = ExpressionMath.max(v[a], v[b])
      case .dotRange:
        var s = 0.0
        for k in 0..<Int(ins.n) { s += x[a + k] * x[b + k] }
        v[i] = ins.c * s
      case .dotCRange:
        var s = 0.0
        for k in 0..<Int(ins.n) { s += x[a + k] * constants[b + k] }
        v[i] = ins.c * s
      case .sumSquaresRange:
        var s = 0.0
        for k in 0..<Int(ins.n) { s += x[a + k] * x[a + k] }
        v[i] = ins.c * s
      case .normRange:
        var s = 0.0
        for k in 0..<Int(ins.n) { s += x[a + k] * x[a + k] }
        v[i] = ins.c * s.squareRoot()
      case .dot, .dotC, .sumSquares, .norm:
        v[i] = vectorValue(code + i, x)
      }
    }
    let result = v[count - 1]
    guard let grad = gradient else { return result }

    // Reverse pass: adjoint of register i is adj[i] = ∂f/∂vᵢ.
    if !loadsAreGradient { Self.zero(grad, variableCount) }
    let adj = workspace + count
    Self.zero(adj, count - 1)
    adj[count - 1] = 1
    i = count - 1
    let leaves = leafCount
    while i >= leaves {
      let g = adj[i]
      if g != 0 {
        let ins = code[i]
        let a = Int(ins.a)
        let b = Int(ins.b)
        switch ins.op {
        case .constant: break
        case .variable: grad[a] += g
        case .add:
          adj[a] += g
          adj[b] += g
        case .sub:
          adj[a] += g
          adj[b] -= g
        case .mul:
          adj[a] += g * v[b]
          adj[b] += g * v[a]
        case .div:
          adj[a] += g / v[b]
          adj[b] -= g * v[i] / v[b]
        case .addC: adj[a] += g
        case .mulC: adj[a] += g * ins.c
        case .divC: adj[a] += g / ins.c
        case .subFromC: adj[a] -= g
        case .divideC: adj[a] -= g * v[i] / v[a]
        case .neg: adj[a] -= g
        case .square: adj[a] += 2 * g * v[a]
        case .affine: adj[a] += g * ins.c
        case .affineSquare:
          let h = g * ins.d
          if h != 0 { adj[a] += 2 * h * (v[a] + ins.c) }
        case .affineSquareOfSquare:
          let t = v[a]
          let h = g * ins.d
          if h != 0 {
            let k = 2 * h * (t * t + ins.c)
            if k != 0 { adj[a] += 2 * k * t }
          }
        case .addAffineSquare:
          adj[b] += g
          let h = g * ins.d
          if h != 0 { adj[a] += 2 * h * (v[a] + ins.c) }
        case .mulCAdd:
          adj[b] += g
          adj[a] += g * ins.c
        case .mulCSub:
          adj[b] -= g
          adj[a] += g * ins.c
        case .powInt: adj[a] += g * ExpressionMath.powIntDerivative(v[a], ins.c)
        case .powC:
          let t = v[a]
          adj[a] += g * (t != 0 ? ins.c * v[i] / t : ins.c * Foundation.pow(t, ins.c - 1))
        case .cPow:
          let p = v[i]
          if p != 0 { adj[a] += g * p * Foundation.log(ins.c) }
        case .pow:
          let t = v[a]
          let e = v[b]
          let p = v[i]
          if e != 0 { adj[a] += g * (t != 0 ? e * p / t : e * Foundation.pow(t, e - 1)) }
          if p != 0 { adj[b] += g * p * Foundation.log(t) }
        case .exp: adj[a] += g * v[i]
        case .log: adj[a] += g / v[a]
        case .sqrt: adj[a] += 0.5 * g / v[i]
        case .sin: adj[a] += g * Foundation.cos(v[a])
        case .cos: adj[a] -= g * Foundation.sin(v[a])
        case .tanh:
          let t = v[i]
          adj[a] += g * (1 - t * t)
        case .sigmoid:
          let s = v[i]
          adj[a] += g * (s * (1 - s))
        case .softplus: adj[a] += g * ExpressionMath.sigmoid(v[a])
        case .relu: if v[a] > 0 { adj[a] += g }
        case .abs:
          let t = v[a]
          if t > 0 { adj[a] += g } else if t < 0 { adj[a] -= g }
        case .min: if v[b] < v[a] { adj[b] += g } else { adj[a] += g }
        case .max: if v[b] > v[a] { adj[b] += g } else { adj[a] += g }
        case .dotRange:
          let s = g * ins.c
          for k in 0..<Int(ins.n) {
            grad[a + k] += s * x[b + k]
            grad[b + k] += s * x[a + k]
          }
        case .dotCRange:
          let s = g * ins.c
          for k in 0..<Int(ins.n) { grad[a + k] += s * constants[b + k] }
        case .sumSquaresRange:
          let s = 2 * g * ins.c
          for k in 0..<Int(ins.n) { grad[a + k] += s * x[a + k] }
        case .normRange:
          var r = v[i]
          if ins.c != 1 {
            var s = 0.0
            for k in 0..<Int(ins.n) { s += x[a + k] * x[a + k] }
            r = s.squareRoot()
          }
          if r != 0 {
            let s = g * ins.c / r
            for k in 0..<Int(ins.n) { grad[a + k] += s * x[a + k] }
          }
        case .dot, .dotC, .sumSquares, .norm:
          vectorGradient(code + i, g, v[i], x, grad)
        }
      }
      i &-= 1
    }
    // The loaded variables: grad[a] += 0 changes nothing, so there is no need to skip;
    // and 0 + adj[i] = adj[i], as an adjoint is never −0.
    if loadsAreGradient {
      Self.copy(grad, adj, loads)
      if loads < variableCount { Self.zero(grad + loads, variableCount - loads) }
    } else {
      for i in 0..<loads { grad[Int(code[i].a)] += adj[i] }
    }
    return result
  }

  /// The value of a vector instruction with an index table (components that are not
  /// consecutive variables). Out of line, so that its loops do not crowd the registers of
  /// the evaluation loop; the common range instructions stay inline.
  @inline(never)
  private func vectorValue(_ ins: UnsafePointer<ExpressionInstruction>, _ x: UnsafePointer<Double>) -> Double {
    let ins = ins.pointee
    let idx = indices
    let consts = constants
    let a = Int(ins.a)
    let b = Int(ins.b)
    let n = Int(ins.n)
    var s = 0.0
    switch ins.op {
    case .dot:
      for k in 0..<n { s += x[Int(idx[a + k])] * x[Int(idx[b + k])] }
    case .dotC:
      for k in 0..<n { s += x[Int(idx[a + k])] * consts[b + k] }
    case .sumSquares, .norm:
      for k in 0..<n {
        let t = x[Int(idx[a + k])]
        s += t * t
      }
    default: preconditionFailure("not a vector instruction with an index table")
    }
    return ins.op == .norm ? ins.c * s.squareRoot() : ins.c * s
  }

  /// Adds the adjoint `g` of a vector instruction with an index table, whose value was
  /// `value`, times its derivative to the gradient.
  @inline(never)
  private func vectorGradient(
    _ ins: UnsafePointer<ExpressionInstruction>, _ g: Double, _ value: Double, _ x: UnsafePointer<Double>,
    _ grad: UnsafeMutablePointer<Double>
  ) {
    let ins = ins.pointee
    let idx = indices
    let consts = constants
    let a = Int(ins.a)
    let b = Int(ins.b)
    let n = Int(ins.n)
    switch ins.op {
    case .dot:
      let s = g * ins.c
      for k in 0..<n {
        let p = Int(idx[a + k])
        let q = Int(idx[b + k])
        grad[p] += s * x[q]
        grad[q] += s * x[p]
      }
    case .dotC:
      let s = g * ins.c
      for k in 0..<n { grad[Int(idx[a + k])] += s * consts[b + k] }
    case .sumSquares:
      let s = 2 * g * ins.c
      for k in 0..<n {
        let p = Int(idx[a + k])
        grad[p] += s * x[p]
      }
    case .norm:
      var r = value
      if ins.c != 1 {
        var s = 0.0
        for k in 0..<n {
          let t = x[Int(idx[a + k])]
          s += t * t
        }
        r = s.squareRoot()
      }
      if r != 0 {
        let s = g * ins.c / r
        for k in 0..<n {
          let p = Int(idx[a + k])
          grad[p] += s * x[p]
        }
      }
    default: preconditionFailure("not a vector instruction with an index table")
    }
  }

  /// Sets `p[0..<n]` to zero. Short lengths, the common case, get straight-line stores:
  /// the optimizer turns a loop into a call to `memset`, which costs more than the work.
  @inline(__always)
  private static func zero(_ p: UnsafeMutablePointer<Double>, _ n: Int) {
    switch n {
    case 0: break
    case 1: p[0] = 0
    case 2: (p[0], p[1]) = (0, 0)
    case 3: (p[0], p[1], p[2]) = (0, 0, 0)
    case 4: (p[0], p[1], p[2], p[3]) = (0, 0, 0, 0)
    case 5: (p[0], p[1], p[2], p[3], p[4]) = (0, 0, 0, 0, 0)
    case 6: (p[0], p[1], p[2], p[3], p[4], p[5]) = (0, 0, 0, 0, 0, 0)
    case 7: (p[0], p[1], p[2], p[3], p[4], p[5], p[6]) = (0, 0, 0, 0, 0, 0, 0)
    case 8: (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]) = (0, 0, 0, 0, 0, 0, 0, 0)
    default: p.update(repeating: 0, count: n)
    }
  }

  /// Copies `source[0..<n]` to `p`, with straight-line code for short lengths (as `zero`).
  @inline(__always)
  private static func copy(_ p: UnsafeMutablePointer<Double>, _ source: UnsafePointer<Double>, _ n: Int) {
    switch n {
    case 0: break
    case 1: p[0] = source[0]
    case 2: (p[0], p[1]) = (source[0], source[1])
    case 3: (p[0], p[1], p[2]) = (source[0], source[1], source[2])
    case 4: (p[0], p[1], p[2], p[3]) = (source[0], source[1], source[2], source[3])
    default: for k in 0..<n { p[k] = source[k] }
    }
  }

  /// f(x). Allocates; for hot loops use `evaluate`.
  public func value(at x: [Double]) -> Double {
    withScratch(x) { x, _, workspace in evaluate(x, gradient: nil, workspace: workspace) }
  }

  /// ∇f(x). Allocates; for hot loops use `evaluate`.
  public func gradient(at x: [Double]) -> [Double] {
    valueAndGradient(at: x).gradient
  }

  /// f(x) and ∇f(x). Allocates; for hot loops use `evaluate`.
  public func valueAndGradient(at x: [Double]) -> (value: Double, gradient: [Double]) {
    withScratch(x) { x, gradient, workspace in
      let value = evaluate(x, gradient: gradient, workspace: workspace)
      return (value, Array(UnsafeBufferPointer(start: gradient, count: variableCount)))
    }
  }

  /// Runs `body` with copies of `x`, a gradient buffer and a workspace in one allocation.
  private func withScratch<R>(
    _ x: [Double],
    _ body: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> R
  ) -> R {
    precondition(x.count == variableCount, "expected \(variableCount) values, got \(x.count)")
    let n = variableCount
    let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n + workspaceSize)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: 0, count: 2 * n + workspaceSize)
    for i in 0..<n { buffer[i] = x[i] }
    return body(buffer, buffer + n, buffer + 2 * n)
  }
}
