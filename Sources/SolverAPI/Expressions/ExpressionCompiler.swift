/// Builds the instruction tape of an expression, one reduction at a time, as the parser
/// recognizes the operations (operands before the operations that use them), then
/// optimizes it.
///
/// - Constant operands are folded with the same scalar code the tape runs
///   (`ExpressionMath`), so folding never changes a result. Sums and products are
///   evaluated left to right; only a constant running prefix is folded (`2*3*x` → `6*x`,
///   but `x*2*3` stays `(x*2)*3`), so no rounding is introduced by reassociation.
/// - Powers with integer-valued constant exponents become exact products
///   (`x^2` → `x*x`), `x^0.5` becomes `sqrt(x)`, and the parser turns `|u|^(2k)` into
///   `dot(u, u)^k` (no square root, exact gradient at u = 0).
/// - Identical instructions are shared (common subexpressions), a constant factor or
///   sign in front of a dot product or norm is fused into it, and instructions that do
///   not contribute to the result are removed.
/// - The variables move to the front of the tape, then the constants, where the evaluator
///   loads them without dispatching on each instruction and the reverse pass skips them;
///   and a single-use instruction merges with its user into one instruction where that
///   replays both exactly: u·c + d, (u + c)²·d, (u² + c)²·d, v ± (u + c)²·d, v ± u·c,
///   signs folded into constant factors (`ExpressionOp.affine` and the cases after it).
///   Fewer instructions, every value and gradient unchanged to the bit.
struct ExpressionCompiler {
  /// A compile-time value: a known constant, or the register an instruction writes.
  enum Value {
    case constant(Double)
    case register(Int32)
  }

  private(set) var code: [ExpressionInstruction] = []
  /// Variable indices of vector operands, referenced by offset.
  private(set) var indexTable: [Int32] = []
  /// Components of constant vector operands, referenced by offset.
  private(set) var constantTable: [Double] = []

  /// Whether `finish` moves leaves to the front and fuses instructions; both leave every
  /// value and adjoint bit for bit the same (up to the sign of a NaN).
  var rearranging = true

  private var shared: [ExpressionInstruction: Int32] = [:]
  private var indexOffsets: [[Int32]: Int32] = [:]
  private var constantOffsets: [[UInt64]: Int32] = [:]

  // MARK: Reductions

  mutating func variable(_ index: Int) -> Value {
    .register(push(ExpressionInstruction(.variable, a: Int32(index))))
  }

  mutating func negate(_ a: Value) -> Value { unary(.neg, a) }

  /// a + b, or a - b.
  mutating func add(_ a: Value, _ b: Value, subtract: Bool) -> Value {
    switch (a, b) {
    case (.constant(let x), .constant(let y)):
      return .constant(subtract ? x - y : x + y)
    case (.register(let r), .constant(let y)):
      // x - y is exactly x + (-y) in IEEE arithmetic.
      return .register(push(ExpressionInstruction(.addC, a: r, c: subtract ? -y : y)))
    case (.constant(let x), .register(let r)):
      return .register(push(ExpressionInstruction(subtract ? .subFromC : .addC, a: r, c: x)))
    case (.register(let r), .register(let s)):
      return .register(push(ExpressionInstruction(subtract ? .sub : .add, a: r, b: s)))
    }
  }

  /// a * b, or a / b.
  mutating func multiply(_ a: Value, _ b: Value, divide: Bool) -> Value {
    switch (a, b) {
    case (.constant(let x), .constant(let y)):
      return .constant(divide ? x / y : x * y)
    case (.register(let r), .constant(let y)):
      return .register(push(ExpressionInstruction(divide ? .divC : .mulC, a: r, c: y)))
    case (.constant(let x), .register(let r)):
      return .register(push(ExpressionInstruction(divide ? .divideC : .mulC, a: r, c: x)))
    case (.register(let r), .register(let s)):
      return .register(push(ExpressionInstruction(divide ? .div : .mul, a: r, b: s)))
    }
  }

  /// base ^ exponent.
  mutating func power(_ base: Value, _ exponent: Value) -> Value {
    switch (base, exponent) {
    case (_, .constant(let n)) where Self.isInteger(n):
      switch n {
      case 0: return .constant(1)  // pow(x, 0) = 1 for every x, NaN included
      case 1: return base
      case 2: return unary(.square, base)
      default: return unary(.powInt, base, c: n)
      }
    case (_, .constant(0.5)):
      return unary(.sqrt, base)
    case (_, .constant(let p)):
      return unary(.powC, base, c: p)
    case (.constant(let b), .register):
      return unary(.cPow, exponent, c: b)
    case (.register, .register):
      return binary(.pow, base, exponent)
    }
  }

  /// A scalar function of one or two scalar arguments (not `dot` or `norm`).
  mutating func call(_ function: ExpressionFunction, _ a: Value, _ b: Value) -> Value {
    switch function {
    case .min: binary(.min, a, b)
    case .max: binary(.max, a, b)
    case .exp: unary(.exp, a)
    case .log: unary(.log, a)
    case .sqrt: unary(.sqrt, a)
    case .sin: unary(.sin, a)
    case .cos: unary(.cos, a)
    case .tanh: unary(.tanh, a)
    case .sigmoid: unary(.sigmoid, a)
    case .softplus: unary(.softplus, a)
    case .relu: unary(.relu, a)
    case .abs: unary(.abs, a)
    case .dot, .norm: preconditionFailure("vector functions go through dot(_:_:) and norm(_:)")
    }
  }

  /// u · v for vectors of equal dimension.
  mutating func dot(_ u: ExpressionVector, _ v: ExpressionVector) -> Value {
    switch (u, v) {
    case (.constants(let p), .constants(let q)):
      var s = 0.0
      for k in p.indices { s += p[k] * q[k] }
      return .constant(s)
    case (.variables(let p), .constants(let q)), (.constants(let q), .variables(let p)):
      if p.isEmpty { return .constant(0) }
      return .register(push(vectorInstruction(.dotC, p, constants: q)))
    case (.variables(let p), .variables(let q)):
      if p.isEmpty { return .constant(0) }
      if p == q { return .register(push(vectorInstruction(.sumSquares, p))) }
      if let start = Self.rangeStart(p), let other = Self.rangeStart(q) {
        return .register(push(ExpressionInstruction(.dotRange, a: start, b: other, n: Int32(p.count), c: 1)))
      }
      return .register(
        push(ExpressionInstruction(.dot, a: indexOffset(p), b: indexOffset(q), n: Int32(p.count), c: 1)))
    }
  }

  /// |u|, the Euclidean norm.
  mutating func norm(_ u: ExpressionVector) -> Value {
    switch u {
    case .constants(let c):
      var s = 0.0
      for x in c { s += x * x }
      return .constant(s.squareRoot())
    case .variables(let components):
      if components.isEmpty { return .constant(0) }
      return .register(push(vectorInstruction(.norm, components)))
    }
  }

  /// |u|^(2k) = (u · u)^k, for `k = halfExponent`, without the square root.
  mutating func normPower(_ u: ExpressionVector, halfExponent k: Double) -> Value {
    power(dot(u, u), .constant(k))
  }

  // MARK: Finishing

  /// Optimizes the tape so that its last instruction computes `root`, and returns it.
  mutating func finish(_ root: Value) -> [ExpressionInstruction] {
    let result = materialize(root)
    optimize(root: Int(result))
    return code
  }

  // MARK: Emission

  /// A `.sumSquares`, `.norm` or `.dotC` instruction on the variables `components`,
  /// using the index-free variant when they are consecutive.
  private mutating func vectorInstruction(
    _ op: ExpressionOp, _ components: [Int], constants: [Double] = []
  ) -> ExpressionInstruction {
    let b = op == .dotC ? constantOffset(constants) : 0
    let n = Int32(components.count)
    if let start = Self.rangeStart(components) {
      let range: ExpressionOp =
        switch op {
        case .sumSquares: .sumSquaresRange
        case .norm: .normRange
        default: .dotCRange
        }
      return ExpressionInstruction(range, a: start, b: b, n: n, c: 1)
    }
    return ExpressionInstruction(op, a: indexOffset(components), b: b, n: n, c: 1)
  }

  /// The first index when `indices` are consecutive (i, i+1, …), else nil.
  private static func rangeStart(_ indices: [Int]) -> Int32? {
    guard let first = indices.first else { return nil }
    for (k, index) in indices.enumerated() where index != first + k { return nil }
    return Int32(first)
  }

  private mutating func unary(_ op: ExpressionOp, _ a: Value, c: Double = 0) -> Value {
    switch a {
    case .constant(let x): .constant(ExpressionMath.apply(op, x, c: c))
    case .register(let r): .register(push(ExpressionInstruction(op, a: r, c: c)))
    }
  }

  private mutating func binary(_ op: ExpressionOp, _ a: Value, _ b: Value) -> Value {
    if case .constant(let x) = a, case .constant(let y) = b {
      return .constant(ExpressionMath.apply(op, x, y))
    }
    return .register(push(ExpressionInstruction(op, a: materialize(a), b: materialize(b))))
  }

  private mutating func materialize(_ value: Value) -> Int32 {
    switch value {
    case .register(let r): r
    case .constant(let c): push(ExpressionInstruction(.constant, c: c))
    }
  }

  private mutating func push(_ instruction: ExpressionInstruction) -> Int32 {
    if let existing = shared[instruction] { return existing }
    let register = Int32(code.count)
    code.append(instruction)
    shared[instruction] = register
    return register
  }

  private mutating func indexOffset(_ indices: [Int]) -> Int32 {
    let key = indices.map { Int32($0) }
    if let offset = indexOffsets[key] { return offset }
    let offset = Int32(indexTable.count)
    indexTable += key
    indexOffsets[key] = offset
    return offset
  }

  private mutating func constantOffset(_ values: [Double]) -> Int32 {
    let key = values.map(\.bitPattern)
    if let offset = constantOffsets[key] { return offset }
    let offset = Int32(constantTable.count)
    constantTable += values
    constantOffsets[key] = offset
    return offset
  }

  static func isInteger(_ x: Double) -> Bool {
    x.isFinite && x == x.rounded() && Swift.abs(x) < 0x1p53
  }

  // MARK: Optimization

  /// Fuses constant scales into dot products and norms, drops dead instructions so that
  /// the result is the last instruction, then moves the leaves to the front and fuses
  /// instructions (unless not `rearranging`).
  private mutating func optimize(root: Int) {
    var uses = [Int](repeating: 0, count: code.count)
    for instruction in code {
      let operands = instruction.op.registerOperands
      if operands >= 1 { uses[Int(instruction.a)] += 1 }
      if operands >= 2 { uses[Int(instruction.b)] += 1 }
    }
    for i in code.indices where code[i].op == .mulC || code[i].op == .neg {
      let r = Int(code[i].a)
      guard code[r].op.isScalable, code[r].c == 1, uses[r] == 1, r != root else { continue }
      var fused = code[r]
      fused.c = code[i].op == .neg ? -1 : code[i].c
      code[i] = fused
      uses[r] = 0
    }
    var live = [Bool](repeating: false, count: code.count)
    live[root] = true
    for i in stride(from: root, through: 0, by: -1) where live[i] {
      let operands = code[i].op.registerOperands
      if operands >= 1 { live[Int(code[i].a)] = true }
      if operands >= 2 { live[Int(code[i].b)] = true }
    }
    reorder((0...root).filter { live[$0] })
    guard rearranging else { return }
    hoistLeaves()
    fuse()
  }

  /// Keeps the instructions at `order` (old positions, operands before their users), in
  /// that order, renumbering the registers.
  private mutating func reorder(_ order: [Int]) {
    var renumbered = [Int32](repeating: -1, count: code.count)
    var reordered: [ExpressionInstruction] = []
    reordered.reserveCapacity(order.count)
    for i in order {
      var instruction = code[i]
      let operands = instruction.op.registerOperands
      if operands >= 1 { instruction.a = renumbered[Int(instruction.a)] }
      if operands >= 2 { instruction.b = renumbered[Int(instruction.b)] }
      renumbered[i] = Int32(reordered.count)
      reordered.append(instruction)
    }
    code = reordered
  }

  /// The variables a vector instruction reads, once per term it adds to their gradients.
  private func variables(of instruction: ExpressionInstruction) -> [Int] {
    let a = Int(instruction.a)
    let b = Int(instruction.b)
    let n = Int(instruction.n)
    switch instruction.op {
    case .dot: return (0..<n).flatMap { [Int(indexTable[a + $0]), Int(indexTable[b + $0])] }
    case .dotC, .sumSquares, .norm: return (0..<n).map { Int(indexTable[a + $0]) }
    case .dotRange: return (0..<n).flatMap { [a + $0, b + $0] }
    case .dotCRange, .sumSquaresRange, .normRange: return Array(a..<(a + n))
    default: return []
    }
  }

  /// Moves `.variable` instructions to the front of the tape, then `.constant` ones: the
  /// evaluator loads the variables and adds their adjoints to the gradient without
  /// dispatching on each, and skips the constants in the reverse pass.
  ///
  /// A variable's adjoint is then added to its gradient entry after, instead of between,
  /// the terms that vector instructions add to it; that changes the rounding of the sum
  /// unless no term came after it or it only swaps with the first term, so a variable for
  /// which it would stays where it is.
  private mutating func hoistLeaves() {
    guard code.count > 1 else { return }
    // Terms added to each variable's gradient entry by vector instructions, before and
    // after (in tape order) its `.variable` instruction.
    var position: [Int: Int] = [:]
    for (i, instruction) in code.enumerated() where instruction.op == .variable { position[Int(instruction.a)] = i }
    var before: [Int: Int] = [:]
    var after: [Int: Int] = [:]
    for (i, instruction) in code.enumerated() where instruction.op.readsVectors {
      for k in variables(of: instruction) {
        guard let p = position[k] else { continue }
        if i < p { before[k, default: 0] += 1 } else { after[k, default: 0] += 1 }
      }
    }
    var hoisted: [Int] = []
    var constants: [Int] = []
    var rest: [Int] = []
    for (i, instruction) in code.enumerated() {
      let k = Int(instruction.a)
      if instruction.op == .variable && (before[k, default: 0] == 0 || (before[k] == 1 && after[k, default: 0] == 0)) {
        hoisted.append(i)
      } else if instruction.op == .constant {
        constants.append(i)
      } else {
        rest.append(i)
      }
    }
    let order = hoisted + constants + rest
    if order != Array(code.indices) { reorder(order) }
  }

  /// Fuses a single-use instruction into its user where a fused instruction replays the
  /// pair exactly (see `ExpressionOp.affine` and the cases after it): u·c + d, shifted and
  /// scaled squares, u·c ± v, v ± a square, and signs folded into constant factors.
  ///
  /// The fused instruction adds to the adjoint of the inner instruction's operand at the
  /// user's place in the reverse pass instead of the inner one's; so it is done only when
  /// no instruction in between reads that operand, and the adjoint's terms keep their
  /// order.
  private mutating func fuse() {
    var uses = [Int](repeating: 0, count: code.count)
    for instruction in code {
      let operands = instruction.op.registerOperands
      if operands >= 1 { uses[Int(instruction.a)] += 1 }
      if operands >= 2 { uses[Int(instruction.b)] += 1 }
    }
    var dead = [Bool](repeating: false, count: code.count)
    var changed = false
    for i in code.indices {
      while let (fused, inner) = fusion(at: i, uses: uses, dead: dead) {
        code[i] = fused
        dead[inner] = true
        uses[inner] = 0
        changed = true
      }
    }
    if changed { reorder(code.indices.filter { !dead[$0] }) }
  }

  /// The fused instruction that replaces instruction i and the inner instruction it
  /// absorbs, if any.
  private func fusion(at i: Int, uses: [Int], dead: [Bool]) -> (ExpressionInstruction, Int)? {
    let outer = code[i]
    /// The single-use instruction r, if it can be fused into i: the only reader of its
    /// operand between r and i is i.
    func inner(_ r: Int32) -> ExpressionInstruction? {
      let r = Int(r)
      guard uses[r] == 1, code[r].op.registerOperands == 1 else { return nil }
      let u = Int(code[r].a)
      if uses[u] > 1 {
        guard i - r <= 64 else { return nil }
        for j in (r + 1)..<i where !dead[j] {
          let operands = code[j].op.registerOperands
          if (operands >= 1 && Int(code[j].a) == u) || (operands >= 2 && Int(code[j].b) == u) { return nil }
        }
      }
      return code[r]
    }
    /// The square a (+ c) (· d) computed by a single-use r, as (a, c, d).
    func square(_ r: Int32) -> (Int32, Double, Double)? {
      guard let s = inner(r) else { return nil }
      switch s.op {
      case .square: return (s.a, -0.0, 1)
      case .affineSquare: return (s.a, s.c, s.d)
      default: return nil
      }
    }
    let a = outer.a
    let b = outer.b
    switch outer.op {
    case .square:
      guard let s = inner(a) else { return nil }
      switch s.op {
      case .addC: return (ExpressionInstruction(.affineSquare, a: s.a, c: s.c, d: 1), Int(a))
      case .square: return (ExpressionInstruction(.affineSquareOfSquare, a: s.a, c: -0.0, d: 1), Int(a))
      default: return nil
      }
    case .affineSquare:
      guard let s = inner(a), s.op == .square else { return nil }
      return (ExpressionInstruction(.affineSquareOfSquare, a: s.a, c: outer.c, d: outer.d), Int(a))
    case .mulC, .divC:
      guard let s = inner(a) else { return nil }
      switch s.op {
      case .neg:
        // (−u)·c = u·(−c) and (−u)/c = u/(−c); the adjoint of u gets −(g·c) = g·(−c).
        return (ExpressionInstruction(outer.op, a: s.a, c: -outer.c), Int(a))
      case .square where outer.op == .mulC:
        return (ExpressionInstruction(.affineSquare, a: s.a, c: -0.0, d: outer.c), Int(a))
      case .affineSquare where outer.op == .mulC && s.d == 1,
        .affineSquareOfSquare where outer.op == .mulC && s.d == 1:
        return (ExpressionInstruction(s.op, a: s.a, c: s.c, d: outer.c), Int(a))
      default: return nil
      }
    case .addC, .subFromC:
      // c − u·k = u·(−k) + c exactly; the adjoint of u gets (−g)·k = g·(−k).
      guard let m = inner(a), m.op == .mulC else { return nil }
      return (ExpressionInstruction(.affine, a: m.a, c: outer.op == .addC ? m.c : -m.c, d: outer.c), Int(a))
    case .neg:
      guard let s = inner(a), s.op == .mulC || s.op == .divC else { return nil }
      return (ExpressionInstruction(s.op, a: s.a, c: -s.c), Int(a))
    case .add:
      if let (u, c, d) = square(b) {
        return (ExpressionInstruction(.addAffineSquare, a: u, b: a, c: c, d: d), Int(b))
      }
      if let (u, c, d) = square(a) {
        return (ExpressionInstruction(.addAffineSquare, a: u, b: b, c: c, d: d), Int(a))
      }
      if let m = inner(b), m.op == .mulC {
        return (ExpressionInstruction(.mulCAdd, a: m.a, b: a, c: m.c), Int(b))
      }
      if let m = inner(a), m.op == .mulC {
        return (ExpressionInstruction(.mulCAdd, a: m.a, b: b, c: m.c), Int(a))
      }
      return nil
    case .sub:
      // x − q = x + (−q), and q·(−d) = −(q·d), u·(−c) = −(u·c) exactly; the inner
      // instruction's adjoint −g times its factor is g times the negated factor.
      if let (u, c, d) = square(b) {
        return (ExpressionInstruction(.addAffineSquare, a: u, b: a, c: c, d: -d), Int(b))
      }
      if let m = inner(b), m.op == .mulC {
        return (ExpressionInstruction(.mulCAdd, a: m.a, b: a, c: -m.c), Int(b))
      }
      if let m = inner(a), m.op == .mulC {
        return (ExpressionInstruction(.mulCSub, a: m.a, b: b, c: m.c), Int(a))
      }
      return nil
    default:
      return nil
    }
  }
}
