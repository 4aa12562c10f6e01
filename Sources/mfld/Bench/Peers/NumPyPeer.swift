import Foundation
import MFLD

/// Running the NumPy reference.
enum NumPyPeer {
  static func script(in peers: String) -> String { peers + "/numpy_steps.py" }

  /// Runs `/usr/bin/env ARGUMENTS` with stdout and stderr into `log` (a file: no pipe to fill up) and
  /// `environment` added to ours; returns the exit status.
  static func execute(_ arguments: [String], log: String, environment: [String: String] = [:]) throws -> Int32 {
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    defer { try? handle.close() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    p.standardOutput = handle
    p.standardError = handle
    p.standardInput = FileHandle.nullDevice
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
  }

  /// Nil when the script is there and `python3 -c "import numpy"` works; otherwise why the peer is skipped.
  static func unavailable(peers: String) -> String? {
    guard FileManager.default.fileExists(atPath: script(in: peers)) else {
      return "\(script(in: peers)) not found (run from the package root, or pass --peers DIR)"
    }
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-bench-\(UUID().uuidString).log").path
    defer { try? FileManager.default.removeItem(atPath: log) }
    guard let status = try? execute(["python3", "-c", "import numpy"], log: log) else { return "cannot start /usr/bin/env python3" }
    if status == 127 { return "python3 not found" }
    if status != 0 { return "python3 cannot import numpy" }
    return nil
  }

  /// A fresh temporary folder.
  static func temporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }

  /// The BLAS thread-count variables NumPy's libraries read at import.
  static let singleThreaded = ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"]

  /// Writes `problem` into `directory` and runs the script on it twice: its BLAS on one thread, then on its
  /// default threads. NumPy's figure is the better of the two — a multithreaded BLAS collapses on a loaded
  /// machine or on small products, and a peer must not be beaten by its thread setting. The step files are
  /// the second run's.
  static func run(_ problem: PeerProblem, peers: String, in directory: String) throws -> (oneThread: PeerResult, defaultThreads: PeerResult) {
    try problem.write(to: directory)
    let one = try runScript(peers: peers, in: directory, environment: singleThreaded)
    return (one, try runScript(peers: peers, in: directory, environment: [:]))
  }

  static func runScript(peers: String, in directory: String, environment: [String: String]) throws -> PeerResult {
    let log = directory + "/numpy.log"
    let status = try execute(["python3", script(in: peers), directory], log: log, environment: environment)
    guard status == 0 else {
      let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: " / ")
      throw PeerError("\(script(in: peers)) exited with status \(status): \(tail)")
    }
    let text = try String(contentsOfFile: directory + "/result.json", encoding: .utf8)
    return try PeerResult(json: try JSONParser.parse(text))
  }
}
