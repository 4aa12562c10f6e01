import SolverAPI

/// The signed-to-probability reductions this module provides (lifting, bilevel: MATH.md §2).
/// Objectives over probability measures need none; signed objectives arrive with issue 2 of the plan.
public enum ReductionComponents {
  public static let all: [Component] = []
}
