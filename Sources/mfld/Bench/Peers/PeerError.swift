import Foundation
import MFLD

public struct PeerError: Error, CustomStringConvertible {
  public var description: String
  public init(_ d: String) { description = d }
}
