/// The kinds of parts a config composes. Each part is `{"type": NAME, ...parameters}`, and each kind
/// has its own namespace of names in the registry.
public enum PartKind: String, CaseIterable, Sendable, Comparable {
  case objective
  case reduction
  case integrator
  case metric
  case schedule
  case domain
  case reference
  case potential
  case kernel
  case cloud
  case dataset
  case observer

  /// What parts of this kind are, for `mfld list`.
  public var summary: String {
    switch self {
    case .objective: return "functionals F(μ) with first variations"
    case .reduction: return "signed-to-probability reductions"
    case .integrator: return "time integrators (one step of the particle dynamics)"
    case .metric: return "metrics: how a drift moves the particles (transport, conic reweighting)"
    case .schedule: return "temperature and step-size schedules (steps count from 0)"
    case .domain: return "particle domains: ℝ^d, sphere, torus"
    case .reference: return "reference measures ρ ∝ e^{-U} of the entropy"
    case .potential: return "potential functions V(x)"
    case .kernel: return "interaction kernels W(x - y)"
    case .cloud: return "point clouds: initial particles and targets"
    case .dataset: return "data sets for signed objectives: generated teachers, CSV files"
    case .observer: return "quantities recorded in the trace"
    }
  }

  public static func < (a: PartKind, b: PartKind) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}
