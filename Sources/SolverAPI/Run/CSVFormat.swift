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

  /// A whole cloud as CSV text with a header (`x1,…,xd` unless names are given).
  public static func cloud(_ cloud: ParticleCloud, columnNames: [String]? = nil) -> String {
    let names = columnNames ?? (1...max(1, cloud.dimension)).map { "x\($0)" }
    var text = names.joined(separator: ",") + "\n"
    text.reserveCapacity(cloud.coordinates.count * 20)
    for i in 0..<cloud.count {
      for k in 0..<cloud.dimension {
        if k > 0 { text += "," }
        text += number(cloud[i, k])
      }
      text += "\n"
    }
    return text
  }
}
