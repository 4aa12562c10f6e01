import Foundation
import SolverAPI

/// One axis of a plot: the drawn range, the labelled (major) ticks with their labels, and unlabelled minor ticks.
public struct AxisTicks: Sendable, Equatable {
  /// The axis range; it always covers the data it was computed from.
  public var lower: Double
  public var upper: Double
  public var isLog: Bool
  /// Labelled ticks (gridlines are drawn at these), ascending, all inside `lower...upper`.
  public var major: [Double]
  /// Labels for `major`, one each.
  public var labels: [String]
  /// Unlabelled ticks (short marks only), ascending, inside the range and disjoint from `major`.
  public var minor: [Double]
}
