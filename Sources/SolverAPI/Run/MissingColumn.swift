/// A trace column asked for by name that the run did not record.
public struct MissingColumn: Error, CustomStringConvertible, Sendable {
  public let name: String
  public let recorded: [String]
  public init(name: String, recorded: [String]) {
    self.name = name
    self.recorded = recorded
  }
  public var description: String { "no column '\(name)' in the trace; recorded: " + recorded.joined(separator: ", ") }
}
