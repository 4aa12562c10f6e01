import Foundation
import SolverAPI

/// A line plot written as a standalone SVG document (no scripts, fonts or other external resources).
///
/// Layout: a title above, the plotting area with light-grey gridlines at the labelled ticks, axis labels, and a
/// legend outside the plotting area (right of it, or below it when the names are long or many), so it never hides
/// data. Colors follow the Okabe–Ito colorblind-safe palette; series past the eighth reuse it with dash patterns.
///
/// Data handling: non-finite values, and non-positive values on a log axis, break the line (an isolated point is
/// drawn as a small circle); a band's non-positive lower bound on a log axis is drawn down to the axis. A single
/// point or a constant series gets a padded range. Series longer than `maxDrawnPoints` are decimated for drawing,
/// keeping each bucket's minimum and maximum so spikes stay visible. The same input always gives the same bytes.
public struct LinePlot: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [PlotSeries]
  /// `nil`: a log scale when all (finite) y are positive and span a decade (max / min ≥ 10): convergence
  /// curves read best on a log scale once they do.
  public var logY: Bool?
  public var logX: Bool = false
  public var width = 640.0, height = 400.0
  /// A series on its own y axis at the right (say the temperature schedule under the objective), drawn grey
  /// and dashed, labelled by its name; log when it is positive and spans a decade.
  public var secondary: PlotSeries?

  public init(
    title: String, xLabel: String, yLabel: String, series: [PlotSeries], logY: Bool? = nil, logX: Bool = false,
    width: Double = 640, height: Double = 400, secondary: PlotSeries? = nil
  ) {
    self.secondary = secondary
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.logY = logY
    self.logX = logX
    self.width = width
    self.height = height
  }

  /// The most points drawn per series line (and per band edge).
  public static let maxDrawnPoints = 2000

  /// Okabe–Ito, ordered for contrast on white (yellow last).
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
  static let dashes = ["", "7 3", "2 2.5", "8 3 2 3"]

  /// Whether the y axis is logarithmic: `logY`, or when that is `nil`, whether every finite y of every series is
  /// positive and the largest is at least 10 times the smallest. The one rule for every plot mfld draws.
  public var usesLogY: Bool {
    if let logY { return logY }
    var lo = Double.infinity, hi = -Double.infinity
    for s in series {
      for v in s.y where v.isFinite {
        if v <= 0 { return false }
        lo = min(lo, v)
        hi = max(hi, v)
      }
    }
    return lo.isFinite && hi / lo >= 10
  }
}
