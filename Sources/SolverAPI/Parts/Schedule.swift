/// A value that varies with the step: the temperature τ_t or the step size η_t (docs/math.md §3).
/// Steps count from 0. A schedule is a pure function of the step, so it is logged, resumed and
/// composed with any integrator without state.
public protocol Schedule: Sendable {
  func value(at step: Int) -> Double
}
