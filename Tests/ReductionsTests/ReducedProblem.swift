import Integrators
import SolverAPI

/// The problem a reduction poses for a signed objective, moved by a metric on the reduction's particle
/// domain — what the registry composes from `"reduction"` and `"metric"`, built directly.
enum ReducedProblem {
  /// The metrics the reduction tests use.
  enum MetricChoice: Sendable, CustomStringConvertible {
    case wasserstein(ratio: Double)
    case conic(alpha: Double, mirror: Bool)

    func make(on domain: any Geometry) -> any Metric {
      switch (self, domain) {
      case (.wasserstein(let ratio), let lifted as LiftedDomain):
        return LiftedWassersteinMetric(base: lifted.base, ratio: ratio, reference: .flat)
      case (.wasserstein, _):
        return makeWassersteinMetric(geometry: domain, reference: .flat)
      case (.conic(let alpha, let mirror), let lifted as LiftedDomain):
        return ConicMetric(base: lifted.base, alpha: alpha, mirror: mirror, reference: .flat)
      case (.conic, _):
        preconditionFailure("the conic metric needs lifted particles")
      }
    }

    var description: String {
      switch self {
      case .wasserstein(let ratio): return "wasserstein(ratio: \(ratio))"
      case .conic(let alpha, let mirror): return "conic(alpha: \(alpha), \(mirror ? "mirror" : "canonical"))"
      }
    }
  }

  static func make(_ reduction: any Reduction, _ objective: any SignedObjective,
                   metric choice: MetricChoice = .wasserstein(ratio: 1)) throws -> Problem {
    let metric = choice.make(on: reduction.particleDomain(for: objective))
    return Problem(objective: try reduction.reduce(objective, mass: metric.liftedMass), metric: metric)
  }
}
