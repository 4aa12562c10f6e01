import Expressions
import SolverAPI

/// A scalar field given by a formula, with exact gradients from the compiled expression's reverse
/// mode: a potential V(x), a reference potential U(x), or a kernel W(z) at z = x − y.
/// Each evaluation takes its scratch on the stack, so it is allocation-free and thread-safe.
public struct ExpressionField: ScalarField {
  public let expression: CompiledExpression
  public let dimension: Int

  public init(_ expression: CompiledExpression) {
    self.expression = expression
    self.dimension = expression.variableCount
  }

  public func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    let size = expression.workspaceSize
    // A fixed size is a plain slot in the stack frame; a variable one costs a dynamic
    // stack allocation and its checks, which matter next to a small formula.
    if size <= Self.smallWorkspace {
      return withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.smallWorkspace) { w in
        expression.evaluate(x, gradient: gradient, workspace: w.baseAddress!)
      }
    }
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: size) { w in
      expression.evaluate(x, gradient: gradient, workspace: w.baseAddress!)
    }
  }

  /// Workspaces up to this many doubles (tapes up to half as many instructions) use a
  /// fixed-size stack buffer.
  @inline(__always) static var smallWorkspace: Int { 64 }

  /// Compiles `formula` over the variables `<vector>1 … <vector>d` and the vector `<vector>`, with the
  /// part's constants; errors name the part's key path and the column.
  public static func compile(_ args: Arguments, vector: String, dimension: Int) throws -> ExpressionField {
    let (scalars, vectors) = args.constants("constants")
    let signature = ExpressionSignature.euclidean(dimension: dimension, vector: vector, constants: scalars, constantVectors: vectors)
    do {
      return ExpressionField(try CompiledExpression(args.string("formula"), signature: signature))
    } catch {
      throw args.error("formula", error.description, fix: "variables: \(vector)1…\(vector)\(dimension), |\(vector)|, dot(\(vector), v); `mfld describe expression` lists the functions")
    }
  }
}
