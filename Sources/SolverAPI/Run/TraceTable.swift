import Foundation

/// A trace kept in memory (tests, `compare`).
public final class TraceTable: TraceSink {
  public private(set) var columns: [String] = []
  public private(set) var rows: [[Double]] = []
  public private(set) var wallSeconds: [Double] = []
  public init() {}
  public func begin(columns: [String]) throws { self.columns = columns }
  public func record(_ row: [Double], wallSeconds: Double) throws { rows.append(row); self.wallSeconds.append(wallSeconds) }
  /// The recorded values of one column.
  public func column(_ name: String) -> [Double] {
    guard let k = columns.firstIndex(of: name) else { return [] }
    return rows.map { $0[k] }
  }
}
