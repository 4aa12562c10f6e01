import Formats
import SolverAPI

extension CSVFormat {
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
