import SolverAPI

/// The signed-to-probability reductions (MATH.md §2).
public enum ReductionComponents {
  public static let all: [Component] = [
    Component(.reduction, "bilevel",
              summary: "particles w ∈ W; outer weights solved exactly each step: J_λ(μ) = min_r R(∫rΦdμ) + (λ/2)∫r²dμ",
              parameters: [
                .choice("solver", ["auto", "kernel", "woodbury"], default: "auto",
                        "square loss: the n × n system (kernel), the m × m Woodbury system, or the smaller (auto)"),
              ],
              notes: "Square loss: closed form by Cholesky. Other losses: Newton on r ∈ ℝ^m, warm-started, to residual 1e-12. Records inner_residual.") { args in
      BilevelReduction(solver: BilevelObjective.InnerSolver(rawValue: args.string("solver"))!) as any Reduction
    },
    Component(.reduction, "lift",
              summary: "particles (r, w) ∈ ℝ × W: F_lift(μ) = R(∫ r Φ(w) dμ) + (λ/2)∫ r² dμ",
              parameters: [
                .choice("metric", ["wasserstein", "conic"], default: "wasserstein",
                        "wasserstein: Langevin on (r, w); conic: mass r|r|, multiplicative r-updates (Wasserstein–Fisher–Rao)"),
                .real("ratio", default: 1, in: .positive, "wasserstein: r-step / w-step ratio"),
                .real("alpha", default: 1, in: .positive, "conic: mass/position step ratio α"),
                .choice("retraction", ["mirror", "canonical"], default: "mirror", "conic: r ← r·exp(−αη∂_rV/r) (mirror) or r − αη∂_rV"),
                .real("initial_weight", default: 1, in: .positive, "initial weights r_i = ±r₀ with random signs"),
              ]) { args in
      let kind: LiftMetric.Kind = args.string("metric") == "conic"
        ? .conic(alpha: args.real("alpha"), mirror: args.string("retraction") == "mirror")
        : .wasserstein(ratio: args.real("ratio"))
      return LiftReduction(metric: kind, initialWeight: args.real("initial_weight")) as any Reduction
    },
    Component(.reduction, "identity", summary: "no reduction: for objectives already over probability measures") { _ in
      IdentityReduction() as any Reduction
    },
  ]
}
