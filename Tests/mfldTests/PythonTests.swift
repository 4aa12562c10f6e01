import Foundation
import Testing

/// The Python package (python/, README "Python"), tested through the library and executable built beside
/// this test bundle: python/tests/ run under `python3 -m unittest` — a run from Python equals `mfld run` bit
/// for bit (trace and particles, a probability and a signed run), 10 × 100 steps equal 1 × 1000, a NumPy
/// potential samples the Euler–Maruyama chain's exact stationary variance, a wrong gradient fails
/// `mfld.check`, a bad config raises with its key path, a raising Python function stops the run with its
/// message and keeps the outputs. Needs python3 with NumPy (`.ci/run` installs it).
struct PythonTests {
  /// libmfldc.so beside the `mfld` this bundle tests (the same build: the same bits).
  static var library: URL { MFLD.executable.deletingLastPathComponent().appendingPathComponent("libmfldc.so") }

  @Test("python/tests pass against the library and the executable of this build")
  func pythonPackage() throws {
    #expect(FileManager.default.fileExists(atPath: Self.library.path), "no \(Self.library.path): `swift build` builds the mfldc product")
    let python = MFLD.packageRoot.appendingPathComponent("python")
    let r = try Subprocess.run("python3", ["-m", "unittest", "discover", "-s", "tests", "-t", "tests"], in: python, environment: [
      "MFLD_LIBRARY": Self.library.path, "MFLD_EXECUTABLE": MFLD.executable.path, "PYTHONPATH": python.path,
      "PYTHONDONTWRITEBYTECODE": "1",
    ])
    #expect(r.status == 0, "python3 -m unittest (in python/) failed:\n\(r.output)")
    #expect(r.output.contains("\nOK"), "\(r.output)")
  }
}
