import Dispatch
import Formats
import Foundation
import SolverAPI
import Suggestions

/// Variants of one experiment run side by side (`mfld compare`): several config files, and/or one config
/// with `--vary key.path=v1,v2,…` (several `--vary` make a grid), each with `repeats` seeds.
///
/// Common random numbers come for free: every random stream is named by its key path and derived from
/// the seed, so variants with the same seed share the data, the initial particles and the noise wherever
/// the parts that draw them are the same, and differences come from the component that changed.
/// Runs go concurrently, one thread each, as many at a time as there are cores.
public struct Comparison {
  public struct Variant: Sendable, Equatable {
    public var name: String
    public var file: String
    public var overrides: [String]
  }

  public var variants: [Variant]
  public var repeats: Int
  public var outputDirectory: String
  /// The level for "steps/time to target"; nil: the worst final mean over the variants (a level every
  /// variant reaches).
  public var target: Double?
  public var plugins: [String]
  /// The table's figure: a recorded quantity (nil: G_lambda for signed runs, else the objective).
  public var quantity: String?
  /// Average the figure over the recorded steps from this one on (nil: the last recorded value).
  public var averageFrom: Int?

  public init(variants: [Variant], repeats: Int, outputDirectory: String, target: Double? = nil, plugins: [String] = [],
              quantity: String? = nil, averageFrom: Int? = nil) {
    self.variants = variants
    self.repeats = repeats
    self.outputDirectory = outputDirectory
    self.target = target
    self.plugins = plugins
    self.quantity = quantity
    self.averageFrom = averageFrom
  }

  /// Files × the grid of `vary` specs, each variant with the shared `overrides` first.
  public static func variants(files: [String], vary: [String], overrides: [String] = []) throws -> [Variant] {
    var grid: [[(String, String)]] = [[]]
    for spec in vary {
      guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
        throw ConfigError(path: "", "--vary '\(spec)' is not of the form key.path=v1,v2,…", fix: "write e.g. --vary integrator.step=0.01,0.02")
      }
      let key = String(spec[..<eq])
      let values = splitTopLevel(String(spec[spec.index(after: eq)...]))
      guard !values.isEmpty else { throw ConfigError(path: key, "--vary gives no values", fix: "list values separated by commas") }
      grid = grid.flatMap { row in values.map { row + [(key, $0)] } }
    }
    var out: [Variant] = []
    for file in files {
      let base = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
      for row in grid {
        let label = row.map { "\($0.0)=\(display($0.1))" }.joined(separator: ", ")
        let name = files.count > 1 ? (label.isEmpty ? base : base + " · " + label) : (label.isEmpty ? base : label)
        out.append(Variant(name: name, file: file, overrides: overrides + row.map { "\($0.0)=\($0.1)" }))
      }
    }
    return out
  }

  /// A value as a variant name shows it: `{"type": "lift", "metric": "conic"}` is `lift(metric=conic)`.
  static func display(_ text: String) -> String {
    guard let v = try? JSONParser.parse(text) else { return text }
    func show(_ v: ConfigValue) -> String {
      switch v {
      case .string(let s): return s
      case .object(let o):
        let type: String = { if case .string(let t)? = o["type"] { return t } else { return "" } }()
        let rest = o.filter { $0.key != "type" }.map { "\($0.key)=\(show($0.value))" }
        return rest.isEmpty ? type : type + "(" + rest.joined(separator: ", ") + ")"
      case .array(let a): return "[" + a.map(show).joined(separator: ", ") + "]"
      default: return v.jsonText(pretty: false)
      }
    }
    return show(v)
  }

  /// Splits at commas outside brackets, braces and quotes: `bilevel,{"type": "lift", "metric": "conic"}`.
  static func splitTopLevel(_ s: String) -> [String] {
    var parts: [String] = [], current = "", depth = 0, quoted = false
    for c in s {
      if c == "\"" { quoted.toggle() }
      if !quoted { if c == "{" || c == "[" { depth += 1 } else if c == "}" || c == "]" { depth -= 1 } }
      if c == ",", depth == 0, !quoted { parts.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
      current.append(c)
    }
    if !current.trimmingCharacters(in: .whitespaces).isEmpty { parts.append(current.trimmingCharacters(in: .whitespaces)) }
    return parts
  }

  /// One run of one variant.
  public struct Run: Sendable {
    public var variant: Int
    public var seed: Int
    public var directory: String
    public var status: String
    public var message: String?
  }

  /// What a comparison produced.
  public struct Result {
    public var runs: [Run]
    public var traces: [[RunTrace]]
    public var primary: String
    public var target: Double
    /// comparison.md's table, also used by index.html.
    public var tableHeader: [String]
    public var tableRows: [[String]]
    public var files: [String]
  }

  /// Runs every variant × seed and writes the comparison folder. A config error in any variant stops it
  /// before anything runs; a diverged run is reported in the table and the comparison goes on.
  public func run(log: ((String) -> Void)? = nil) throws -> Result {
    // Compose every variant once up front, so a bad variant fails before any run starts.
    var seeds: [Int] = []
    for v in variants {
      let e = try Experiment.load(file: v.file, overrides: v.overrides, plugins: plugins)
      guard case .object(let o) = e.config, case .integer(let s)? = o["seed"] else { seeds.append(0); continue }
      seeds.append(s)
    }
    let root = URL(fileURLWithPath: outputDirectory)
    var jobs: [Run] = []
    for (i, v) in variants.enumerated() {
      for r in 0..<repeats {
        let dir = root.appendingPathComponent("runs").appendingPathComponent(RunPlots.safeName(v.name))
          .appendingPathComponent("seed-\(seeds[i] + r)").path
        jobs.append(Run(variant: i, seed: seeds[i] + r, directory: dir, status: "pending"))
      }
    }
    let lock = NSLock()
    var failures: [Error?] = Array(repeating: nil, count: jobs.count)
    let variants = self.variants, plugins = self.plugins
    jobs.withUnsafeMutableBufferPointer { jp in
      let jobsPointer = jp
      DispatchQueue.concurrentPerform(iterations: jobsPointer.count) { j in
        let job = jobsPointer[j], v = variants[job.variant]
        do {
          let e = try Experiment.load(file: v.file, overrides: v.overrides + ["seed=\(job.seed)", "threads=1"], plugins: plugins)
          let result = try e.run(outputPath: job.directory)
          let status = result.outcome.failure.map { $0.kind == .diverged ? "diverged" : "failed" } ?? "completed"
          lock.lock()
          jobsPointer[j].status = status
          jobsPointer[j].message = result.outcome.failure?.message
          log?("\(v.name), seed \(job.seed): \(status)")
          lock.unlock()
        } catch {
          lock.lock()
          failures[j] = error
          jobsPointer[j].status = "failed"
          jobsPointer[j].message = "\(error)"
          lock.unlock()
        }
      }
    }
    if let error = failures.compactMap({ $0 }).first { throw error }
    let traces = try variants.indices.map { i in try jobs.filter { $0.variant == i }.map { try RunTrace(directory: $0.directory) } }
    return try report(jobs: jobs, traces: traces)
  }

  static func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }
}
