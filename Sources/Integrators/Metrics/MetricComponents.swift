import SolverAPI

/// The metrics (docs/math.md §1–§2): how a drift moves the particles. A config names one at the top
/// level, `"metric": {"type": "wasserstein"}` (the default).
public enum MetricComponents {
  public static let all: [Component] = [wasserstein, conic, fisherRao, wassersteinFisherRao]

  /// α of the birth–death metrics.
  static let rate = Parameter.real("alpha", default: 1, in: .positive, "α, the reaction rate: β_i = α(V(X^i) − mean V)")

  /// Birth and death reweight the particles of a measure over their own domain; refuses lifted particles.
  static func unliftedDomain(_ args: Arguments) throws -> any Geometry {
    let domain = try args.domain
    if domain is LiftedDomain {
      throw args.error(nil, "'\(args.name)' reweights particles of a probability measure on their domain; lifted signed measures "
                         + "(\(domain.name)) carry their mass in r", fix: "use \"conic\" (the same geometry on the mass variable), or the bilevel reduction")
    }
    return domain
  }

  static let fisherRao = Component(
    .metric, "fisher-rao",
    summary: "pure birth–death: particles die or duplicate at rates α(V(X^i) − mean V), m fixed, no transport (docs/math.md §5)",
    parameters: [rate],
    notes: "Needs the first variation's values, which every objective over probability measures gives (the bilevel J_λ too). "
      + "No particle moves: the flow reweights the initial cloud, μ_t ∝ e^{−αtV} μ_0 for a potential; the temperature has no effect. "
      + "Decisions are drawn from the run's counter-based streams (a pure function of seed, step and particle). "
      + "Integrators whose inner chains sample a Gibbs law (dual-averaging, best-response) need transport and refuse it.",
    example: ["type": "fisher-rao", "alpha": 1]
  ) { args in
    FisherRaoMetric(geometry: try unliftedDomain(args), rate: args.real("alpha"), reference: try args.reference) as any Metric
  }

  static let wassersteinFisherRao = Component(
    .metric, "wasserstein-fisher-rao",
    summary: "a Langevin (Wasserstein) move, then birth–death at rates α(V(X^i) − mean V) (Rotskoff et al. 2019)",
    parameters: [rate],
    notes: "The reaction is driven by V alone, so at τ > 0 it sharpens the Gibbs law: for V = a|x|²/2 the stationary law is "
      + "N(0, 2τ/(a + sqrt(a² + 2αaτ)) I) instead of N(0, τ/a I) (docs/math.md §5.3). Birth and death let particles leave a bad "
      + "basin without crossing its barrier. On the sphere, the torus and ℝ^d; for lifted signed measures use \"conic\".",
    example: ["type": "wasserstein-fisher-rao", "alpha": 1]
  ) { args in
    let domain = try unliftedDomain(args)
    return WassersteinFisherRaoMetric(transport: makeWassersteinMetric(geometry: domain, reference: try args.reference),
                                      rate: args.real("alpha")) as any Metric
  }

  static let wasserstein = Component(
    .metric, "wasserstein",
    summary: "Langevin transport: X ← Retr_X(−η P(∇V + τ∇U) + sqrt(2ητ) P ξ); on ℝ × W both r and w move",
    parameters: [.real("ratio", default: 1, in: .positive, "lifted particles (r, w): the r-step over the w-step (1 elsewhere)")],
    notes: "Works on every domain: ℝ^d, the sphere, the torus, and the lifted ℝ × W of the lift reduction, where the r-step "
      + "(drift and noise) is scaled by ratio.",
    example: ["type": "wasserstein"]
  ) { args in
    let domain = try args.domain, reference = try args.reference, ratio = args.real("ratio")
    if let lifted = domain as? LiftedDomain {
      return LiftedWassersteinMetric(base: lifted.base, ratio: ratio, reference: reference) as any Metric
    }
    guard ratio == 1 else {
      throw args.error("ratio", "applies to lifted particles (r, w) ∈ ℝ × W; these particles live on \(domain.name)",
                       fix: "remove \"ratio\", or use the lift reduction")
    }
    return makeWassersteinMetric(geometry: domain, reference: reference)
  }

  static let conic = Component(
    .metric, "conic",
    summary: "Wasserstein–Fisher–Rao for lifted signed measures: mass r|r|, multiplicative r-updates that keep signs (Chizat 2019)",
    parameters: [
      .real("alpha", default: 1, in: .positive, "α, the mass/position step ratio"),
      .choice("retraction", ["mirror", "canonical"], default: "mirror", "r ← r·exp(−αη∂_rV/r) (mirror) or r − αη∂_rV (canonical)"),
    ],
    notes: "Needs lifted particles: a signed objective with \"reduction\": \"lift\". Noise moves positions only.",
    example: ["type": "conic", "alpha": 1, "retraction": "mirror"]
  ) { args in
    let domain = try args.domain, reference = try args.reference
    guard let lifted = domain as? LiftedDomain else {
      throw args.error(nil, "the conic metric moves lifted particles (r, w) ∈ ℝ × W; these particles live on \(domain.name)",
                       fix: "use \"wasserstein\", or a signed objective with \"reduction\": \"lift\"")
    }
    return ConicMetric(base: lifted.base, alpha: args.real("alpha"), mirror: args.string("retraction") == "mirror",
                       reference: reference) as any Metric
  }
}
