import Foundation
import Testing

/// Band-limited deconvolution has low-rank features (a Dirichlet kernel of cutoff 3 on T² spans 7²
/// functions, fewer than the particles), so a stale factor is a poor preconditioner and PCG sometimes
/// runs into its iteration cap. The solve then falls back to a fresh factor (the tolerance holds at
/// every step) and backs off: after each consecutive miss the next 1, 2, 4, … solves skip PCG, so misses
/// are at most about log₂(steps) + 1 of the steps, never one per step.
struct InnerSolveBackoffTests {
  @Test("on low-rank features pcg keeps the tolerance and misses its cap rarely")
  func backoff() throws {
    let dir = try MFLD.temporaryDirectory()
    let config = try MFLD.write("""
      {"seed": 1, "objective": {"type": "sparse-deconvolution", "dimension": 2, "kernel": "dirichlet", "cutoff": 3,
        "spikes": [[0.2, 0.3], [0.45, 0.7], [0.8, 0.15]], "masses": [1.0, -0.6, 0.8], "grid": 16, "lambda": 1e-3},
       "reduction": "bilevel", "integrator": {"type": "euler-maruyama", "step": 0.001, "temperature": 1e-7},
       "particles": {"count": 100, "init": "uniform"}, "steps": 80, "record": {"every": 1}}
      """, to: "c.json", in: dir)
    let r = try MFLD.run(["run", config, "--out", dir.appendingPathComponent("out").path, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = try String(contentsOf: dir.appendingPathComponent("out/trace.csv"), encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",").map(String.init)
    let k = try #require(header.firstIndex(of: "inner_iterations")), res = try #require(header.firstIndex(of: "inner_residual"))
    let rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
    #expect(rows.count == 81 && rows.allSatisfy { $0[res] <= 1e-12 })
    let misses = rows.filter { $0[k] >= 50 }.count
    #expect(misses <= 8, "\(misses) of 81 solves ran into the PCG cap")
  }
}
