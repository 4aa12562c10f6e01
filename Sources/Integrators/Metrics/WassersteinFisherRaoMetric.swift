import LinearAlgebra
import SolverAPI

/// Wasserstein–Fisher–Rao dynamics (docs/math.md §5; Rotskoff, Jelassi, Bruna, Vanden-Eijnden 2019): each
/// step the Langevin move of the Wasserstein metric, then a birth–death step at the rates
/// β_i = α(V_{μ_m}(X^i) − ⟨V_{μ_m}⟩) of the first variation computed before the move (a first-order
/// splitting of ∂_t μ = ∇·(μ∇(V_μ + τ log μ/ρ)) − α(V_μ − ∫V_μ dμ)μ). Birth and death let the cloud
/// leave a bad configuration without crossing the barrier between: particles where V is high die and
/// reappear where it is low.
///
/// The reaction is driven by V_μ alone, so at τ > 0 it sharpens the Gibbs law: for V(x) = a|x|²/2 on ℝ^d
/// the stationary law is N(0, s² I) with s² = 2τ/(a + sqrt(a² + 2αaτ)) (< τ/a; α → 0 gives back
/// Langevin's τ/a; docs/math.md §5.3).
public final class WassersteinFisherRaoMetric: Metric {
  public let transport: any Metric
  /// α.
  public let rate: Double
  private var birthDeath: BirthDeath

  public init(transport: any Metric, rate: Double) {
    self.transport = transport
    self.rate = rate
    self.birthDeath = BirthDeath(rate: rate)
  }

  public var geometry: any Geometry { transport.geometry }
  public var reference: ReferenceMeasure { transport.reference }
  public var needsFirstVariationValues: Bool { true }

  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
                   stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    guard let values else { preconditionFailure("the wasserstein-fisher-rao metric needs the first variation's values") }
    transport.move(&cloud, gradient: gradient, values: nil, stepSize: eta, temperature: tau, noise: noise, step: step, parallel: parallel)
    birthDeath.apply(&cloud, values: UnsafeBufferPointer(values), stepSize: eta, random: noise.split("birth-death"), step: step)
  }
}
