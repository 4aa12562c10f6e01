import Foundation
import LinearAlgebra
import Objectives
import Registry
import SolverAPI
import Testing

/// The traced free energy F_τ = J_λ + τ H(μ | uniform) along a constant-temperature bilevel run
/// (docs/math.md §4): MFLD is its gradient flow, so it decreases — up to the entropy estimator's noise.
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
    let fe = try trace.column("free_energy")
    #expect(fe.count == 11 && fe.allSatisfy(\.isFinite))
    // The estimator's own noise at this size: the sd of Ĥ over 20 seeded uniform clouds of m points on
    // S^5 (the run's W), measured here rather than borrowed. A difference of two estimates has sd √2·τ·sd;
    // any later value may exceed an earlier one by 4 of those.
    let sd = Self.entropySpread(on: Sphere(intrinsicDimension: 5), m: m)
    let slack = 4 * 2.0.squareRoot() * tau * sd
    for s in fe.indices { for t in (s + 1)..<fe.count { #expect(fe[t] <= fe[s] + slack, "F_τ rose from \(fe[s]) (row \(s)) to \(fe[t]) (row \(t))") } }
    // And it does go down: the late mean (5 rows) is below the start by more than 4 sd of the difference,
    // τ·sd·sqrt(1 + 1/5).
    let late = fe.suffix(5).reduce(0, +) / 5
    #expect(late < fe[0] - 4 * tau * sd * (1.2).squareRoot(), "start \(fe[0]), late mean \(late)")
  }

  /// The standard deviation of the Kozachenko–Leonenko estimate over 20 seeded uniform clouds of m points.
  static func entropySpread(on sphere: Sphere, m: Int) -> Double {
    let estimates = (0..<20).map { seed -> Double in
      var random = RandomStream(seed: UInt64(500 + seed)).generator()
      var cloud = ParticleCloud(count: m, dimension: sphere.dimension)
      cloud.coordinates.withUnsafeMutableBufferPointer { x in
        for i in 0..<m { sphere.sampleUniform(into: x.baseAddress! + i * sphere.dimension, using: &random) }
      }
      return KozachenkoLeonenko.entropy(cloud, geometry: sphere, parallel: .serial)
    }
    let mean = estimates.reduce(0, +) / 20
    return (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 19).squareRoot()
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
    let h = try trace.column("entropy")
    #expect(h.count == 5)
    #expect(h[0].isFinite && h[1].isNaN && h[2].isFinite && h[3].isNaN && h[4].isFinite)
  }
}
