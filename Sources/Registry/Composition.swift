import Foundation
import Formats
import LinearAlgebra
import Reductions
import SolverAPI

/// A config, resolved and composed into a runnable plan: the registry's product.
///
/// Composing validates every key against the parts' declarations, fills every default (the resolved
/// `config`, which composes again to the same run), builds every part and checks that they fit
/// together — an objective over signed measures needs a reduction, the metric must move particles of
/// the domain the reduction gives, an integrator must be able to serve the objective — naming the
/// file, the key path and the fix when they do not.
///
/// A composition's `plan` holds parts with state (warm starts, snapshots, scratch): run it once. To
/// run the same config again, compose it again (`Composition.compose(composition.config)`); the new
/// parts start fresh and the run repeats bit for bit.
public struct Composition {
  /// The config file (nil for configs given in code).
  public let file: String?
  /// The config's name (the file name without `.json`; "run" in code), for `{name}` in `output`.
  public let name: String
  /// The folder relative paths in the config were resolved against.
  public let baseDirectory: String
  /// The resolved config: every default filled in.
  public let config: ConfigValue
  /// The parts, composed.
  public var plan: RunPlan
  /// The domain the problem is posed on: Ω for objectives over probability measures, W for signed ones
  /// (lifted particles live on ℝ × W, `plan.problem.metric.geometry`).
  public let domain: any Geometry
  /// For an objective that predicts (a trained network): what `mfld predict` needs besides ν (model.json).
  public let predictionModel: ConfigValue?

  /// Reads, overrides, resolves and composes a config file. `plugins` (from `--plugin`) and the
  /// config's own `"plugins"` are loaded into `registry` first.
  public static func load(file: String, overrides: [String] = [], plugins: [String] = [],
                          registry: Registry = .standard()) throws -> Composition {
    let raw = try ConfigFile.read(file)
    let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
    let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    return try compose(raw, file: file, baseDirectory: base, name: name, overrides: overrides, plugins: plugins, registry: registry)
  }

  /// Overrides, resolves and composes a config value.
  public static func compose(_ raw: ConfigValue, file: String? = nil, baseDirectory: String = ".", name: String = "run",
                             overrides: [String] = [], plugins: [String] = [], registry: Registry = .standard()) throws -> Composition {
    let resolved = try resolve(raw, file: file, baseDirectory: baseDirectory, overrides: overrides, plugins: plugins, registry: registry)
    try MemoryEstimate.precheck(resolved, file: file, baseDirectory: baseDirectory)
    var composer = Composer(resolved: resolved, file: file, baseDirectory: baseDirectory, registry: registry)
    let (plan, domain) = try composer.plan()
    return Composition(file: file, name: name, baseDirectory: baseDirectory, config: .object(resolved), plan: plan, domain: domain,
                       predictionModel: composer.predictionModel)
  }
}

extension Composition {
  /// Loads the plugins, applies the overrides and resolves the config (every key checked, every default
  /// filled in), without building any part: what composing starts with, and what estimates before a run
  /// read (`StepCost`).
  public static func resolve(_ raw: ConfigValue, file: String? = nil, baseDirectory: String = ".", overrides: [String] = [],
                             plugins: [String] = [], registry: Registry = .standard()) throws -> ConfigObject {
    let resolver = Resolver(registry: registry, file: file)
    var raw = try registry.loadingPlugins(raw, commandLine: plugins, file: file, baseDirectory: baseDirectory, overrides: overrides)
    if !overrides.isEmpty {
      raw = try Override.apply(overrides, to: raw, resolver: resolver)
    }
    return try resolver.resolveObject(raw, parameters: ConfigSchema.parameters, path: "", owner: "the config")
  }

  /// `resolve` for a config file.
  public static func resolve(file: String, overrides: [String] = [], plugins: [String] = []) throws -> ConfigObject {
    try resolve(try ConfigFile.read(file), file: file, baseDirectory: URL(fileURLWithPath: file).deletingLastPathComponent().path,
                overrides: overrides, plugins: plugins)
  }
}

/// The steps of composing a resolved config, in the order the parts depend on each other:
/// domain → objective → (reduction) → reference → metric → problem → integrator → particles → plan.
private struct Composer {
  let resolved: ConfigObject
  let file: String?
  let root: RandomStream
  var context: BuildContext
  /// Set by `plan()` when the objective predicts.
  var predictionModel: ConfigValue?

  init(resolved: ConfigObject, file: String?, baseDirectory: String, registry: Registry) {
    self.resolved = resolved
    self.file = file
    root = RunPlan.randomRoot(seed: UInt64(resolved["seed"]?.doubleValue ?? 0))
    context = BuildContext(file: file, baseDirectory: baseDirectory, random: root.split("parts"), builder: registry)
    if case .integer(let steps)? = resolved["steps"] { context.totalSteps = steps }
  }

  /// The top-level keys, read with the context built so far.
  var top: Arguments {
    Arguments(kind: .objective, name: "config", path: "", values: resolved, parameters: ConfigSchema.parameters, context: context)
  }

  func fail(_ path: String, _ message: String, fix: String) -> ConfigError { ConfigError(file: file, path: path, message, fix: fix) }

  /// The `"type"` of the top-level part `key`, for messages.
  func typeName(_ key: String) -> String {
    if case .object(let o)? = resolved[key], case .string(let s)? = o["type"] { return s }
    return key
  }

  mutating func plan() throws -> (RunPlan, any Geometry) {
    if resolved["domain"] != .null { context.domain = try top.part("domain", as: (any Geometry).self) }
    let built = try top.part("objective", as: Any.self)
    predictionModel = (built as? any PredictionModel)?.predictionModel
    let problem: Problem, domain: any Geometry, reduction: (any Reduction)?
    if let signed = built as? any SignedObjective {
      (problem, reduction) = try signedProblem(signed)
      domain = signed.domain
    } else if let objective = built as? any Objective {
      problem = try probabilityProblem(objective)
      domain = context.domain!
      reduction = nil
    } else {
      throw fail("objective", "'\(typeName("objective"))' built neither an Objective nor a SignedObjective", fix: "fix the part (a plugin bug)")
    }
    let integrator = try top.part("integrator", as: (any Integrator).self)
    if let reason = integrator.incompatibility(with: problem) {
      throw fail("integrator.type", "'\(typeName("integrator"))' cannot serve '\(typeName("objective"))': \(reason)",
                 fix: "`mfld describe \(typeName("integrator"))` says what it needs")
    }
    let cloud = try initialCloud(on: domain, reduction: reduction)
    let record = top.group("record")
    let threads = top.integer("threads")
    var plan = RunPlan(problem: problem, integrator: integrator, state: SolverState(cloud: cloud), lastStep: top.integer("steps"),
                       recordEvery: record.integer("every"), observers: try record.parts("observers", as: (any Observer).self),
                       noise: root.split("noise"), parallel: threads == 0 ? .automatic : Parallel(threads: threads))
    let snapshots = record.integer("particles_every")
    plan.snapshotEvery = snapshots > 0 ? snapshots : nil
    plan.expectedStepSeconds = StepCost.estimate(for: resolved)?.seconds
    return (plan, domain)
  }

  /// A signed objective: its reduction, the reference and the metric on the particles' domain.
  mutating func signedProblem(_ signed: any SignedObjective) throws -> (Problem, any Reduction) {
    let objectiveName = typeName("objective")
    if context.domain != nil {
      throw fail("domain", "'\(objectiveName)' defines its own domain (W = \(signed.domain.name))", fix: "remove \"domain\"")
    }
    guard resolved["reduction"] != .null else {
      throw fail("reduction", "'\(objectiveName)' is an objective over signed measures and needs a reduction",
                 fix: "add \"reduction\": \"bilevel\" (or \"lift\", with \"metric\": \"conic\" for the conic metric)")
    }
    let reduction = try top.part("reduction", as: (any Reduction).self)
    if reduction is IdentityReduction {
      throw fail("reduction.type", "'identity' cannot serve '\(objectiveName)', an objective over signed measures", fix: "use bilevel or lift")
    }
    context.domain = signed.domain
    let reference = try top.part("reference", as: ReferenceMeasure.self)
    let metric = try self.metric(on: reduction.particleDomain(for: signed), reference: reference)
    if case .object(let p)? = resolved["particles"], case .integer(let m)? = p["count"] {
      try MemoryEstimate.check(particles: m, dimension: signed.domain.dimension + 1, samples: signed.features.sampleCount,
                               jacobianWidth: signed.features.jacobianWidth, file: file)
    }
    return (Problem(objective: try reduction.reduce(signed, mass: metric.liftedMass), metric: metric), reduction)
  }

  /// An objective over probability measures on the config's domain, moved by the metric.
  mutating func probabilityProblem(_ objective: any Objective) throws -> Problem {
    let objectiveName = typeName("objective")
    guard let d = context.domain else {
      throw fail("domain", "is required for '\(objectiveName)'", fix: "add e.g. \"domain\": {\"type\": \"euclidean\", \"dimension\": 2}")
    }
    if resolved["reduction"] != .null {
      let r = try top.part("reduction", as: (any Reduction).self)
      guard r is IdentityReduction else {
        throw fail("reduction.type", "'\(typeName("reduction"))' reduces signed objectives; '\(objectiveName)' is already over probability measures",
                   fix: "remove \"reduction\"")
      }
    }
    guard objective.dimension == d.dimension else {
      throw fail("objective", "works on points with \(objective.dimension) coordinates, the domain \(d.name) has \(d.dimension)",
                 fix: "make the objective and the domain agree")
    }
    let reference = try top.part("reference", as: ReferenceMeasure.self)
    return Problem(objective: objective, metric: try metric(on: d, reference: reference))
  }

  /// The metric, built for the particles' domain (ℝ × W for lifted particles) and the reference.
  mutating func metric(on particleDomain: any Geometry, reference: ReferenceMeasure) throws -> any Metric {
    let problemDomain = context.domain
    context.domain = particleDomain
    context.reference = reference
    defer { context.domain = problemDomain }
    return try top.part("metric", as: (any Metric).self)
  }

  /// The initial particles: positions from `particles.init` on the domain, with the reduction's weights.
  func initialCloud(on domain: any Geometry, reduction: (any Reduction)?) throws -> ParticleCloud {
    let particles = top.group("particles")
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
    return cloud
  }
}
