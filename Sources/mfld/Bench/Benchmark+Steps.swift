import Foundation
import MFLD

/// The standard problems of the performance issue, as configs, and whole solver steps timed on them.
extension Benchmark {
  /// A two-layer relu network on teacher data (n samples in dimension d), m particles on the sphere S^d,
  /// square loss, λ = 1e-3, Euler–Maruyama with η = 0.1 and τ (1e-4 unless given).
  static func networkConfig(_ reduction: ConfigValue, n: Int, m: Int, d: Int, temperature: Double = 1e-4,
                            steps: Int = 0, recordEvery: Int = 1_000_000) -> ConfigValue {
    ["seed": 1,
     "objective": ["type": "two-layer-network", "data": ["type": "teacher", "dimension": .integer(d), "samples": .integer(n)],
                   "activation": "relu", "lambda": 0.001],
     "reduction": reduction, "integrator": ["type": "euler-maruyama", "step": 0.1, "temperature": .real(temperature)],
     "particles": ["count": .integer(m), "init": "uniform"], "steps": .integer(steps), "record": ["every": .integer(recordEvery)]]
  }

  static let liftReduction: ConfigValue = "lift"

  /// McKean–Vlasov in ℝ²: a quadratic confinement and an attractive Gaussian interaction, O(m²) per step.
  static func mckeanVlasovConfig(m: Int) -> ConfigValue {
    ["seed": 1, "domain": ["type": "euclidean", "dimension": 2],
     "objective": ["type": "sum", "terms": [["type": "potential", "V": "quadratic"],
                                            ["type": "interaction", "W": ["type": "gaussian", "bandwidth": 0.5, "strength": -1.0]]]],
     "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.5],
     "particles": ["count": .integer(m)], "steps": 0, "record": ["every": 1_000_000]]
  }

  /// Sparse deconvolution on T² (g² samples of three blurred spikes, Dirichlet kernel of cutoff 6), bilevel.
  static func deconvolutionConfig(grid g: Int, m: Int) -> ConfigValue {
    ["seed": 1,
     "objective": ["type": "sparse-deconvolution", "dimension": 2, "kernel": "dirichlet", "cutoff": 6,
                   "spikes": [[0.2, 0.3], [0.45, 0.7], [0.8, 0.15]], "masses": [1.0, -0.6, 0.8], "grid": .integer(g), "lambda": 1e-3],
     "reduction": "bilevel", "integrator": ["type": "euler-maruyama", "step": 0.001, "temperature": 1e-7],
     "particles": ["count": .integer(m), "init": "uniform"], "steps": 0, "record": ["every": 1_000_000]]
  }

  /// The (n, m, d) sizes of the issue; `quick` keeps the smallest.
  static func networkSizes(quick: Bool) -> [(n: Int, m: Int, d: Int)] {
    quick ? [(500, 200, 10)] : [(500, 200, 10), (1000, 1000, 20), (4000, 2000, 50)]
  }

  static func sizeLabel(_ n: Int, _ m: Int, _ d: Int) -> String { "(n, m, d) = (\(n), \(m), \(d))" }

  /// Which system the bilevel inner solve uses (square loss, solver auto).
  static func innerSystem(n: Int, m: Int) -> String { n <= m ? "kernel n × n = \(n)²" : "Woodbury m × m = \(m)²" }

  /// A composed experiment stepped straight through its integrator — no trace, no observers, no final
  /// evaluation: what one solver step costs. The bilevel inner solve is read after every step.
  final class Stepper {
    var plan: RunPlan
    /// The largest relative residual of the bilevel inner solve over the steps taken (0 for others).
    private(set) var maxInnerResidual = 0.0
    /// The CG iterations of the bilevel inner solve, one entry per step taken.
    private(set) var innerIterations: [Int] = []
    /// The bilevel objective's factorization count when the statistics were last reset.
    private var factorizationsAtReset = 0

    init(_ config: ConfigValue, overrides: [String] = [], plugins: [String] = []) throws {
      plan = try Experiment.compose(config, overrides: overrides, plugins: plugins).plan
    }

    var bilevel: BilevelObjective? { plan.problem.objective as? BilevelObjective }

    /// Cholesky factorizations of the bilevel inner system over the steps taken.
    var innerFactorizations: Int { (bilevel?.factorizations ?? 0) - factorizationsAtReset }

    /// Forgets the inner-solve statistics so far.
    func resetStatistics() {
      maxInnerResidual = 0
      innerIterations = []
      factorizationsAtReset = bilevel?.factorizations ?? 0
    }

    /// One step; returns the objective at the state it started from.
    @discardableResult
    func step() throws -> Double {
      let integrator = plan.integrator, problem = plan.problem, noise = plan.noise, parallel = plan.parallel
      let f = try integrator.step(&plan.state, problem: problem, noise: noise, parallel: parallel)
      if let b = bilevel {
        maxInnerResidual = max(maxInnerResidual, b.lastResidual)
        innerIterations.append(b.lastIterations)
      }
      return f
    }

    /// Two untimed steps: the first allocates the scratch buffers (and makes the bilevel inner
    /// system's first factor), the second the preconditioner that later PCG solves reuse.
    func warmUp() throws {
      try step()
      try step()
    }

    /// Steps per second over the budget (after `warmUp`) and the number of timed steps. The
    /// inner-solve statistics cover the timed steps only.
    func rate(_ budget: Budget) throws -> (perSecond: Double, runs: Int) {
      try warmUp()
      resetStatistics()
      return try Benchmark.rate(budget, warmUp: false) { try step() }
    }

    /// Steps per second of the same steps on this stepper and on `other` (the same problem on another
    /// thread count). After `warmUp` on both, `budget.windows` rounds: a window on this stepper — the
    /// first lasts one window of the budget and sets the window's step count k — then k steps on `other`; the
    /// best window of each. The steppers take exactly the same steps (results do not depend on the
    /// thread count), so their ratio compares equal work under the same load, which separate budgets
    /// would not: the faster stepper would reach later steps, and a neighbour's load could fall on one
    /// measurement only. Returns both rates and the timed steps of each.
    func pairedRates(_ other: Stepper, _ budget: Budget) throws -> (this: Double, other: Double, runs: Int) {
      try warmUp()
      try other.warmUp()
      resetStatistics()
      other.resetStatistics()
      let clock = ContinuousClock()
      var k = 0, best = (0.0, 0.0), total = 0
      for _ in 0..<budget.windows {
        var start = clock.now, runs = 0, elapsed = 0.0
        repeat {
          try step()
          runs += 1
          elapsed = Benchmark.seconds(clock.now - start)
        } while k == 0 ? !budget.window.done(runs: runs, seconds: elapsed) : runs < k
        k = runs
        best.0 = max(best.0, Double(k) / elapsed)
        start = clock.now
        for _ in 0..<k { try other.step() }
        best.1 = max(best.1, Double(k) / Benchmark.seconds(clock.now - start))
        total += k
      }
      return (best.0, best.1, total)
    }

    /// The bilevel inner solve over the timed steps, e.g. "inner pcg: CG iterations/step mean 6.2, max 9;
    /// 2 factorizations; max relative residual 3.1e-13" (no iterations when no step took any; empty for
    /// other objectives).
    var innerNote: String {
      guard let b = bilevel else { return "" }
      let k = innerIterations, mean = k.isEmpty ? 0 : Double(k.reduce(0, +)) / Double(k.count)
      let f = innerFactorizations
      let iterations = k.contains { $0 > 0 } ? "CG iterations/step mean " + String(format: "%.1f", mean) + ", max \(k.max()!); " : ""
      return "inner \(b.method.rawValue): " + iterations + "\(f) factorization\(f == 1 ? "" : "s"); max relative residual "
        + String(format: "%.1e", maxInnerResidual)
    }
  }

  /// "k timed steps; inner …" for the note of a timed row.
  static func stepNote(_ runs: Int, _ stepper: Stepper) -> String {
    "\(runs) timed step\(runs == 1 ? "" : "s")" + (stepper.bilevel == nil ? "" : "; " + stepper.innerNote)
  }

  /// Steps per second of whole solver steps at the standard sizes of the performance issue, on 1 and 2
  /// threads (the speedup), with the bilevel inner residual and the process's peak resident memory so far.
  public static func steps(_ options: Options) throws -> [Row] {
    /// `speedupTarget`: the issue's 2 threads ≥ 1.7× one thread applies to this case.
    /// `shape`: a network case's (n, m, d), for its roofline.
    struct Case { var name: String; var config: ConfigValue; var speedupTarget: Bool; var shape: (n: Int, m: Int, d: Int)? = nil }
    var cases: [Case] = []
    let sizes = networkSizes(quick: options.quick)
    for (n, m, d) in sizes {
      let largest = !options.quick && n == sizes.last!.n
      cases.append(Case(name: "bilevel " + sizeLabel(n, m, d), config: networkConfig("bilevel", n: n, m: m, d: d), speedupTarget: largest,
                        shape: (n, m, d)))
      cases.append(Case(name: "lift " + sizeLabel(n, m, d), config: networkConfig(liftReduction, n: n, m: m, d: d), speedupTarget: false,
                        shape: (n, m, d)))
    }
    for m in options.quick ? [1000] : [1000, 4000] {
      cases.append(Case(name: "McKean–Vlasov, Gaussian interaction O(m²), m = \(m)", config: mckeanVlasovConfig(m: m), speedupTarget: false))
    }
    let (g, md) = options.quick ? (16, 100) : (32, 500)
    cases.append(Case(name: "sparse deconvolution T², bilevel, n = \(g)² = \(g * g), m = \(md)",
                      config: deconvolutionConfig(grid: g, m: md), speedupTarget: false))
    let roof = productRate(options)
    var rows: [Row] = []
    for c in cases {
      options.progress("steps: \(c.name), 1 and 2 threads")
      let one = try Stepper(c.config, overrides: ["threads=1"]), two = try Stepper(c.config, overrides: ["threads=2"])
      let (rate1, rate2, runs) = try one.pairedRates(two, options.budget)
      let speedup = rate2 / rate1
      rows.append(Row(suite: "steps", name: c.name + ", 1 thread", value: rate1, unit: "steps/s", note: stepNote(runs, one)))
      rows.append(Row(suite: "steps", name: c.name + ", 2 threads", value: rate2, unit: "steps/s",
                      note: String(format: "%.2f× one thread, the same steps", speedup)
                        + (c.speedupTarget ? " (" + target("≥ 1.7×", met: speedup >= 1.7) + ")" : "")
                        + "; " + stepNote(runs, two) + String(format: "; peak RSS so far %.0f MB", peakResidentMegabytes())))
      if let (n, m, d) = c.shape {
        let flops = flopsPerStep(n: n, m: m, d: d, stepper: two, steps: runs)
        let achieved = flops * rate2 / 1e9
        rows.append(Row(suite: "steps", name: c.name + ", roofline", value: roof.map { 100 * achieved / $0.gflops } ?? .nan,
                        unit: "% of product rate", note: rooflineNote(flops: flops, stepsPerSecond: rate2, roof: roof)))
      }
    }
    return rows
  }

  /// Steps per second on 2 threads against the number of particles m (fixed n, d) and of samples n
  /// (fixed m, d), for bilevel and lift, with the local exponent: time per step ∝ size^p between neighbours.
  public static func scaling(_ options: Options) throws -> [Row] {
    let quick = options.quick
    let (n0, m0, d) = quick ? (250, 250, 10) : (1000, 1000, 20)
    let sizes = quick ? [125, 250] : [250, 500, 1000, 2000]
    var rows: [Row] = []
    for reduction in ["bilevel", "lift"] {
      for axis in ["m", "n"] {
        var previous: (size: Int, rate: Double)?
        for s in sizes {
          let (n, m) = axis == "m" ? (n0, s) : (s, m0)
          let name = "\(reduction), \(axis) = \(s) (" + (axis == "m" ? "n = \(n)" : "m = \(m)") + ", d = \(d))"
          options.progress("scaling: \(name)")
          let config = networkConfig(reduction == "bilevel" ? "bilevel" : liftReduction, n: n, m: m, d: d)
          let stepper = try Stepper(config, overrides: ["threads=2"])
          let (rate, runs) = try stepper.rate(options.budget)
          var note = stepNote(runs, stepper)
          if reduction == "bilevel" { note = innerSystem(n: n, m: m) + "; " + note }
          if let p = previous {
            let exponent = log(p.rate / rate) / log(Double(s) / Double(p.size))
            note = String(format: "time ∝ \(axis)^%.2f from \(axis) = \(p.size); ", exponent) + note
          }
          rows.append(Row(suite: "scaling", name: name + ", 2 threads", value: rate, unit: "steps/s", note: note))
          previous = (s, rate)
        }
      }
    }
    return rows
  }
}
