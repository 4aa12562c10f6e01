import Formats
import SolverAPI

extension CSVFormat {
  /// A whole cloud as CSV text with a header (`x1,…,xd` unless names are given).
  public static func cloud(_ cloud: ParticleCloud, columnNames: [String]? = nil) -> String {
    var text = ""
    self.cloud(cloud, columnNames: columnNames) { text += $0 }
    return text
  }

  /// The same text in pieces of about 64 KB, for files too large to hold as one string.
  public static func cloud(_ cloud: ParticleCloud, columnNames: [String]? = nil, emit: (String) throws -> Void) rethrows {
    let names = columnNames ?? (1...max(1, cloud.dimension)).map { "x\($0)" }
    var text = names.joined(separator: ",") + "\n"
    text.reserveCapacity(1 << 17)
    for i in 0..<cloud.count {
      for k in 0..<cloud.dimension {
        if k > 0 { text += "," }
        text += number(cloud[i, k])
      }
      text += "\n"
      if text.utf8.count >= 1 << 16 {
        try emit(text)
        text.removeAll(keepingCapacity: true)
      }
    }
    if !text.isEmpty { try emit(text) }
  }
}
