import SolverAPI

/// The metrics (docs/math.md §1–§2): how a drift moves the particles. A config names one at the top
/// level, `"metric": {"type": "wasserstein"}` (the default).
public enum MetricComponents {
  public static let all: [Component] = [wasserstein, conic]

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
