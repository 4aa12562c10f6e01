import Formats
import Foundation
import SolverAPI

/// The memory a run will need at its peak, estimated from sizes known before anything big is
/// allocated, so that a config that cannot fit is refused at once with the estimate in the message.
///
/// The process itself (≈ 25 MB: the runtime and the code). Per particle and coordinate: the cloud and its
/// gradient, and one more for what a part keeps beside them (≈ 3 doubles; the run moves the particles in
/// place — `Experiment.run` keeps no starting copy — and the particle files are written in pieces). Signed objectives add the m × n feature
/// matrix, its Jacobian data (× width: 0 for relu, tanh and sigmoid, whose slopes are read off the features),
/// the pullback's scratch, the data's inputs, and for bilevel the inner system (2 min(m, n)²); a test split
/// adds its inputs and the m × n_test test features; a target cloud (mmd) its points; dual averaging keeps
/// every outer iterate (⌈steps / inner_steps⌉ copies of the cloud, counted twice: the allocator does not give
/// back the pages between them). Measured peaks are within 1.5× (README, "Long runs"). The limit is the least
/// of physical memory, `RLIMIT_AS` and the cgroup's `memory.max`.
public enum MemoryEstimate {
  /// One part of the estimate: the bytes and the key that sets them (named when it is the largest).
  public struct Item {
    public var path: String
    public var what: String
    public var bytes: Double
    /// How to shrink it.
    public var fix: String
    /// Memory held only while the data are read (a CSV's text), freed before the run allocates its own.
    public var transient = false
  }

  /// The peak: the run's items together, or reading the data, whichever is larger.
  public static func total(_ items: [Item]) -> Double {
    let steady = items.filter { !$0.transient }.reduce(0) { $0 + $1.bytes }
    let reading = items.filter(\.transient).reduce(0) { $0 + $1.bytes }
    return max(steady, reading > 0 ? baseline + reading : 0)
  }

  /// The process before any run: the runtime, the libraries and the code.
  public static let baseline = 25e6

  public static func items(particles m: Int, dimension d: Int, samples n: Int, jacobianWidth: Int = 1, innerSystem: Bool = true,
                           testSamples nt: Int = 0, inputDimension di: Int = 0, targetPoints: Int = 0, snapshots: Int = 0,
                           samplesPath: String = "objective.data.samples", testPath: String = "objective.data.test_samples") -> [Item] {
    let (mm, dd, nn, tt, ii) = (Double(m), Double(d), Double(n), Double(nt), Double(max(di, d)))
    var items = [Item(path: "particles.count", what: "\(m) particles × \(d) coordinates", bytes: baseline + 3 * 8 * mm * dd, fix: "use fewer particles")]
    if n > 0 {
      items.append(Item(path: "particles.count", what: "\(m) × \(n) feature matrices",
                        bytes: 8 * (mm * nn * (3 + Double(jacobianWidth)) + (innerSystem ? 2 * pow(min(mm, nn), 2) : 0) + nn * ii),
                        fix: "use fewer particles or fewer data points (\(samplesPath))"))
    }
    if nt > 0 {
      items.append(Item(path: testPath, what: "\(nt) test points and their \(m) × \(nt) features", bytes: 8 * (tt * ii + mm * tt),
                        fix: "use fewer test points"))
    }
    if targetPoints > 0 {
      items.append(Item(path: "objective.target_count", what: "\(targetPoints) target points", bytes: 8 * Double(targetPoints) * dd,
                        fix: "use fewer target points"))
    }
    if snapshots > 0 {
      items.append(Item(path: "integrator.inner_steps", what: "\(snapshots) kept outer iterates of the cloud", bytes: 2 * 8 * Double(snapshots) * mm * dd,
                        fix: "dual averaging keeps one copy of the cloud per inner_steps steps: raise integrator.inner_steps, or run fewer steps"))
    }
    return items
  }

  public static func bytes(particles m: Int, dimension d: Int, samples n: Int, jacobianWidth: Int = 1) -> Double {
    items(particles: m, dimension: d, samples: n, jacobianWidth: jacobianWidth).reduce(0) { $0 + $1.bytes }
  }

  /// Physical memory of this machine.
  public static var physicalBytes: Double {
    Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
  }

  /// What this process may use: physical memory, its address-space limit (`ulimit -v`) and its cgroup's
  /// memory limit, whichever is least, with the name of the one that binds.
  public static var availableBytes: (bytes: Double, limit: String) {
    var best = (physicalBytes, "this machine's memory")
    var limit = rlimit()
    if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max, Double(limit.rlim_cur) < best.0 {
      best = (Double(limit.rlim_cur), "the address-space limit (ulimit -v)")
    }
    for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
      if let text = try? String(contentsOfFile: file, encoding: .utf8),
         let v = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), v < best.0 {
        best = (v, "the cgroup's memory limit")
      }
    }
    return best
  }

  static func format(_ bytes: Double) -> String {
    bytes >= 1e12 ? String(format: "%.1f TB", bytes / 1e12)
      : bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", bytes / 1e6)
  }

  /// Throws when the estimate exceeds 90% of what the process may use, naming the largest item's key.
  public static func check(_ items: [Item], file: String?) throws {
    let need = total(items)
    let (have, limit) = availableBytes
    guard need > 0.9 * have, let largest = items.max(by: { $0.bytes < $1.bytes }) else { return }
    throw ConfigError(file: file, path: largest.path,
                      "the run needs about \(format(need)) (\(items.map(\.what).joined(separator: ", "))), more than \(limit), \(format(have))",
                      fix: largest.fix + " (it accounts for \(format(largest.bytes)))")
  }

  public static func check(particles m: Int, dimension d: Int, samples n: Int, jacobianWidth: Int = 1, file: String?) throws {
    try check(items(particles: m, dimension: d, samples: n, jacobianWidth: jacobianWidth), file: file)
  }

  /// A first check from the resolved config alone, before any part (or data set) is built: a data set of
  /// terabytes is refused before it is generated.
  static func precheck(_ resolved: ConfigObject, file: String?, baseDirectory: String = ".") throws {
    try check(items(for: resolved, baseDirectory: baseDirectory), file: file)
  }

  /// The rows and columns of a CSV file, estimated from its size and its first 64 KB (nil if unreadable).
  static func csvShape(_ path: String) -> (bytes: Double, rows: Int, columns: Int)? {
    guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
          let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 1 << 16)) ?? Data()
    let lines = head.split(separator: 0x0A)
    guard let header = lines.first, lines.count >= 2 else { return (size.doubleValue, 0, 0) }
    let rows = Int(size.doubleValue / (Double(head.count) / Double(max(1, head.filter { $0 == 0x0A }.count))))
    return (size.doubleValue, rows, header.filter { $0 == UInt8(ascii: ",") }.count + 1)
  }

  /// The estimate's items for a resolved config (`mfld validate` prints their total); data files are
  /// measured, relative paths against `baseDirectory`.
  public static func items(for resolved: ConfigObject, baseDirectory: String = ".") -> [Item] {
    func int(_ v: ConfigValue?) -> Int? { if case .integer(let i)? = v { return i } else { return nil } }
    func object(_ v: ConfigValue?) -> ConfigObject? { if case .object(let o)? = v { return o } else { return nil } }
    guard let m = int(object(resolved["particles"])?["count"]) else { return [] }
    let domain = object(resolved["domain"]), objective = object(resolved["objective"]), integrator = object(resolved["integrator"])
    var d = int(domain?["dimension"]) ?? 1
    if case .string("sphere")? = domain?["type"] { d += 1 }
    var n = 0, nt = 0, di = 0, target = 0, width = 1, reading = 0.0
    var samplesPath = "objective.data.samples", testPath = "objective.data.test_samples"
    if let o = objective {
      let data = object(o["data"])
      n = int(data?["samples"]) ?? int(o["samples"]) ?? 0
      nt = int(data?["test_samples"]) ?? int(o["test_samples"]) ?? 0
      if data == nil { (samplesPath, testPath) = ("objective.samples", "objective.test_samples") }
      if let g = int(o["grid"]) { n = Int(pow(Double(g), Double(int(o["dimension"]) ?? 1)).rounded()); samplesPath = "objective.grid" }
      if let dd = int(data?["dimension"]) ?? (n > 0 ? int(o["dimension"]) : nil) { di = dd; d = max(d, dd + 1) }
      if case .string("mmd")? = o["type"] { target = int(o["target_count"]) ?? 0 }
      if case .string(let a)? = o["activation"], ["relu", "tanh", "sigmoid"].contains(a) { width = 0 }
      // A CSV data set: rows and columns from the files, and their text while it is read.
      if case .string("csv")? = data?["type"] {
        func path(_ key: String) -> String? {
          guard case .string(let p)? = data?[key], !p.isEmpty else { return nil }
          return p.hasPrefix("/") ? p : URL(fileURLWithPath: baseDirectory).appendingPathComponent(p).path
        }
        var text = 0.0
        if let f = path("file"), let shape = csvShape(f) {
          text += shape.bytes
          n = shape.rows
          if case .array(let features)? = data?["features"], !features.isEmpty { di = features.count } else { di = max(shape.columns - 1, 1) }
          d = max(d, di + 1)
          if let fraction = data?["test_fraction"]?.doubleValue, fraction > 0 { nt = Int(Double(n) * fraction); n -= nt }
        }
        if let f = path("test_file"), let shape = csvShape(f) { text += shape.bytes; nt = shape.rows }
        if text > 0 { reading = text }
      }
    }
    var snapshots = 0
    if case .string("dual-averaging")? = integrator?["type"], let steps = int(resolved["steps"]), let k = int(integrator?["inner_steps"]), k > 0 {
      snapshots = min(steps / k + 1, int(integrator?["window"]) ?? .max)
    }
    let lift: Bool = {
      if case .string("lift")? = resolved["reduction"] { return true }
      if case .object(let r)? = resolved["reduction"], case .string("lift")? = r["type"] { return true }
      return false
    }()
    var result = items(particles: m, dimension: d, samples: n, jacobianWidth: width, innerSystem: !lift, testSamples: nt, inputDimension: di,
                       targetPoints: target, snapshots: snapshots, samplesPath: samplesPath, testPath: testPath)
    // Random batches (docs/math.md §6): the partition, one 32-bit index a particle; from half a million particles
    // drawn a sixteenth at a time, with a 4-bit group a particle (the values are counted above).
    func batched(_ v: ConfigValue?) -> Bool {
      guard let o = object(v) else { return false }
      if (int(o["batch"]) ?? 0) >= 2 { return true }
      if case .array(let terms)? = o["terms"] { return terms.contains { batched($0) } }
      return false
    }
    if batched(resolved["objective"]) {
      let bytes = m >= 500_000 ? (0.5 + 4.0 / 16 * 1.2) * Double(m) : 4 * Double(m)
      result.append(Item(path: "objective", what: "the random-batch partition of \(m) particles", bytes: bytes, fix: "use fewer particles"))
    }
    if reading > 0 {
      // The bytes and their decoded text, both held while the table is parsed.
      result.append(Item(path: "objective.data.file", what: String(format: "reading %.0f MB of CSV", reading / 1e6), bytes: 2 * reading,
                         fix: "use a smaller data file", transient: true))
    }
    return result
  }
}
