import SolverAPI

extension Problem {
  /// The objective on `domain`, moved by the Wasserstein metric (the default of every config), with
  /// the reference measure ρ of the entropy (flat: Lebesgue on ℝ^d, uniform on compact domains).
  public init(objective: any Objective, domain: any Geometry, reference: ReferenceMeasure = .flat) {
    self.init(objective: objective, metric: makeWassersteinMetric(geometry: domain, reference: reference))
  }
}
