import Foundation

/// RunProgress of a running solve, for a progress line.
public struct RunProgress: Sendable {
  public var step: Int
  public var lastStep: Int
  public var objective: Double
  public var elapsed: Double
}
