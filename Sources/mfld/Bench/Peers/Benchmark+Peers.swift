import Foundation
import MFLD

extension Benchmark {
  /// The agreement tolerance of one noiseless step, Swift against NumPy.
  static let peerTolerance = 1e-9

  /// "the better of 1 BLAS thread (x) and its default threads (y)".
  static func bestOfNote(_ one: Double, _ all: Double, _ unit: String) -> String {
    "the better of 1 BLAS thread (\(format(one))) and its default threads (\(format(all))) \(unit)"
  }

  /// The peer's description of an experiment's first step: its data, particles, λ, η, ratio. Checks that
  /// the experiment is what the script computes (relu, square loss, the sphere, no reference potential).
  static func peerCase(name: String, plan: RunPlan, tau: Double, seconds: Double, windows: Int) throws -> PeerProblem.Case {
    let signed: any SignedObjective, reduction: String
    if let b = plan.problem.objective as? BilevelObjective { signed = b.full; reduction = "bilevel" } else if let l = plan.problem.objective as? LiftObjective, !l.conic {
      signed = l.full; reduction = "lift"
    } else { throw PeerError("\(name): the NumPy peer covers bilevel and Wasserstein lift steps only") }
    guard let ridge = signed.features as? RidgeFeatures, case .relu = ridge.activation, signed.loss.isSquare, signed.domain is Sphere else {
      throw PeerError("\(name): the NumPy peer computes relu networks with the square loss on the sphere")
    }
    let D = ridge.dimension, n = ridge.sampleCount, cloud = plan.state.cloud, m = cloud.count
    var positions = cloud.coordinates, weights: [Double]?, ratio = 1.0
    if reduction == "lift" {
      guard let metric = plan.problem.metric as? LiftedWassersteinMetric else { throw PeerError("\(name): not a Wasserstein lift") }
      ratio = metric.ratio
      weights = (0..<m).map { cloud[$0, 0] }
      positions = (0..<m).flatMap { i in (0..<D).map { cloud[i, 1 + $0] } }
    }
    return PeerProblem.Case(name: name, reduction: reduction, n: n, m: m, D: D, inputs: ridge.inputs, labels: signed.labels,
                            positions: positions, weights: weights, lambda: signed.lambda,
                            eta: plan.integrator.stepSize.value(at: plan.state.step), tau: tau, ratio: ratio, seconds: seconds,
                            windows: windows)
  }

  /// Bilevel and lift steps at the issue's sizes against the NumPy reference, in one run: (a) one noiseless
  /// step from the same particles agrees to 1e-9 (a failed row otherwise), (b) steps/s of Swift (τ = 1e-4; the
  /// better of 1 and 2 threads, taking turns over the same steps, as NumPy gets the better of 1 BLAS
  /// thread and its default threads; each side the best of five windows of ⅓ s) and of NumPy, timed
  /// right after Swift case by case, and their ratio, with the inner solve's CG iterations and
  /// factorizations; for bilevel also Swift with `"method": "cholesky"` (a fresh factorization every
  /// step), what PCG buys.
  /// One row saying why when python3 or numpy is missing.
  public static func peers(_ options: Options) throws -> [Row] {
    if let reason = NumPyPeer.unavailable(peers: options.peersDirectory) {
      return [Row(suite: "peers", name: "NumPy reference", value: .nan, unit: "", note: "skipped: " + reason)]
    }
    struct Measured {
      var label: String, key: String, reduction: String, n: Int, m: Int
      /// Steps/s on 1 and 2 threads, taking turns over the same steps.
      var start: Double, after: [Double], one: Double, two: Double, runs: Int, isBilevel: Bool, inner: String
      var rate: Double { max(one, two) }
      /// Bilevel: the same steps with the direct inner solve (`"method": "cholesky"`): steps/s, timed steps, note.
      var cholesky: (rate: Double, runs: Int, inner: String)?
    }
    // Five windows a side, not three: the ratio needs both sides' unloaded speed, and on a shared
    // machine a neighbour's load comes and goes over seconds.
    let budget = options.budget.windows(5)
    var measured: [Measured] = []
    let directory = try NumPyPeer.temporaryDirectory()
    var keep = false
    defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
    /// NumPy's answers per case key, on one BLAS thread and on its default threads.
    var numpy: [String: (one: PeerResult, all: PeerResult)] = [:]
    for (n, m, d) in networkSizes(quick: options.quick) {
      for reduction in ["bilevel", "lift"] {
        let label = "\(reduction) " + sizeLabel(n, m, d), key = "\(reduction)-\(n)-\(m)-\(d)"
        let reductionConfig = reduction == "bilevel" ? "bilevel" : liftReduction
        let config = networkConfig(reductionConfig, n: n, m: m, d: d)
        options.progress("peers: \(label), one noiseless step")
        let noiseless = try Stepper(networkConfig(reductionConfig, n: n, m: m, d: d, temperature: 0), overrides: ["threads=2"])
        let peer = try peerCase(name: key, plan: noiseless.plan, tau: 1e-4, seconds: budget.minSeconds, windows: budget.windows)
        let start = try noiseless.step()
        options.progress("peers: \(label), Swift steps/s on 1 and 2 threads")
        let timed = try Stepper(config, overrides: ["threads=2"]), single = try Stepper(config, overrides: ["threads=1"])
        let (two, one, runs) = try timed.pairedRates(single, budget)
        var cholesky: (rate: Double, runs: Int, inner: String)?
        if reduction == "bilevel" {
          options.progress("peers: \(label), Swift steps/s with the direct inner solve")
          let direct = try Stepper(networkConfig(["type": "bilevel", "method": "cholesky"], n: n, m: m, d: d), overrides: ["threads=2"])
          let (r, k) = try direct.rate(budget)
          cholesky = (r, k, direct.innerNote)
        }
        measured.append(Measured(label: label, key: key, reduction: reduction, n: n, m: m, start: start,
                                 after: noiseless.plan.state.cloud.coordinates, one: one, two: two, runs: runs,
                                 isBilevel: timed.bilevel != nil, inner: timed.innerNote, cholesky: cholesky))
        // NumPy on the same case right away, so that both sides of the ratio meet this shared machine
        // in the same state (a neighbour's load comes and goes over tens of seconds).
        options.progress("peers: \(label), NumPy (\(NumPyPeer.script(in: options.peersDirectory)))")
        let folder = directory + "/" + key
        do {
          try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
          let answer = try NumPyPeer.run(PeerProblem(cases: [peer]), peers: options.peersDirectory, in: folder)
          numpy[key] = (answer.oneThread, answer.defaultThreads)
        } catch {
          keep = true
          return [Row(suite: "peers", name: "NumPy reference", value: .nan, unit: "", note: "FAILED: \(error) (inputs kept in \(folder))", failed: true)]
        }
      }
    }
    var rows: [Row] = []
    for s in measured {
      // (a) One noiseless step from the same particles.
      let stepFile = directory + "/" + s.key + "/" + s.key + ".step.bin"
      var agreement = Row(suite: "peers", name: s.label + ": one noiseless step, max |Swift − NumPy|", value: .nan, unit: "", note: "")
      if let theirs = try? PeerProblem.readDoubles(stepFile), theirs.count == s.after.count {
        let diff = zip(s.after, theirs).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
        agreement.value = diff.isNaN ? .infinity : diff
        let objective = numpy[s.key]?.all.cases[s.key]?.objective ?? .nan
        let relative = abs(objective - s.start) / max(abs(objective), 1e-300)
        if diff <= peerTolerance {
          agreement.note = "agrees (tolerance 1e-9); objective relative difference " + String(format: "%.1e", relative)
        } else {
          keep = true
          agreement.failed = true
          agreement.note = "MISMATCH: more than 1e-9 apart (inputs and NumPy's step kept in \(directory))"
        }
      } else {
        keep = true
        agreement.failed = true
        agreement.note = "MISMATCH: \(stepFile) is missing or has the wrong size"
      }
      rows.append(agreement)
      // (b) Steps/s and the ratio.
      func stepsNote(_ runs: Int, _ inner: String) -> String {
        "τ = 1e-4; \(runs) timed step\(runs == 1 ? "" : "s")" + (inner.isEmpty ? "" : "; " + innerSystem(n: s.n, m: s.m) + "; " + inner)
      }
      rows.append(Row(suite: "peers", name: s.label + ": Swift", value: s.rate, unit: "steps/s",
                      note: "the better of 1 thread (\(format(s.one))) and 2 threads (\(format(s.two))) steps/s, the same steps; "
                        + stepsNote(s.runs, s.inner)))
      if let c = s.cholesky {
        rows.append(Row(suite: "peers", name: s.label + ": Swift (cholesky), 2 threads", value: c.rate, unit: "steps/s",
                        note: String(format: "pcg / cholesky on 2 threads = %.2f×; ", s.two / c.rate) + stepsNote(c.runs, c.inner)))
      }
      guard let results = numpy[s.key], let one = results.one.cases[s.key]?.stepsPerSecond, let all = results.all.cases[s.key]?.stepsPerSecond else {
        continue
      }
      rows.append(Row(suite: "peers", name: s.label + ": NumPy", value: max(one, all), unit: "steps/s",
                      note: "NumPy \(results.all.numpyVersion), τ = 1e-4" + (s.isBilevel ? ", np.linalg.solve" : "") + "; "
                        + bestOfNote(one, all, "steps/s")))
      var goal: Double?
      if s.isBilevel && (s.n, s.m) == (500, 200) { goal = 5 }
      if s.isBilevel && (s.n, s.m) == (1000, 1000) { goal = 2 }
      let ratio = s.rate / max(one, all)
      rows.append(Row(suite: "peers", name: s.label + ": Swift / NumPy", value: ratio, unit: "× NumPy",
                      note: goal.map { target("≥ \(Int($0))×", met: ratio >= $0) } ?? ""))
      if let c = s.cholesky {
        rows.append(Row(suite: "peers", name: s.label + ": Swift (cholesky) / NumPy", value: c.rate / max(one, all), unit: "× NumPy",
                        note: "for comparison: the targets are the default's (pcg)"))
      }
    }
    return rows
  }
}
