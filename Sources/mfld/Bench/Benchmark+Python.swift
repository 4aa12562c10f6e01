import Foundation
import MFLD

/// The `python` suite: what driving mfld from Python costs, measured by python/bench.py (the Python package
/// on libmfldc.so beside this executable): a NumPy potential against the built-in one on the McKean–Vlasov
/// example (overhead per step), and the bilevel (1000, 1000, 20) step from Python against `mfld run`
/// (target: within 5%).
extension Benchmark {
  /// python/bench.py, from the package root (the current folder).
  static let pythonBenchScript = "python/bench.py"

  public static func python(_ options: Options) throws -> [Row] {
    func skipped(_ why: String) -> [Row] { [Row(suite: "python", name: "Python interface", value: .nan, unit: "", note: "skipped: " + why)] }
    guard FileManager.default.fileExists(atPath: pythonBenchScript) else { return skipped("\(pythonBenchScript) not found (run from the package root)") }
    if let why = NumPyPeer.unavailable(peers: options.peersDirectory) { return skipped(why) }
    // The library and the executable of this build: the same code on both sides of every ratio.
    let folder = URL(fileURLWithPath: options.executable ?? CommandLine.arguments[0]).deletingLastPathComponent()
    let library = folder.appendingPathComponent("libmfldc.so").path
    guard FileManager.default.fileExists(atPath: library) else {
      return skipped("no \(library); build it with swift build -c release --product mfldc")
    }
    options.progress("python: NumPy potential, bilevel step from Python")
    let directory = try NumPyPeer.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let log = directory + "/bench.log", output = directory + "/rows.json"
    let status = try NumPyPeer.execute(["sh", "-c", "python3 \(pythonBenchScript) --json\(options.quick ? " --quick" : "") > \(output)"], log: log,
                                       environment: ["MFLD_LIBRARY": library, "MFLD_EXECUTABLE": folder.appendingPathComponent("mfld").path])
    guard status == 0, case .array(let items) = try JSONParser.parse(try String(contentsOfFile: output, encoding: .utf8)) else {
      let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: " / ")
      return [Row(suite: "python", name: "Python interface", value: .nan, unit: "", note: "python/bench.py failed (status \(status)): \(tail)", failed: true)]
    }
    return items.compactMap { item in
      guard case .object(let o) = item, case .string(let name)? = o["name"] else { return nil }
      func text(_ key: String) -> String { if case .string(let s)? = o[key] { return s } else { return "" } }
      return Row(suite: "python", name: name, value: o["value"]?.doubleValue ?? .nan, unit: text("unit"), note: text("note"),
                 failed: o["failed"] == .bool(true))
    }
  }
}
