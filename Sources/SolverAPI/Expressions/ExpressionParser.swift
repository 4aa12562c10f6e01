import Suggestions

/// Parses an expression and compiles it as it goes: names are resolved against the
/// signature, vectors are checked to appear only where vectors belong, and every
/// recognized operation is handed to an `ExpressionCompiler`.
///
/// Grammar (loosest binding first):
///
///     expression = sum
///     sum        = product {("+" | "-") product}         left-associative
///     product    = unary {("*" | "/") unary}             left-associative
///     unary      = ("-" | "+") unary | power
///     power      = primary ["^" unary]                   right-associative: a^b^c = a^(b^c)
///     primary    = number | name | call | "(" sum ")" | "|" sum "|"
///     call       = function "(" [sum {"," sum}] ")"
///
/// So `^` binds tighter than unary minus (`-x^2 = -(x^2)`, `2^-1 = 0.5`), and
/// `-x*y = (-x)*y`. `|u|` is the Euclidean norm when `u` is a vector and the absolute
/// value otherwise; a `|` where an operand is expected opens a bar, anywhere else it
/// closes one.
///
/// The parser is an operator-precedence (shunting-yard) parser with explicit stacks, so
/// no input can exhaust the call stack. Nesting — parentheses, bars, calls, unary signs
/// and exponents still waiting for their operand — is nevertheless limited to
/// `maximumDepth` levels, reported as an error.
struct ExpressionParser {
  static let maximumDepth = 200

  /// An operand on the operand stack.
  private enum Operand {
    case scalar(ExpressionCompiler.Value)
    /// `|u|` or `norm(u)`, emitted when used, so that `|u|^2` can become `u · u`.
    case norm(ExpressionVector)
    /// A vector: only `dot`, `norm` and `|…|` may consume it.
    case vector(name: String, column: Int, ExpressionVector)
  }

  /// An operator waiting for its right operand, or the start of a bracket.
  private enum Pending {
    case binary(ExpressionTokenKind)
    case unary(negate: Bool)
    case bracket
  }

  /// An open parenthesis, bar or call.
  private struct Bracket {
    enum Kind {
      case parenthesis
      case bar
      case call(ExpressionFunction, name: String, column: Int)
    }
    var kind: Kind
    /// Column of the `(` or `|`.
    var column: Int
    /// Height of the operand stack when the bracket opened.
    var operandBase: Int
    /// Column where each argument of a call starts.
    var argumentColumns: [Int] = []
  }

  private var lexer: ExpressionLexer
  private var token: ExpressionToken
  private let signature: ExpressionSignature
  private let scalarIndex: [String: Int]
  private var operands: [Operand] = []
  private var pending: [Pending] = []
  private var brackets: [Bracket] = []
  private var depth = 0
  private(set) var compiler = ExpressionCompiler()
  /// Variable indices the source mentions, directly or through a vector.
  private(set) var usedVariables: Set<Int> = []

  /// Parses and compiles `source`; the tape is in `compiler.code` afterwards. Without
  /// `rearranging`, the tape is not reordered and no instructions are fused (for tests).
  init(_ source: String, signature: ExpressionSignature, rearranging: Bool = true) throws(ExpressionError) {
    compiler.rearranging = rearranging
    lexer = ExpressionLexer(source)
    self.signature = signature
    var index: [String: Int] = [:]
    for (i, name) in signature.scalars.enumerated() where index[name] == nil { index[name] = i }
    scalarIndex = index
    token = ExpressionToken(.end, column: 1, text: "")
    try parse()
  }

  // MARK: The parsing loop

  private mutating func parse() throws(ExpressionError) {
    try advance()
    if token.kind == .end { throw ExpressionError(column: 1, message: "empty expression") }
    var expectingOperand = true
    while true {
      let column = token.column
      if expectingOperand {
        switch token.kind {
        case .number(let value):
          operands.append(.scalar(.constant(value)))
          try advance()
          expectingOperand = false
        case .identifier(let name):
          try advance()
          if token.kind == .leftParen {
            try openCall(name, column: column)
          } else {
            operands.append(try resolve(name, column: column))
            expectingOperand = false
          }
        case .leftParen:
          try open(.parenthesis)
        case .bar:
          try open(.bar)
        case .minus, .plus:
          try enter(at: column)
          pending.append(.unary(negate: token.kind == .minus))
          try advance()
        case .rightParen where isEmptyCall:
          try closeCall()
          try advance()
          expectingOperand = false
        default:
          throw error("expected an operand at column \(column), found \(token.quoted)", at: column)
        }
        continue
      }
      switch token.kind {
      case .plus, .minus, .star, .slash, .caret:
        // Reduce what binds at least as tightly on the left (`^` is right-associative).
        let precedence = Self.precedence(token.kind)
        reducing: while let top = pending.last {
          switch top {
          case .binary(let kind):
            let other = Self.precedence(kind)
            guard other > precedence || (other == precedence && precedence != 4) else { break reducing }
          case .unary:
            guard precedence < 3 else { break reducing }
          case .bracket:
            break reducing
          }
          try reduce()
        }
        if case .vector(let name, let column, _)? = operands.last { throw vectorMisuse(name, column) }
        if token.kind == .caret { try enter(at: column) }
        pending.append(.binary(token.kind))
        try advance()
        expectingOperand = true
      case .rightParen:
        try reduceToBracket()
        guard let bracket = brackets.last else {
          throw error("unexpected ')' at column \(column)", at: column)
        }
        switch bracket.kind {
        case .bar: throw unclosed(bracket)
        case .parenthesis: closeBracket()
        case .call: try closeCall()
        }
        try advance()
      case .comma:
        try reduceToBracket()
        guard let bracket = brackets.last else {
          throw error("unexpected ',' at column \(column)", at: column)
        }
        guard case .call = bracket.kind else { throw unclosed(bracket) }
        try advance()
        brackets[brackets.count - 1].argumentColumns.append(token.column)
        expectingOperand = true
      case .bar:
        try reduceToBracket()
        guard let bracket = brackets.last else {
          throw error("expected an operator at column \(column), found '|'", at: column)
        }
        guard case .bar = bracket.kind else { throw unclosed(bracket) }
        closeBracket()
        let inner = operands.removeLast()
        if case .vector(_, _, let vector) = inner {
          operands.append(.norm(vector))
        } else {
          let value = try scalar(inner)
          operands.append(.scalar(compiler.call(.abs, value, value)))
        }
        try advance()
      case .end:
        try reduceToBracket()
        if let bracket = brackets.last { throw unclosed(bracket) }
        let root = try scalar(operands.removeLast())
        _ = compiler.finish(root)
        return
      default:
        if let bracket = brackets.last { throw unclosed(bracket) }
        throw error("expected an operator at column \(column), found \(token.quoted)", at: column)
      }
    }
  }

  /// Binding strength of a binary operator; unary signs bind at 3.
  private static func precedence(_ kind: ExpressionTokenKind) -> Int {
    switch kind {
    case .plus, .minus: 1
    case .star, .slash: 2
    default: 4
    }
  }

  // MARK: Reductions

  /// Applies the operator on top of the pending stack to its operands.
  private mutating func reduce() throws(ExpressionError) {
    switch pending.removeLast() {
    case .unary(let negate):
      depth -= 1
      let operand = try scalar(operands.removeLast())
      operands.append(.scalar(negate ? compiler.negate(operand) : operand))
    case .binary(let kind):
      let right = try scalar(operands.removeLast())
      let leftOperand = operands.removeLast()
      if kind == .caret {
        depth -= 1
        // |u|^(2k) = (u · u)^k: no square root, and an exact zero gradient at u = 0.
        if case .norm(let vector) = leftOperand, case .constant(let n) = right, ExpressionCompiler.isInteger(n),
          n.truncatingRemainder(dividingBy: 2) == 0
        {
          operands.append(.scalar(compiler.normPower(vector, halfExponent: n / 2)))
          return
        }
      }
      let left = try scalar(leftOperand)
      let result: ExpressionCompiler.Value =
        switch kind {
        case .plus: compiler.add(left, right, subtract: false)
        case .minus: compiler.add(left, right, subtract: true)
        case .star: compiler.multiply(left, right, divide: false)
        case .slash: compiler.multiply(left, right, divide: true)
        default: compiler.power(left, right)
        }
      operands.append(.scalar(result))
    case .bracket:
      preconditionFailure("brackets are closed by closeBracket()")
    }
  }

  private mutating func reduceToBracket() throws(ExpressionError) {
    while let last = pending.last {
      if case .bracket = last { return }
      try reduce()
    }
  }

  // MARK: Brackets and calls

  private mutating func open(_ kind: Bracket.Kind) throws(ExpressionError) {
    try enter(at: token.column)
    brackets.append(Bracket(kind: kind, column: token.column, operandBase: operands.count))
    pending.append(.bracket)
    try advance()
  }

  /// `name(` has been read; `token` is the parenthesis.
  private mutating func openCall(_ name: String, column: Int) throws(ExpressionError) {
    guard let function = ExpressionFunction(rawValue: name) else {
      if isDeclared(name) { throw error("'\(name)' is not a function at column \(column)", at: column) }
      let suggestion = Suggestion.didYouMean(name, in: ExpressionFunction.allCases.map(\.rawValue))
      throw error("unknown function '\(name)' at column \(column)\(suggestion)", at: column)
    }
    try open(.call(function, name: name, column: column))
    brackets[brackets.count - 1].argumentColumns.append(token.column)
  }

  /// True right after the `(` of a call, where `)` closes a call without arguments.
  private var isEmptyCall: Bool {
    guard let bracket = brackets.last, case .call = bracket.kind, case .bracket? = pending.last else {
      return false
    }
    return operands.count == bracket.operandBase
  }

  private mutating func closeBracket() {
    pending.removeLast()
    brackets.removeLast()
    depth -= 1
  }

  /// Checks the arguments of the innermost call and replaces them by its value.
  private mutating func closeCall() throws(ExpressionError) {
    let bracket = brackets[brackets.count - 1]
    guard case .call(let function, let name, let column) = bracket.kind else { return }
    closeBracket()
    let count = operands.count - bracket.operandBase
    guard count == function.arity else {
      let noun = function.arity == 1 ? "argument" : "arguments"
      throw error("'\(name)' takes \(function.arity) \(noun), got \(count) at column \(column)", at: column)
    }
    let arguments = Array(operands[bracket.operandBase...])
    operands.removeLast(count)
    if function.takesVectors {
      var vectors: [(name: String, vector: ExpressionVector)] = []
      for (i, argument) in arguments.enumerated() {
        guard case .vector(let vectorName, _, let vector) = argument else {
          let which = function.arity == 1 ? "its argument" : "argument \(i + 1)"
          let at = bracket.argumentColumns[i]
          throw error("'\(name)' needs a vector as \(which), got a scalar at column \(at)", at: at)
        }
        vectors.append((vectorName, vector))
      }
      if function == .norm {
        operands.append(.norm(vectors[0].vector))
        return
      }
      let (u, v) = (vectors[0], vectors[1])
      guard u.vector.count == v.vector.count else {
        throw error(
          "'dot' needs vectors of the same dimension, but \(u.name) has \(u.vector.count) components "
            + "and \(v.name) has \(v.vector.count) at column \(column)", at: column)
      }
      operands.append(.scalar(compiler.dot(u.vector, v.vector)))
      return
    }
    let a = try scalar(arguments[0])
    let b = arguments.count > 1 ? try scalar(arguments[1]) : a
    operands.append(.scalar(compiler.call(function, a, b)))
  }

  /// The error for a bracket still open where the source says something else.
  private func unclosed(_ bracket: Bracket) -> ExpressionError {
    let (closer, opener) =
      switch bracket.kind {
      case .bar: ("'|'", "'|'")
      default: ("')'", "'('")
      }
    return error(
      "expected \(closer) at column \(token.column) to close \(opener) at column \(bracket.column)",
      at: token.column)
  }

  // MARK: Names

  private func isDeclared(_ name: String) -> Bool {
    scalarIndex[name] != nil || signature.vectors[name] != nil || signature.constants[name] != nil
      || signature.constantVectors[name] != nil || ExpressionBuiltinConstant.values[name] != nil
  }

  private mutating func resolve(_ name: String, column: Int) throws(ExpressionError) -> Operand {
    if let index = scalarIndex[name] {
      usedVariables.insert(index)
      return .scalar(compiler.variable(index))
    }
    if let components = signature.vectors[name] {
      var indices: [Int] = []
      indices.reserveCapacity(components.count)
      for component in components {
        guard let index = scalarIndex[component] else {
          throw error(
            "vector \(name) has component '\(component)', which is not a scalar variable, at column \(column)",
            at: column)
        }
        indices.append(index)
      }
      usedVariables.formUnion(indices)
      return .vector(name: name, column: column, .variables(indices))
    }
    if let value = signature.constants[name] { return .scalar(.constant(value)) }
    if let values = signature.constantVectors[name] {
      return .vector(name: name, column: column, .constants(values))
    }
    if let value = ExpressionBuiltinConstant.values[name] { return .scalar(.constant(value)) }
    if ExpressionFunction(rawValue: name) != nil {
      throw error("'\(name)' is a function; call it as \(name)(…) at column \(column)", at: column)
    }
    if let suggestion = likelyTypo(name) {
      throw error("unknown name '\(name)' at column \(column) (did you mean '\(suggestion)'?)", at: column)
    }
    throw error("unknown name '\(name)' at column \(column) (\(knownNames()))", at: column)
  }

  /// A declared name `name` is probably a misspelling of: one differing only in case, or,
  /// for names of four characters or more, one a small edit away. (Short names like `x3`
  /// next to `x1`, `x2` are more likely a wrong dimension than a typo: those get the list
  /// of names instead.)
  private func likelyTypo(_ name: String) -> String? {
    var candidates = signature.scalars + signature.vectors.keys.sorted() + signature.constants.keys.sorted()
    candidates += signature.constantVectors.keys.sorted() + ExpressionBuiltinConstant.values.keys.sorted()
    if let match = candidates.first(where: { $0.lowercased() == name.lowercased() }) { return match }
    guard name.count >= 4 else { return nil }
    return Suggestion.closest(to: name, in: candidates)
  }

  /// "variables here: x1, x2; vectors: x; constants: s", long lists elided in the middle.
  private func knownNames() -> String {
    func list(_ names: [String]) -> String {
      guard names.count > 8 else { return names.joined(separator: ", ") }
      return (names.prefix(6) + ["…", names[names.count - 1]]).joined(separator: ", ")
    }
    var parts: [String] = []
    if !signature.scalars.isEmpty { parts.append("variables here: " + list(signature.scalars)) }
    if !signature.vectors.isEmpty { parts.append("vectors: " + list(signature.vectors.keys.sorted())) }
    if !signature.constants.isEmpty { parts.append("constants: " + list(signature.constants.keys.sorted())) }
    if !signature.constantVectors.isEmpty {
      parts.append("constant vectors: " + list(signature.constantVectors.keys.sorted()))
    }
    return parts.isEmpty ? "no variables or constants are defined here" : parts.joined(separator: "; ")
  }

  // MARK: Helpers

  /// The operand as a scalar value; a vector here is an error.
  private mutating func scalar(_ operand: Operand) throws(ExpressionError) -> ExpressionCompiler.Value {
    switch operand {
    case .scalar(let value): return value
    case .norm(let vector): return compiler.norm(vector)
    case .vector(let name, let column, _): throw vectorMisuse(name, column)
    }
  }

  private func vectorMisuse(_ name: String, _ column: Int) -> ExpressionError {
    error("\(name) is a vector; use |\(name)| or dot(\(name), v) at column \(column)", at: column)
  }

  private mutating func advance() throws(ExpressionError) {
    token = try lexer.next()
  }

  private mutating func enter(at column: Int) throws(ExpressionError) {
    depth += 1
    if depth > Self.maximumDepth {
      throw error(
        "expression nested too deeply (more than \(Self.maximumDepth) levels) at column \(column)", at: column)
    }
  }

  private func error(_ message: String, at column: Int) -> ExpressionError {
    ExpressionError(column: column, message: message)
  }
}
