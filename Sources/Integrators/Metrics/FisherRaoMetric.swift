import LinearAlgebra
import SolverAPI

/// Pure Fisher–Rao dynamics on probability measures (docs/math.md §5): no transport, only birth and
/// death at the rates β_i = α(V_{μ_m}(X^i) − ⟨V_{μ_m}⟩) (`BirthDeath`), with the particle count fixed.
/// Particles never leave the positions they start from, so the flow can only reweight the initial
/// cloud: on F(μ) = ∫ x²/2 dμ from N(0, 1) it follows μ_t = N(0, 1/(1 + αt)) exactly (§5.2). The
/// temperature adds nothing (no noise, no entropy term in the rates).
public final class FisherRaoMetric: Metric {
  public let geometry: any Geometry
  public let reference: ReferenceMeasure
  /// α.
  public let rate: Double
  private var birthDeath: BirthDeath

  public init(geometry: any Geometry, rate: Double, reference: ReferenceMeasure) {
    self.geometry = geometry
    self.reference = reference
    self.rate = rate
    self.birthDeath = BirthDeath(rate: rate)
  }

  public var needsFirstVariationValues: Bool { true }
  public var transportsParticles: Bool { false }

  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
                   stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    guard let values else { preconditionFailure("the fisher-rao metric needs the first variation's values") }
    birthDeath.apply(&cloud, values: UnsafeBufferPointer(values), stepSize: eta, random: noise.split("birth-death"), step: step)
  }
}
