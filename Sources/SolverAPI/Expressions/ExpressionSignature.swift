/// What the names in an expression mean: the inputs it is a function of, and the
/// values it may refer to.
///
/// - `scalars`: the variables, in the order `CompiledExpression.evaluate` receives them.
/// - `vectors`: named vectors whose components are scalar variables, e.g.
///   `["x": ["x1", "x2"]]` for a potential on ℝ². Every component must be listed in
///   `scalars` (checked when the vector is used). A vector may only appear as the
///   argument of `dot`, `norm` or `|…|`.
/// - `constants`: named scalar values from a configuration, e.g. `["s": 0.5]`.
/// - `constantVectors`: named constant vectors, e.g. a centre `["c": [1, 0]]`.
///
/// When a name is declared in several places, the first of scalars, vectors,
/// constants, constant vectors, built-in constants (`pi`, `e`) wins. Function names
/// followed by `(` always mean the function.
public struct ExpressionSignature: Sendable, Equatable {
  public var scalars: [String]
  public var vectors: [String: [String]]
  public var constants: [String: Double]
  public var constantVectors: [String: [Double]]

  public init(
    scalars: [String], vectors: [String: [String]] = [:], constants: [String: Double] = [:],
    constantVectors: [String: [Double]] = [:]
  ) {
    self.scalars = scalars
    self.vectors = vectors
    self.constants = constants
    self.constantVectors = constantVectors
  }

  /// The signature of a function on ℝ^d: scalars `x1 … xd` and the vector `x`
  /// (names configurable), plus the given constants.
  public static func euclidean(
    dimension: Int, vector: String = "x", constants: [String: Double] = [:],
    constantVectors: [String: [Double]] = [:]
  ) -> ExpressionSignature {
    let names = (0..<max(0, dimension)).map { "\(vector)\($0 + 1)" }
    return ExpressionSignature(
      scalars: names, vectors: [vector: names], constants: constants, constantVectors: constantVectors)
  }
}
