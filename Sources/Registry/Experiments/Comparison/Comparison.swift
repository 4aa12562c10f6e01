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
    /// The `--vary` keys and this variant's value of each (JSON text): comparison.csv's sweep columns.
    public var sweptKeys: [String] = []
    public var sweptValues: [String] = []

    public init(name: String, file: String, overrides: [String], sweptKeys: [String] = [], sweptValues: [String] = []) {
      self.name = name
      self.file = file
      self.overrides = overrides
      self.sweptKeys = sweptKeys
      self.sweptValues = sweptValues
    }
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
        out.append(Variant(name: name, file: file, overrides: overrides + row.map { "\($0.0)=\($0.1)" },
                           sweptKeys: row.map(\.0), sweptValues: row.map(\.1)))
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
    /// completed, diverged, failed (these are finished), interrupted, or missing (never run).
    public var status: String
    public var message: String?
    /// Its trace's index in `Result.traces[variant]`, when it finished with one.
    public var trace: Int?
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

  /// Plans, runs and collects: every variant × seed, `jobs` at a time, into the comparison folder (a
  /// `Sweep`). A config error in any variant stops it before anything runs; a diverged or failed run is
  /// reported in the table and the others go on. Runs already finished in the folder are not run again.
  public func run(jobs: Int? = nil, checkpointEvery: Int? = nil, shouldStop: (() -> Bool)? = nil,
                  log: ((String) -> Void)? = nil) throws -> Result {
    let sweep = try Sweep.plan(self, checkpointEvery: checkpointEvery)
    _ = sweep.run(jobs: jobs, shouldStop: shouldStop, log: log)
    return try sweep.collect()
  }

  static func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }
}
