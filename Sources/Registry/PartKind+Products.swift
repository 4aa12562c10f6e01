import SolverAPI

extension PartKind {
  /// The Swift type a component of this kind must build.
  var productDescription: String {
    switch self {
    case .objective: return "any Objective"
    case .reduction: return "any Reduction"
    case .integrator: return "any Integrator"
    case .metric: return "any Metric"
    case .schedule: return "any Schedule"
    case .domain: return "any Geometry"
    case .reference: return "ReferenceMeasure"
    case .potential, .kernel: return "any ScalarField"
    case .cloud: return "any CloudSource"
    case .dataset: return "Dataset"
    case .observer: return "any Observer"
    }
  }

  func accepts(_ product: Any) -> Bool {
    switch self {
    case .objective: return product is any Objective || product is any SignedObjective
    case .reduction: return product is any Reduction
    case .integrator: return product is any Integrator
    case .metric: return product is any Metric
    case .schedule: return product is any Schedule
    case .domain: return product is any Geometry
    case .reference: return product is ReferenceMeasure
    case .potential, .kernel: return product is any ScalarField
    case .cloud: return product is any CloudSource
    case .dataset: return product is Dataset
    case .observer: return product is any Observer
    }
  }
}
