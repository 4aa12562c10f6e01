import Foundation
import Integrators
import SolverAPI

/// A config file, resolved and composed into a runnable plan.
public struct Experiment {
  /// The config file (nil for configs given in code).
  public let file: String?
  /// The resolved config: every default filled in. Written beside the results as `config.json`.
  public let config: ConfigValue
  public let plan: RunPlan
  /// The run folder the config asks for (`output`, with `{name}` expanded).
  public let outputPath: String
  /// The particles' domain.
  public let domain: any Geometry

  /// Reads, overrides, resolves and composes a config file.
  public static func load(file: String, overrides: [String] = [], registry: Registry = .standard()) throws -> Experiment {
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
    return try compose(raw, file: file, baseDirectory: base, name: name, overrides: overrides, registry: registry)
  }

  /// Overrides, resolves and composes a config value.
  public static func compose(_ raw: ConfigValue, file: String? = nil, baseDirectory: String = ".", name: String = "run",
                             overrides: [String] = [], registry: Registry = .standard()) throws -> Experiment {
    let resolver = Resolver(registry: registry, file: file)
    var raw = raw
    if !overrides.isEmpty {
      raw = try Override.apply(overrides, to: raw, resolver: resolver)
    }
    let resolved = try resolver.resolveObject(raw, parameters: ExperimentSchema.parameters, path: "", owner: "the config")
    let config = ConfigValue.object(resolved)
    let top = Arguments(kind: .objective, name: "config", path: "", values: resolved, parameters: ExperimentSchema.parameters,
                        context: BuildContext(file: file, baseDirectory: baseDirectory, random: RandomStream(seed: 0), builder: registry))
    let seed = UInt64(top.integer("seed"))
    let root = RandomStream(seed: seed)
    var context = BuildContext(file: file, baseDirectory: baseDirectory, random: root.split("parts"), builder: registry)
    func build<T>(_ key: String, as: T.Type) throws -> T {
      let args = Arguments(kind: .objective, name: "config", path: "", values: resolved, parameters: ExperimentSchema.parameters, context: context)
      return try args.part(key, as: T.self)
    }

    let domain = try build("domain", as: (any Geometry).self)
    context.domain = domain
    let reference = try build("reference", as: ReferenceMeasure.self)
    let objective = try build("objective", as: (any Objective).self)
    guard objective.dimension == domain.dimension else {
      throw ConfigError(file: file, path: "objective",
                        "works on points with \(objective.dimension) coordinates, the domain \(domain.name) has \(domain.dimension)",
                        fix: "make the objective and the domain agree")
    }
    let integrator = try build("integrator", as: (any Integrator).self)
    let args = Arguments(kind: .objective, name: "config", path: "", values: resolved, parameters: ExperimentSchema.parameters, context: context)
    let particles = args.group("particles"), record = args.group("record")
    let source = try particles.part("init", as: (any CloudSource).self)
    let cloud: ParticleCloud
    do {
      cloud = try source.makeCloud(count: particles.integer("count"), dimension: domain.dimension, random: root.split("particles.init"))
    } catch var e as ConfigError {
      if e.file == nil { e.file = file }
      if e.path.isEmpty { e.path = "particles.init" }
      throw e
    }
    let observers = try record.parts("observers", as: (any Observer).self)
    let threads = top.integer("threads")
    let plan = RunPlan(problem: Problem(objective: objective, metric: makeWassersteinMetric(geometry: domain, reference: reference)),
                       integrator: integrator, state: SolverState(cloud: cloud), lastStep: top.integer("steps"),
                       recordEvery: record.integer("every"), observers: observers, noise: root.split("noise"),
                       parallel: threads == 0 ? .automatic : Parallel(threads: threads))
    let output = top.string("output").replacingOccurrences(of: "{name}", with: name)
    return Experiment(file: file, config: config, plan: plan, outputPath: output, domain: domain)
  }
}
