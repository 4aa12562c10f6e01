import Foundation
import Registry
import SolverAPI
import Testing

/// The traced free energy F_τ = J_λ + τ H(μ | uniform) along a constant-temperature bilevel run
/// (MATH.md §4): MFLD is its gradient flow, so it decreases — up to the entropy estimator's noise.
struct FreeEnergyTests {
  @Test("along a constant-temperature bilevel run the traced free energy decreases, up to the estimator's noise")
  func freeEnergyDecreases() throws {
    let tau = 1e-3, m = 60
    let e = try Composition.compose([
      "seed": 1,
      "objective": ["type": "two-layer-network", "data": ["type": "teacher", "dimension": 5, "samples": 100, "neurons": 3], "lambda": 0.001],
      "reduction": "bilevel",
      "integrator": ["type": "euler-maruyama", "step": 0.5, "temperature": .real(tau)],
      "particles": ["count": .integer(m), "init": "uniform"],
      "steps": 400,
      "record": ["every": 40, "observers": [["type": "entropy", "every": 40]]],
    ])
    let trace = TraceTable()
    _ = try Solver.run(e.plan, sink: trace)
    let fe = trace.column("free_energy")
    #expect(fe.count == 11 && fe.allSatisfy(\.isFinite))
    // Kozachenko–Leonenko's sd on S^5 is about 2.3/sqrt(m) (measured for the estimator's tests), so a
    // difference of two estimates has sd sqrt(2)·τ·2.3/sqrt(m); allow 4 of those for any later value.
    let slack = 4 * 2.0.squareRoot() * tau * 2.3 / Double(m).squareRoot()
    for s in fe.indices { for t in (s + 1)..<fe.count { #expect(fe[t] <= fe[s] + slack, "F_τ rose from \(fe[s]) (row \(s)) to \(fe[t]) (row \(t))") } }
    // And it does go down: the late mean is below the start by more than its own noise.
    let late = fe.suffix(5).reduce(0, +) / 5
    #expect(late < fe[0] - 2 * tau * 2.3 / Double(m).squareRoot(), "start \(fe[0]), late mean \(late)")
  }

  @Test("the entropy observer fills its columns every `every` steps and leaves the rows between empty")
  func stride() throws {
    let e = try Composition.compose([
      "domain": ["type": "euclidean", "dimension": 2],
      "objective": ["type": "potential", "V": "quadratic"],
      "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.5],
      "particles": ["count": 200],
      "steps": 40,
      "record": ["every": 10, "observers": [["type": "entropy", "every": 20]]],
    ])
    let trace = TraceTable()
    _ = try Solver.run(e.plan, sink: trace)
    let h = trace.column("entropy")
    #expect(h.count == 5)
    #expect(h[0].isFinite && h[1].isNaN && h[2].isFinite && h[3].isNaN && h[4].isFinite)
  }
}
