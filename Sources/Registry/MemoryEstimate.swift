import Formats
import Foundation
import SolverAPI

/// The memory a run will need at its peak, estimated from sizes known before anything big is
/// allocated, so that a config that cannot fit is refused at once with the estimate in the message.
///
/// Per particle and coordinate: the cloud, its gradient, the metric's scratch and the final copies
/// (≈ 6 doubles). Signed objectives add the m × n feature matrix, its Jacobian data (× width), the
/// pullback's scratch, the test features, and the inner system (min(m, n)² for bilevel).
public enum MemoryEstimate {
  public static func bytes(particles m: Int, dimension d: Int, samples n: Int, jacobianWidth: Int = 1) -> Double {
    let (mm, dd, nn) = (Double(m), Double(d), Double(n))
    return 8 * (6 * mm * dd + (nn > 0 ? mm * nn * (3 + Double(jacobianWidth)) + 2 * pow(min(mm, nn), 2) + nn * dd : 0))
  }

  /// Physical memory of this machine.
  public static var physicalBytes: Double {
    Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
  }

  static func format(_ bytes: Double) -> String {
    bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", bytes / 1e6)
  }

  /// Throws when the estimate exceeds 90% of the machine's memory.
  public static func check(particles m: Int, dimension d: Int, samples n: Int, jacobianWidth: Int = 1, file: String?) throws {
    let need = bytes(particles: m, dimension: d, samples: n, jacobianWidth: jacobianWidth)
    let have = physicalBytes
    guard need > 0.9 * have else { return }
    let detail = n > 0 ? "\(m) particles × \(d) coordinates and \(m) × \(n) feature matrices" : "\(m) particles × \(d) coordinates"
    throw ConfigError(file: file, path: "particles.count",
                      "the run needs about \(format(need)) (\(detail)), more than this machine's \(format(have))",
                      fix: "use fewer particles" + (n > 0 ? " or fewer data points" : ""))
  }

  /// A first check from the resolved config alone, before any part (or data set) is built.
  static func precheck(_ resolved: ConfigObject, file: String?) throws {
    func int(_ v: ConfigValue?) -> Int? { if case .integer(let i)? = v { return i } else { return nil } }
    func object(_ v: ConfigValue?) -> ConfigObject? { if case .object(let o)? = v { return o } else { return nil } }
    guard let m = int(object(resolved["particles"])?["count"]) else { return }
    let domain = object(resolved["domain"]), objective = object(resolved["objective"])
    var d = int(domain?["dimension"]) ?? 1
    if case .string("sphere")? = domain?["type"] { d += 1 }
    var n = 0
    if let o = objective {
      let data = object(o["data"])
      n = int(data?["samples"]) ?? int(o["samples"]) ?? 0
      if let g = int(o["grid"]) { n = Int(pow(Double(g), Double(int(o["dimension"]) ?? 1)).rounded()) }
      if let dd = int(data?["dimension"]) ?? (n > 0 ? int(o["dimension"]) : nil) { d = max(d, dd + 1) }
    }
    try check(particles: m, dimension: d, samples: n, file: file)
  }
}
