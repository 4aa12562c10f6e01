/// The problem an integrator advances: an objective over probability measures on the particles'
/// domain, and the metric that moves the particles.
public struct Problem {
  public var objective: any Objective
  public var metric: any Metric
  public init(objective: any Objective, metric: any Metric) {
    self.objective = objective
    self.metric = metric
  }
}
