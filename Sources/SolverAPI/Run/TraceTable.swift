/// A trace kept in memory (tests, `compare`, library use).
public final class TraceTable: TraceSink {
  public private(set) var columns: [String] = []
  public private(set) var rows: [[Double]] = []
  public private(set) var wallSeconds: [Double] = []
  public init() {}
  public func begin(columns: [String]) throws { self.columns = columns }
  public func record(_ row: [Double], wallSeconds: Double) throws { rows.append(row); self.wallSeconds.append(wallSeconds) }

  /// The recorded values of one column. A column the run did not record is an error naming the
  /// columns it did — never an empty list that a comparison would pass over silently.
  public func column(_ name: String) throws -> [Double] {
    guard let k = columns.firstIndex(of: name) else { throw MissingColumn(name: name, recorded: columns) }
    return rows.map { $0[k] }
  }
}
