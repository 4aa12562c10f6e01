import Foundation

/// Points in the plane as a standalone SVG: one panel per snapshot of a particle cloud, side by side in rows
/// with shared axes, so that the panels read as a sequence. Points carrying a weight (the r_i of a signed
/// measure) are coloured on a diverging scale — blue negative, grey near zero, red positive, symmetric about
/// zero — with a colour bar, and drawn in order of |weight| so the heavy ones stay on top.
public struct ScatterPlot: Sendable {
  public struct Panel: Sendable {
    public var title: String
    public var x: [Double]
    public var y: [Double]
    public var weight: [Double]?

    public init(title: String, x: [Double], y: [Double], weight: [Double]? = nil) {
      self.title = title
      self.x = x
      self.y = y
      self.weight = weight
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var panels: [Panel]
  /// The colour bar's label (e.g. "r") when the panels carry weights.
  public var weightLabel: String
  /// Each panel's plotting area, in pixels (square).
  public var panelSize: Double
  /// Panels per row.
  public var columns: Int
  /// One scale for both axes (positions in the plane, or a projection): distances read true.
  public var equalAxes: Bool

  public init(title: String, xLabel: String, yLabel: String, panels: [Panel], weightLabel: String = "weight",
              panelSize: Double? = nil, columns: Int? = nil, equalAxes: Bool = false) {
    self.equalAxes = equalAxes
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.panels = panels
    self.weightLabel = weightLabel
    self.panelSize = panelSize ?? (panels.count == 1 ? 300 : 220)
    self.columns = max(1, columns ?? min(panels.count, 3))
  }

  /// Diverging colours for t ∈ [−1, 1]: blue (#2166AC) through grey (#B4B4B4) to red (#B2182B).
  static func color(_ t: Double) -> String {
    let t = max(-1, min(1, t.isFinite ? t : 0))
    let grey = (180.0, 180.0, 180.0), end = t < 0 ? (33.0, 102.0, 172.0) : (178.0, 24.0, 43.0)
    let a = abs(t)
    let rgb = [grey.0 + a * (end.0 - grey.0), grey.1 + a * (end.1 - grey.1), grey.2 + a * (end.2 - grey.2)]
    return "#" + rgb.map { String(format: "%02X", Int($0.rounded())) }.joined()
  }
}
