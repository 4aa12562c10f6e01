import LinearAlgebra
import SolverAPI

/// The quantities every signed run records (docs/math.md §2), from the signed measure
/// ν = (1/m) Σ_i r_i δ_{w_i} and its predictions f = (1/m) Σ_i r_i Φ(w_i):
///     G_lambda = R(f) + (λ/2)‖ν‖²_TV (the primary figure),  R_plus_lambda_TV = R(f) + λ‖ν‖_TV,
///     risk = R(f),  tv = ‖ν‖_TV = (1/m) Σ|r_i| (exact when the w_i are distinct),
/// then the objective's own quantities (test risk, alignment, matched spikes).
enum SignedReport {
  static func names(_ s: any SignedObjective) -> [String] {
    ["G_lambda", "R_plus_lambda_TV", "risk", "tv"] + s.observableNames
  }

  static func values(_ s: any SignedObjective, weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] {
    let m = w.count, f = s.features.predictions(weights: r, positions: w, parallel: parallel)
    let risk = s.loss.risk(f, s.labels)
    let tv = r.reduce(0) { $0 + abs($1) } / Double(m)
    return [risk + 0.5 * s.lambda * tv * tv, risk + s.lambda * tv, risk, tv]
      + (try s.observe(weights: r, positions: w, parallel: parallel))
  }
}
