import Foundation
import MFLD

/// What the NumPy reference `bench/peers/numpy_steps.py` is given: a folder with `problem.json` and raw
/// little-endian float64 arrays beside it. Per case the script writes `<name>.step.bin` (the particles
/// after one noiseless step) and its steps/s; it also times float64 matrix products, Gram products
/// A @ A.T and Cholesky factorizations of the listed sizes. It answers in `result.json` (`PeerResult`).
public struct PeerProblem: Sendable {
  /// One bilevel or lift step of a relu two-layer network (square loss, W the sphere, no reference potential).
  public struct Case: Sendable {
    /// Also the stem of its files; letters, digits and '-' only.
    public var name: String
    /// "bilevel" or "lift".
    public var reduction: String
    /// n samples, m particles, D = d + 1 coordinates per particle (with the bias).
    public var n: Int, m: Int, D: Int
    /// X̃, n × D row-major, the bias column included.
    public var inputs: [Double]
    /// y, n.
    public var labels: [Double]
    /// The initial w_i, m × D row-major.
    public var positions: [Double]
    /// The initial weights r_i (lift only).
    public var weights: [Double]?
    public var lambda: Double, eta: Double
    /// The temperature of NumPy's timed steps (the checked step is noiseless).
    public var tau: Double
    /// The lift's r-step / w-step ratio.
    public var ratio: Double
    /// NumPy times its steps for at least this long (and `windows` steps).
    public var seconds: Double
    /// NumPy's rate is the best of this many windows, each `seconds / windows` long (and one step).
    public var windows: Int

    public init(name: String, reduction: String, n: Int, m: Int, D: Int, inputs: [Double], labels: [Double], positions: [Double],
                weights: [Double]? = nil, lambda: Double, eta: Double, tau: Double, ratio: Double = 1, seconds: Double, windows: Int = 3) {
      self.name = name; self.reduction = reduction; self.n = n; self.m = m; self.D = D
      self.inputs = inputs; self.labels = labels; self.positions = positions; self.weights = weights
      self.lambda = lambda; self.eta = eta; self.tau = tau; self.ratio = ratio; self.seconds = seconds
      self.windows = windows
    }
  }

  public var cases: [Case]
  /// Matrix products to time, [M, N, K]: A (M × K) times B (K × N).
  public var matmul: [[Int]]
  /// Gram products A @ A.T to time, [M, K]: A M × K (NumPy calls syrk).
  public var gram: [[Int]]
  /// Cholesky factorizations to time, by order n.
  public var cholesky: [Int]
  /// How long NumPy times each product and factorization (at least; and 3 runs).
  public var kernelSeconds: Double

  public init(cases: [Case] = [], matmul: [[Int]] = [], gram: [[Int]] = [], cholesky: [Int] = [], kernelSeconds: Double = 1) {
    self.cases = cases; self.matmul = matmul; self.gram = gram; self.cholesky = cholesky; self.kernelSeconds = kernelSeconds
  }

  /// The file names of a case's arrays: X, y, W and (lift) r.
  public static func files(of c: Case) -> [String: String] {
    var f = ["X": c.name + ".X.bin", "y": c.name + ".y.bin", "W": c.name + ".W.bin"]
    if c.weights != nil { f["r"] = c.name + ".r.bin" }
    return f
  }

  /// problem.json's content.
  public var json: ConfigValue {
    .object([
      "cases": .array(cases.map { c in
        var o: ConfigObject = ["name": .string(c.name), "reduction": .string(c.reduction),
                               "n": .integer(c.n), "m": .integer(c.m), "D": .integer(c.D),
                               "lambda": .real(c.lambda), "eta": .real(c.eta), "tau": .real(c.tau), "ratio": .real(c.ratio),
                               "seconds": .real(c.seconds), "windows": .integer(c.windows)]
        for (key, file) in Self.files(of: c).sorted(by: { $0.key < $1.key }) { o[key] = .string(file) }
        return .object(o)
      }),
      "matmul": .array(matmul.map { .array($0.map(ConfigValue.integer)) }),
      "gram": .array(gram.map { .array($0.map(ConfigValue.integer)) }),
      "cholesky": .array(cholesky.map(ConfigValue.integer)),
      "matmul_seconds": .real(kernelSeconds),
    ])
  }

  /// Writes problem.json and every case's arrays into `directory` (which must exist).
  public func write(to directory: String) throws {
    for c in cases {
      precondition(c.name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }, "case names become file names")
      precondition(c.inputs.count == c.n * c.D && c.labels.count == c.n && c.positions.count == c.m * c.D
                   && (c.weights?.count ?? c.m) == c.m, "array sizes do not match (n, m, D)")
      let files = Self.files(of: c)
      try Self.writeDoubles(c.inputs, to: directory + "/" + files["X"]!)
      try Self.writeDoubles(c.labels, to: directory + "/" + files["y"]!)
      try Self.writeDoubles(c.positions, to: directory + "/" + files["W"]!)
      if let r = c.weights { try Self.writeDoubles(r, to: directory + "/" + files["r"]!) }
    }
    try Data((json.jsonText(pretty: true) + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/problem.json"))
  }

  /// Raw little-endian float64.
  public static func writeDoubles(_ values: [Double], to path: String) throws {
    let bits = values.map { $0.bitPattern.littleEndian }
    try bits.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
  }

  /// Raw little-endian float64 (a trailing partial value is an error).
  public static func readDoubles(_ path: String) throws -> [Double] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard data.count % 8 == 0 else { throw PeerError("\(path) holds \(data.count) bytes, not a whole number of float64") }
    var bits = [UInt64](repeating: 0, count: data.count / 8)
    _ = bits.withUnsafeMutableBytes { data.copyBytes(to: $0) }
    return bits.map { Double(bitPattern: UInt64(littleEndian: $0)) }
  }
}

/// What the NumPy reference answered (result.json).
public struct PeerResult: Sendable {
  public var numpyVersion: String
  /// Per case name: J at the initial particles and NumPy's steps/s.
  public var cases: [String: (objective: Double, stepsPerSecond: Double)]
  /// GFLOP/s per [M, N, K].
  public var matmul: [[Int]: Double]
  /// GFLOP/s (2·M²·K flops) of A @ A.T per [M, K].
  public var gram: [[Int]: Double]
  /// GFLOP/s per Cholesky order n (n³/3 flops).
  public var cholesky: [Int: Double]

  public init(json: ConfigValue) throws {
    guard case .object(let o) = json else { throw PeerError("result.json is not an object") }
    func number(_ v: ConfigValue?) -> Double? { v?.doubleValue }
    func objects(_ key: String) -> [ConfigObject] {
      guard case .array(let a)? = o[key] else { return [] }
      return a.compactMap { if case .object(let e) = $0 { return e } else { return nil } }
    }
    if case .string(let v)? = o["numpy"] { numpyVersion = v } else { numpyVersion = "?" }
    cases = [:]
    for c in objects("cases") {
      guard case .string(let name)? = c["name"], let rate = number(c["steps_per_second"]) else { throw PeerError("a case in result.json lacks name or steps_per_second") }
      cases[name] = (number(c["objective"]) ?? .nan, rate)
    }
    matmul = [:]
    for e in objects("matmul") {
      guard case .array(let s)? = e["shape"], let g = number(e["gflops"]) else { throw PeerError("a matmul entry in result.json lacks shape or gflops") }
      matmul[s.compactMap { $0.doubleValue.map { Int($0) } }] = g
    }
    gram = [:]
    for e in objects("gram") {
      guard case .array(let s)? = e["shape"], let g = number(e["gflops"]) else { throw PeerError("a gram entry in result.json lacks shape or gflops") }
      gram[s.compactMap { $0.doubleValue.map { Int($0) } }] = g
    }
    cholesky = [:]
    for e in objects("cholesky") {
      guard let n = number(e["n"]), let g = number(e["gflops"]) else { throw PeerError("a cholesky entry in result.json lacks n or gflops") }
      cholesky[Int(n)] = g
    }
  }
}

public struct PeerError: Error, CustomStringConvertible {
  public var description: String
  public init(_ d: String) { description = d }
}

/// Running the NumPy reference.
enum NumPyPeer {
  static func script(in peers: String) -> String { peers + "/numpy_steps.py" }

  /// Runs `/usr/bin/env ARGUMENTS` with stdout and stderr into `log` (a file: no pipe to fill up) and
  /// `environment` added to ours; returns the exit status.
  static func execute(_ arguments: [String], log: String, environment: [String: String] = [:]) throws -> Int32 {
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    defer { try? handle.close() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    p.standardOutput = handle
    p.standardError = handle
    p.standardInput = FileHandle.nullDevice
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
  }

  /// Nil when the script is there and `python3 -c "import numpy"` works; otherwise why the peer is skipped.
  static func unavailable(peers: String) -> String? {
    guard FileManager.default.fileExists(atPath: script(in: peers)) else {
      return "\(script(in: peers)) not found (run from the package root, or pass --peers DIR)"
    }
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-bench-\(UUID().uuidString).log").path
    defer { try? FileManager.default.removeItem(atPath: log) }
    guard let status = try? execute(["python3", "-c", "import numpy"], log: log) else { return "cannot start /usr/bin/env python3" }
    if status == 127 { return "python3 not found" }
    if status != 0 { return "python3 cannot import numpy" }
    return nil
  }

  /// A fresh temporary folder.
  static func temporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }

  /// The BLAS thread-count variables NumPy's libraries read at import.
  static let singleThreaded = ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"]

  /// Writes `problem` into `directory` and runs the script on it twice: its BLAS on one thread, then on its
  /// default threads. NumPy's figure is the better of the two — a multithreaded BLAS collapses on a loaded
  /// machine or on small products, and a peer must not be beaten by its thread setting. The step files are
  /// the second run's.
  static func run(_ problem: PeerProblem, peers: String, in directory: String) throws -> (oneThread: PeerResult, defaultThreads: PeerResult) {
    try problem.write(to: directory)
    let one = try runScript(peers: peers, in: directory, environment: singleThreaded)
    return (one, try runScript(peers: peers, in: directory, environment: [:]))
  }

  static func runScript(peers: String, in directory: String, environment: [String: String]) throws -> PeerResult {
    let log = directory + "/numpy.log"
    let status = try execute(["python3", script(in: peers), directory], log: log, environment: environment)
    guard status == 0 else {
      let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: " / ")
      throw PeerError("\(script(in: peers)) exited with status \(status): \(tail)")
    }
    let text = try String(contentsOfFile: directory + "/result.json", encoding: .utf8)
    return try PeerResult(json: try JSONParser.parse(text))
  }
}

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
