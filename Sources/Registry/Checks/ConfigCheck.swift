import Formats
import LinearAlgebra
import SolverAPI

/// The library's laws run on every part a config composes, built-in or plugin (`mfld check`, `mfld run
/// --check`): the first-variation laws of the objective as the run sees it (after the reduction, for a
/// signed problem) and of every nested objective; the feature map's Jacobian; each potential's, kernel's
/// and reference potential's gradient; the metric's domain and noise laws; every schedule's range over the
/// run's steps. One `LawResult` per law and part, with its key path.
public enum ConfigCheck {
  /// Particles the objective laws are checked on (the first ones of the run's initial cloud).
  public static let sampleSize = 6

  public static func laws(_ composition: Composition, registry: Registry) throws -> [LawResult] {
    guard case .object(let config) = composition.config else { return [] }
    let plan = composition.plan, seed = UInt64(config["seed"]?.doubleValue ?? 0)
    let random = RunPlan.randomRoot(seed: seed).split("check")
    var context = BuildContext(file: composition.file, baseDirectory: composition.baseDirectory,
                               random: RunPlan.randomRoot(seed: seed).split("parts"), domain: composition.domain, builder: registry)
    context.totalSteps = plan.lastStep
    context.reference = plan.problem.metric.reference
    let particles = plan.state.cloud, m = min(sampleSize, particles.count)
    let sample = ParticleCloud(count: m, dimension: particles.dimension, coordinates: Array(particles.coordinates.prefix(m * particles.dimension)))
    // Positions on the problem's domain (lifted particles carry their weight first).
    let lifted = plan.problem.metric.geometry is LiftedDomain
    var positions = ParticleCloud(count: m, dimension: composition.domain.dimension)
    for i in 0..<m { for k in 0..<positions.dimension { positions[i, k] = sample[i, k + (lifted ? 1 : 0)] } }

    var results: [LawResult] = []
    func add(_ laws: [LawResult], _ node: PartNode, part: String? = nil) {
      results += laws.map { var r = $0; r.part = part ?? "\(node.kind.rawValue) '\(node.name)'"; r.path = node.path; return r }
    }
    func build<T>(_ node: PartNode, as type: T.Type) throws -> T {
      guard let t = try registry.build(node.value, kind: node.kind, path: node.path, context: context) as? T else {
        throw ConfigError(file: composition.file, path: node.path, "built a part that is not a \(T.self)", fix: "fix the part (a plugin bug)")
      }
      return t
    }
    for node in registry.parts(of: config) {
      let stream = random.split(node.path)
      switch node.kind {
      case .objective where node.path == "objective":
        let reduction = config["reduction"].flatMap { v -> String? in
          if case .object(let o) = v, case .string(let s)? = o["type"] { return s } else { return nil }
        }
        add(try objectiveLaws(plan.problem.objective, on: sample, geometry: plan.problem.metric.geometry, random: stream), node,
            part: "objective '\(node.name)'" + (reduction.map { " through reduction '\($0)'" } ?? ""))
        if let signed = try build(node, as: Any.self) as? any SignedObjective {
          add(FeatureMapCheck().laws(signed.features, at: positions, geometry: signed.domain, random: stream.split("features")), node,
              part: "feature map of '\(node.name)'")
        }
      case .objective:
        if let objective = try build(node, as: Any.self) as? any Objective {
          add(try objectiveLaws(objective, on: positions, geometry: composition.domain, random: stream), node)
        }
      case .potential:
        add([ScalarFieldCheck().law(try build(node, as: (any ScalarField).self), at: positions, random: stream)], node)
      case .kernel:
        add([ScalarFieldCheck().law(try build(node, as: (any ScalarField).self), at: differences(positions, composition.domain), random: stream)], node)
      case .reference:
        if let u = try build(node, as: ReferenceMeasure.self).potential {
          add([ScalarFieldCheck().law(u, at: positions, random: stream)], node)
        }
      case .metric:
        add(MetricCheck().laws(plan.problem.metric, cloud: sample, random: stream), node)
      case .schedule:
        add([ScheduleCheck().law(try build(node, as: (any Schedule).self), steps: plan.lastStep, positive: node.path.hasSuffix(".step"))], node)
      default:
        break
      }
    }
    return results
  }

  /// The first-variation laws of an objective; one with random step estimates (random batches) is checked
  /// exact, then its estimates by their own laws.
  static func objectiveLaws(_ objective: any Objective, on cloud: ParticleCloud, geometry: any Geometry,
                            random: RandomStream) throws -> [LawResult] {
    guard let randomized = objective as? any StepRandomizedObjective, randomized.isRandomized else {
      return try FirstVariationCheck().laws(objective, on: cloud, geometry: geometry, random: random)
    }
    randomized.randomize(step: nil)
    defer { randomized.randomize(step: 0) }
    return try FirstVariationCheck().laws(objective, on: cloud, geometry: geometry, random: random)
      + RandomizedObjectiveCheck().laws(randomized, on: cloud, geometry: geometry, random: random.split("batches"))
  }

  /// z = x_i − x_j for the pairs (i, i + 1) of the points, in the geometry (periodic on the torus): where a
  /// kernel W(x − y) is evaluated.
  static func differences(_ x: ParticleCloud, _ geometry: any Geometry) -> ParticleCloud {
    let m = x.count, d = x.dimension
    var z = ParticleCloud(count: m, dimension: d)
    x.coordinates.withUnsafeBufferPointer { xp in
      z.coordinates.withUnsafeMutableBufferPointer { zp in
        for i in 0..<m { geometry.difference(xp.baseAddress! + i * d, xp.baseAddress! + ((i + 1) % m) * d, into: zp.baseAddress! + i * d) }
      }
    }
    return z
  }
}
