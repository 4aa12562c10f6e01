import Foundation
import Integrators
import Reductions
import SolverAPI

/// A config file, resolved and composed into a runnable plan.
public struct Experiment {
  /// The config file (nil for configs given in code).
  public let file: String?
  /// The resolved config: every default filled in. Written beside the results as `config.json`.
  public let config: ConfigValue
  public var plan: RunPlan
  /// The run folder the config asks for (`output`, with `{name}` expanded).
  public let outputPath: String
  /// The particles' domain.
  public let domain: any Geometry
  /// The folder relative paths in the config were resolved against.
  public var baseDirectory: String = "."
  /// Set by `resume`: the checkpoint's step and the wall-clock seconds already spent.
  public var resumeFrom: (step: Int, wallSeconds: Double)?

  /// Reads, overrides, resolves and composes a config file. `plugins` (from `--plugin`) and the
  /// config's own `"plugins"` are loaded into `registry` first (Plugins/PluginLoader.swift).
  public static func load(file: String, overrides: [String] = [], plugins: [String] = [],
                          registry: Registry = .standard()) throws -> Experiment {
    let text: String
    do {
      text = try String(contentsOfFile: file, encoding: .utf8)
    } catch {
      let exists = FileManager.default.fileExists(atPath: file)
      throw ConfigError(file: file, path: "", exists ? "cannot read the file (is it UTF-8 text?)" : "no such file",
                        fix: exists ? "check its permissions and encoding" : "check the path, e.g. examples/double-well.json")
    }
    let raw: ConfigValue
    do { raw = try JSONParser.parse(text) } catch {
      let e = error
      throw ConfigError(file: file, path: "", "invalid JSON at line \(e.line), column \(e.column): \(e.message)")
    }
    let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
    let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    return try compose(raw, file: file, baseDirectory: base, name: name, overrides: overrides, plugins: plugins, registry: registry)
  }

  /// Overrides, resolves and composes a config value.
  public static func compose(_ raw: ConfigValue, file: String? = nil, baseDirectory: String = ".", name: String = "run",
                             overrides: [String] = [], plugins: [String] = [], registry: Registry = .standard()) throws -> Experiment {
    let resolver = Resolver(registry: registry, file: file)
    var raw = try loadingPlugins(raw, commandLine: plugins, file: file, baseDirectory: baseDirectory, overrides: overrides, registry: registry)
    if !overrides.isEmpty {
      raw = try Override.apply(overrides, to: raw, resolver: resolver)
    }
    let resolved = try resolver.resolveObject(raw, parameters: ExperimentSchema.parameters, path: "", owner: "the config")
    try MemoryEstimate.precheck(resolved, file: file)
    let root = RandomStream(seed: UInt64(resolved["seed"]?.doubleValue ?? 0))
    var context = BuildContext(file: file, baseDirectory: baseDirectory, random: root.split("parts"), builder: registry)
    if case .integer(let steps)? = resolved["steps"] { context.totalSteps = steps }
    /// The top-level keys, read with the context built so far.
    var top: Arguments {
      Arguments(kind: .objective, name: "config", path: "", values: resolved, parameters: ExperimentSchema.parameters, context: context)
    }
    func fail(_ path: String, _ message: String, fix: String) -> ConfigError { ConfigError(file: file, path: path, message, fix: fix) }
    let objectiveName = resolved["objective"].flatMap { v -> String? in
      if case .object(let o) = v, case .string(let s)? = o["type"] { return s } else { return nil }
    } ?? "objective"
    let reductionGiven = resolved["reduction"] != .null

    if resolved["domain"] != .null { context.domain = try top.part("domain", as: (any Geometry).self) }
    let built = try top.part("objective", as: Any.self)
    let problem: Problem, domain: any Geometry, reduction: (any Reduction)?
    if let signed = built as? any SignedObjective {
      if context.domain != nil {
        throw fail("domain", "'\(objectiveName)' defines its own domain (W = \(signed.domain.name))", fix: "remove \"domain\"")
      }
      guard reductionGiven else {
        throw fail("reduction", "'\(objectiveName)' is an objective over signed measures and needs a reduction",
                   fix: "add \"reduction\": \"bilevel\" (or {\"type\": \"lift\", \"metric\": \"conic\"})")
      }
      let r = try top.part("reduction", as: (any Reduction).self)
      if r is IdentityReduction {
        throw fail("reduction.type", "'identity' cannot serve '\(objectiveName)', an objective over signed measures", fix: "use bilevel or lift")
      }
      context.domain = signed.domain
      let reference = try top.part("reference", as: ReferenceMeasure.self)
      problem = try r.reduce(signed, reference: reference)
      domain = signed.domain
      reduction = r
    } else if let objective = built as? any Objective {
      guard let d = context.domain else {
        throw fail("domain", "is required for '\(objectiveName)'", fix: "add e.g. \"domain\": {\"type\": \"euclidean\", \"dimension\": 2}")
      }
      if reductionGiven {
        let r = try top.part("reduction", as: (any Reduction).self)
        guard r is IdentityReduction else {
          let name = (resolved["reduction"].flatMap { v -> String? in if case .object(let o) = v, case .string(let s)? = o["type"] { return s } else { return nil } }) ?? "?"
          throw fail("reduction.type", "'\(name)' reduces signed objectives; '\(objectiveName)' is already over probability measures",
                     fix: "remove \"reduction\"")
        }
      }
      guard objective.dimension == d.dimension else {
        throw fail("objective", "works on points with \(objective.dimension) coordinates, the domain \(d.name) has \(d.dimension)",
                   fix: "make the objective and the domain agree")
      }
      let reference = try top.part("reference", as: ReferenceMeasure.self)
      problem = Problem(objective: objective, metric: makeWassersteinMetric(geometry: d, reference: reference))
      domain = d
      reduction = nil
    } else {
      throw fail("objective", "'\(objectiveName)' built neither an Objective nor a SignedObjective", fix: "fix the part (a plugin bug)")
    }

    if let signed = built as? any SignedObjective, case .object(let p)? = resolved["particles"], case .integer(let m)? = p["count"] {
      try MemoryEstimate.check(particles: m, dimension: signed.domain.dimension + 1, samples: signed.features.sampleCount,
                               jacobianWidth: signed.features.jacobianWidth, file: file)
    }
    let integrator = try top.part("integrator", as: (any Integrator).self)
    if let reason = integrator.incompatibility(with: problem) {
      let name = (resolved["integrator"].flatMap { v -> String? in if case .object(let o) = v, case .string(let s)? = o["type"] { return s } else { return nil } }) ?? "?"
      throw fail("integrator.type", "'\(name)' cannot serve '\(objectiveName)': \(reason)", fix: "use euler-maruyama, or an objective with data")
    }
    let particles = top.group("particles"), record = top.group("record")
    let source = try particles.part("init", as: (any CloudSource).self)
    var cloud: ParticleCloud
    do {
      cloud = try source.makeCloud(count: particles.integer("count"), dimension: domain.dimension, random: root.split("particles.init"))
    } catch var e as ConfigError {
      if e.file == nil { e.file = file }
      if e.path.isEmpty { e.path = "particles.init" }
      throw e
    }
    if let reduction { cloud = reduction.initialParticles(positions: cloud, random: root.split("particles.weights")) }
    let observers = try record.parts("observers", as: (any Observer).self)
    let threads = top.integer("threads")
    let plan = RunPlan(problem: problem, integrator: integrator, state: SolverState(cloud: cloud), lastStep: top.integer("steps"),
                       recordEvery: record.integer("every"), observers: observers, noise: root.split("noise"),
                       parallel: threads == 0 ? .automatic : Parallel(threads: threads))
    let output = top.string("output").replacingOccurrences(of: "{name}", with: name)
    var experiment = Experiment(file: file, config: .object(resolved), plan: plan, outputPath: output, domain: domain)
    experiment.baseDirectory = baseDirectory
    return experiment
  }
}
