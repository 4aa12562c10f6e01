import LinearAlgebra
import SolverAPI

/// The signed-to-probability reductions (docs/math.md §2).
public enum ReductionComponents {
  public static let all: [Component] = [
    Component(.reduction, "bilevel",
              summary: "particles w ∈ W; outer weights solved exactly each step: J_λ(μ) = min_r R(∫rΦdμ) + (λ/2)∫r²dμ",
              parameters: [
                .choice("solver", ["auto", "kernel", "woodbury"], default: "auto",
                        "square loss: the n × n system (kernel), the m × m Woodbury system, or the smaller (auto)"),
                .choice("method", ["pcg", "cholesky"], default: "pcg",
                        "square loss: conjugate gradients preconditioned by an earlier step's factored system, warm-started (pcg), or a fresh Cholesky factorization every step (cholesky)"),
                .real("tolerance", default: 1e-12, in: Interval(lower: 0, included: false, upper: 1e-10, included: true),
                      "square loss: relative residual ‖(K + nλI)a − y‖/‖y‖ the inner solve reaches at every step"),
              ],
              notes: "Square loss (docs/math.md §2): (K + nλI) a = y, K = (1/m) Σ_i Φ(w_i)Φ(w_i)ᵀ, or its Woodbury form when m < n; "
                + "pcg refactors when the iterations paid beyond a fresh factor's add up to a factorization's cost (rent-or-buy), "
                + "on a new minibatch, or when 50 iterations did not reach the tolerance, and then skips PCG for 1, 2, 4, … solves. Other losses: Newton on r ∈ ℝ^m, warm-started, to residual 1e-12. "
                + "Records inner_residual and inner_iterations.") { args in
      BilevelReduction(solver: BilevelObjective.InnerSolver(rawValue: args.string("solver"))!,
                       method: BilevelObjective.InnerMethod(rawValue: args.string("method"))!,
                       tolerance: args.real("tolerance")) as any Reduction
    },
    Component(.reduction, "lift",
              summary: "particles (r, w) ∈ ℝ × W: F_lift(μ) = R(∫ r Φ(w) dμ) + (λ/2)∫ r² dμ",
              parameters: [
                .real("initial_weight", default: 1, in: .positive, "initial weights r_i = ±r₀ with random signs"),
              ],
              notes: "The particles move by the config's top-level metric: \"wasserstein\" (the default; its ratio scales the r-step) "
                + "or \"conic\" (mass r|r|).",
              movedKeys: Dictionary(uniqueKeysWithValues: ["metric", "ratio", "alpha", "retraction"].map { key in
                (key, "the metric is a part of its own: write e.g. \"metric\": {\"type\": \"conic\", \"alpha\": 1} "
                   + "or {\"type\": \"wasserstein\", \"ratio\": 1} at the top level of the config")
              })) { args in
      LiftReduction(initialWeight: args.real("initial_weight")) as any Reduction
    },
    Component(.reduction, "identity", summary: "no reduction: for objectives already over probability measures") { _ in
      IdentityReduction() as any Reduction
    },
  ]
}
