/// One law checked on one part: what `mfld check` prints a row for.
///
/// A law is a property every part of a kind must have — the first variation's gradient is the derivative
/// of F, a metric's move keeps particles on the domain — measured as an error against a tolerance.
public struct LawResult: Sendable, CustomStringConvertible {
  /// The part, as the config names it (`potential 'student-t'`).
  public var part: String
  /// Its key path in the config (`objective.terms[0].V`).
  public var path: String
  /// The law, in words and symbols.
  public var law: String
  /// The largest error found over the probes (relative unless the law says otherwise); NaN when the law
  /// could not be evaluated (then it fails).
  public var error: Double
  public var tolerance: Double

  public init(part: String = "", path: String = "", law: String, error: Double, tolerance: Double) {
    self.part = part
    self.path = path
    self.law = law
    self.error = error
    self.tolerance = tolerance
  }

  /// The error is within the tolerance (a NaN error fails).
  public var passed: Bool { error <= tolerance }

  public var description: String {
    "\(path.isEmpty ? "" : path + ": ")\(part.isEmpty ? "" : part + ": ")\(law): error \(error), tolerance \(tolerance) — \(passed ? "pass" : "FAIL")"
  }
}
