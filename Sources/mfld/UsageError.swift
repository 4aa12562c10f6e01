import MFLD

struct UsageError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}
