import Foundation
import SolverAPI

/// One line of a `LinePlot`, with an optional band (e.g. mean ± sd, or min…max over repeats) drawn behind it.
public struct PlotSeries: Sendable {
  /// The legend entry.
  public var name: String
  public var x: [Double]
  /// The line (e.g. the mean over repeats). Points past the shorter of `x` and `y` are ignored.
  public var y: [Double]
  /// Optional band, drawn as a translucent area when both bounds are given.
  public var lower: [Double]?
  public var upper: [Double]?

  public init(name: String, x: [Double], y: [Double], lower: [Double]? = nil, upper: [Double]? = nil) {
    self.name = name
    self.x = x
    self.y = y
    self.lower = lower
    self.upper = upper
  }

  /// A series against its index 0, 1, 2, …
  public init(name: String, y: [Double], lower: [Double]? = nil, upper: [Double]? = nil) {
    self.init(name: name, x: y.indices.map(Double.init), y: y, lower: lower, upper: upper)
  }
}
