import Foundation

/// One instruction of a compiled expression's tape.
///
/// The tape is in SSA form: instruction `i` writes register `i` of the workspace and reads
/// only registers `< i`, so there is no destination field. `a`, `b` are operand registers,
/// `c` an immediate constant; vector instructions read their components straight from
/// the input (`a`: offset of the variable indices in the index table, `b`: offset of the
/// second operand — indices or constants —, `n`: dimension, `c`: a scale factor).
/// `d` is a second immediate, used only by the fused instructions.
struct ExpressionInstruction: Hashable {
  var op: ExpressionOp
  var a: Int32 = 0
  var b: Int32 = 0
  var n: Int32 = 0
  var c: Double = 0
  var d: Double = 0

  init(_ op: ExpressionOp, a: Int32 = 0, b: Int32 = 0, n: Int32 = 0, c: Double = 0, d: Double = 0) {
    self.op = op
    self.a = a
    self.b = b
    self.n = n
    self.c = c
    self.d = d
  }

  // Hash and compare the constants by bit pattern, so 0.0 and -0.0 (or two NaNs) are
  // distinguished correctly when instructions are shared.
  static func == (l: Self, r: Self) -> Bool {
    l.op == r.op && l.a == r.a && l.b == r.b && l.n == r.n && l.c.bitPattern == r.c.bitPattern
      && l.d.bitPattern == r.d.bitPattern
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(op)
    hasher.combine(a)
    hasher.combine(b)
    hasher.combine(n)
    hasher.combine(c.bitPattern)
    hasher.combine(d.bitPattern)
  }
}

/// Operation codes. Register operands are `a` (and `b` for binary operations); `c` is an
/// immediate. Derivative rules used by the reverse pass are listed with each case.
enum ExpressionOp: UInt8 {
  /// c
  case constant
  /// x[a]                                        ∂ → gradient[a]
  case variable
  /// a + b, a - b, a * b, a / b                  usual rules
  case add, sub, mul, div
  /// a + c, a * c, a / c, c - a, c / a           (c a constant)
  case addC, mulC, divC, subFromC, divideC
  /// -a
  case neg
  /// a², exactly a*a                             ∂a = 2a
  case square
  /// a^c for an integer-valued c (pow, exact for small c)   ∂a = c·a^(c-1)
  case powInt
  /// a^c for a non-integer constant c            ∂a = c·a^c / a  (c·a^(c-1) at a = 0)
  case powC
  /// c^b for a constant base c                   ∂b = c^b · log c
  case cPow
  /// a^b, both variable: exp(b log a) rules      ∂a = b·a^(b-1), ∂b = a^b · log a (0 where a^b = 0)
  case pow
  /// exp, log, sqrt, sin, cos, tanh              usual rules
  case exp, log, sqrt, sin, cos, tanh
  /// 1/(1+e^-a)                                  ∂ = σ(1-σ)
  case sigmoid
  /// log1p(e^-|a|) + max(a, 0)                   ∂ = σ(a)
  case softplus
  /// max(a, 0)                                   ∂ = 1 if a > 0, else 0 (relu'(0) = 0)
  case relu
  /// |a|                                         ∂ = sign(a), 0 at 0
  case abs
  /// min(a, b), max(a, b)                        derivative flows to the chosen argument; the first on ties
  case min, max
  /// c · Σ x[idx[a+k]] · x[idx[b+k]]             dot of two variable vectors
  case dot
  /// c · Σ x[idx[a+k]] · consts[b+k]             dot of a variable and a constant vector
  case dotC
  /// c · Σ x[idx[a+k]]²                          dot(u, u), also |u|^2
  case sumSquares
  /// c · sqrt(Σ x[idx[a+k]]²)                    ∂/∂u = c·u/|u|, 0 at u = 0
  case norm
  /// The same four with vectors of consecutive variables x[a+k] (and x[b+k] for `dotRange`),
  /// the common case of x = (x1 … xd): no index table.
  case dotRange, dotCRange, sumSquaresRange, normRange

  // Fused instructions, made by the compiler from a single-use instruction and its user
  // (`ExpressionCompiler.fuse`). Each computes bit for bit what the instructions it
  // replaces computed, and its reverse step replays theirs: the same products in the same
  // order, and an inner step skipped when its adjoint is zero. In the rules, g is the
  // adjoint of the fused instruction.

  /// a·c + d                                    ∂a = g·c
  ///
  /// `mulC` then `addC`, or then `subFromC` (with −c).
  case affine
  /// ((a + c)·(a + c))·d                        ∂a = 2·h·(a + c) with h = g·d, skipped when h = 0
  ///
  /// (u + c)² (`addC` then `square`), u²·d (`square` then `mulC`) or (u + c)²·d; c = −0
  /// and d = 1 stand for the missing step (x + (−0) = x and x·1 = x exactly).
  case affineSquare
  /// ((a·a + c)²)·d                             ∂a = 2·k·a with k = 2·h·(a·a + c), h = g·d,
  ///                                            skipped when h = 0 or k = 0
  ///
  /// `affineSquare` of a `square`, as in (x² − 1)².
  case affineSquareOfSquare
  /// b + ((a + c)²)·d                           ∂b = g, then ∂a as for `affineSquare`
  ///
  /// `add` with an `affineSquare` or `square` operand, or `sub` with one as the subtrahend
  /// (with −d).
  case addAffineSquare
  /// a·c + b                                    ∂b = g, ∂a = g·c
  ///
  /// `mulC` then `add` (either operand), or `mulC` then `sub` as the subtrahend (with −c).
  case mulCAdd
  /// a·c − b                                    ∂b = −g, ∂a = g·c
  ///
  /// `mulC` then `sub` as the minuend.
  case mulCSub

  /// How many register operands the instruction reads (`a`, then `b`).
  var registerOperands: Int {
    switch self {
    case .constant, .variable, .dot, .dotC, .sumSquares, .norm: 0
    case .dotRange, .dotCRange, .sumSquaresRange, .normRange: 0
    case .add, .sub, .mul, .div, .pow, .min, .max, .mulCAdd, .mulCSub, .addAffineSquare: 2
    default: 1
    }
  }

  /// The vector instructions, which read the inputs directly (no register operands) and
  /// add to the gradient directly.
  var readsVectors: Bool {
    switch self {
    case .dot, .dotC, .sumSquares, .norm, .dotRange, .dotCRange, .sumSquaresRange, .normRange: true
    default: false
    }
  }

  /// Instructions whose `c` field is a scale factor applied to their result.
  var isScalable: Bool {
    switch self {
    case .dot, .dotC, .sumSquares, .norm: true
    case .dotRange, .dotCRange, .sumSquaresRange, .normRange: true
    default: false
    }
  }
}

/// Scalar functions shared by constant folding and evaluation, so a folded constant is
/// bit-for-bit what the tape would have computed.
enum ExpressionMath {
  @inline(__always) static func sigmoid(_ t: Double) -> Double {
    if t >= 0 { return 1 / (1 + Foundation.exp(-t)) }
    let e = Foundation.exp(t)
    return e / (1 + e)
  }

  @inline(__always) static func softplus(_ t: Double) -> Double {
    Foundation.log1p(Foundation.exp(-Swift.abs(t))) + (t > 0 ? t : 0)
  }

  @inline(__always) static func relu(_ t: Double) -> Double { t > 0 ? t : 0 }

  /// min picks the first argument on ties (and when the comparison fails).
  @inline(__always) static func min(_ a: Double, _ b: Double) -> Double { b < a ? b : a }

  /// max picks the first argument on ties (and when the comparison fails).
  @inline(__always) static func max(_ a: Double, _ b: Double) -> Double { b > a ? b : a }

  /// a^n for an integer-valued n.
  @inline(__always) static func powInt(_ a: Double, _ n: Double) -> Double {
    switch n {
    case 2: a * a
    case 3: a * a * a
    case 4: (a * a) * (a * a)
    case -1: 1 / a
    case -2: 1 / (a * a)
    default: Foundation.pow(a, n)
    }
  }

  /// d/da a^n = n a^(n-1) for an integer-valued n.
  @inline(__always) static func powIntDerivative(_ a: Double, _ n: Double) -> Double {
    switch n {
    case 0: 0
    case 1: 1
    case 2: 2 * a
    case 3: 3 * (a * a)
    default: n * powInt(a, n - 1)
    }
  }

  /// Applies a unary (or constant-operand) operation, for constant folding.
  static func apply(_ op: ExpressionOp, _ a: Double, _ b: Double = 0, c: Double = 0) -> Double {
    switch op {
    case .constant: c
    case .add: a + b
    case .sub: a - b
    case .mul: a * b
    case .div: a / b
    case .addC: a + c
    case .mulC: a * c
    case .divC: a / c
    case .subFromC: c - a
    case .divideC: c / a
    case .neg: -a
    case .square: a * a
    case .powInt: powInt(a, c)
    case .powC: Foundation.pow(a, c)
    case .cPow: Foundation.pow(c, a)
    case .pow: Foundation.pow(a, b)
    case .exp: Foundation.exp(a)
    case .log: Foundation.log(a)
    case .sqrt: a.squareRoot()
    case .sin: Foundation.sin(a)
    case .cos: Foundation.cos(a)
    case .tanh: Foundation.tanh(a)
    case .sigmoid: sigmoid(a)
    case .softplus: softplus(a)
    case .relu: relu(a)
    case .abs: Swift.abs(a)
    case .min: min(a, b)
    case .max: max(a, b)
    case .variable, .dot, .dotC, .sumSquares, .norm: .nan
    case .dotRange, .dotCRange, .sumSquaresRange, .normRange: .nan
    // Made after folding, from instructions that were not folded.
    case .affine, .affineSquare, .affineSquareOfSquare, .addAffineSquare, .mulCAdd, .mulCSub: .nan
    }
  }
}
