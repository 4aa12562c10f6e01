/// The reference measure ρ ∝ e^{−U} of the entropy term τ H(μ | ρ) (docs/math.md §1).
///
/// Its only effect on the dynamics is the drift −τ ∇U(X); a flat reference (U = 0: Lebesgue on ℝ^d,
/// uniform on the sphere and torus) adds nothing.
public struct ReferenceMeasure: Sendable {
  /// The name it was configured by, for messages.
  public let name: String
  /// U, or nil when U = 0.
  public let potential: (any ScalarField)?
  /// log Z, Z = ∫ e^{−U} over the domain, so that ρ = e^{−U}/Z; 0 when ρ is not normalized (Lebesgue
  /// measure, or a formula U whose integral is unknown: the relative entropy is then up to a constant).
  public let logNormalizer: Double

  public init(name: String, potential: (any ScalarField)?, logNormalizer: Double = 0) {
    self.name = name
    self.potential = potential
    self.logNormalizer = logNormalizer
  }

  public static let flat = ReferenceMeasure(name: "lebesgue", potential: nil)
}
