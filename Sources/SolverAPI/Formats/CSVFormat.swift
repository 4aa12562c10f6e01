/// Number formatting shared by every CSV `mfld` writes: the shortest text that reads back to the same
/// Double (so files are exact and byte-identical across runs), integers without a fraction.
public enum CSVFormat {
  public static func number(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)"
  }

  public static func row(_ values: [Double]) -> String {
    values.map(number).joined(separator: ",")
  }
}
