import Formats

/// A named, documented, buildable part: what the registry stores and `mfld describe` shows.
///
/// Built-in parts and plugin parts declare themselves the same way:
///
///     Component(.potential, "quadratic", summary: "V(x) = a|x|²/2",
///               parameters: [.real("a", default: 1, in: .positive, "curvature a")]) { args in
///       QuadraticPotential(dimension: try args.domain.dimension, a: args.real("a"))
///     }
///
/// The product must be of the kind's type: `any Objective`, `any Integrator`, `any Schedule`,
/// `any Geometry`, `ReferenceMeasure`, `any ScalarField` (potential, kernel), `any CloudSource`,
/// `any Observer`, `any Reduction`.
public struct Component: Sendable {
  public let kind: PartKind
  public let name: String
  /// One line: what it is, with its formula.
  public let summary: String
  public let parameters: [Parameter]
  /// Longer notes for `describe` (conventions, compatibility), optional.
  public let notes: String?
  /// A complete, valid config of this part for `describe` (generated from the defaults when nil).
  public let example: ConfigValue?
  /// Keys this part took in an earlier version, each with the fix a config that still uses it gets
  /// (where the setting lives now).
  public let movedKeys: [String: String]
  public let build: @Sendable (Arguments) throws -> Any

  public init(_ kind: PartKind, _ name: String, summary: String, parameters: [Parameter] = [], notes: String? = nil,
              example: ConfigValue? = nil, movedKeys: [String: String] = [:], build: @escaping @Sendable (Arguments) throws -> Any) {
    self.example = example
    self.movedKeys = movedKeys
    self.kind = kind
    self.name = name
    self.summary = summary
    self.parameters = parameters
    self.notes = notes
    self.build = build
  }
}
