import Foundation
#if canImport(Glibc)
import Glibc
import MFLD
#endif

extension Benchmark {
  /// A finished child process: its exit status (128 + signal when killed), its own peak resident set
  /// size, and the wall-clock seconds it ran.
  struct ChildUsage {
    var status: Int32
    var peakBytes: Double
    var seconds: Double
  }

  /// Runs `executable ARGUMENTS` as a child (posix_spawn) with stdout and stderr into `log` (inherited when
  /// nil), and waits for it with wait4, which returns the child's own rusage — Foundation.Process does not.
  ///
  /// Caution: Linux charges a process, at exec, with the peak RSS of the image it replaces — for a spawned
  /// child, this (parent) process's. So the figure is the child's own only when this process is small;
  /// `childUsage(of:)` goes through a fresh helper for that.
  static func spawnMeasured(_ executable: String, _ arguments: [String], log: String?) throws -> ChildUsage {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    if let log {
      posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
      posix_spawn_file_actions_adddup2(&actions, 1, 2)
    }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid = pid_t()
    let clock = ContinuousClock(), start = clock.now
    let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard rc == 0 else { throw PeerError("cannot start \(executable): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0, usage = rusage()
    while wait4(pid, &status, 0, &usage) == -1 {
      guard errno == EINTR else { throw PeerError("wait4 failed: \(String(cString: strerror(errno)))") }
    }
    let signal = status & 0x7f
    return ChildUsage(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal,
                      peakBytes: Double(usage.ru_maxrss) * 1024, seconds: seconds(clock.now - start))
  }

  /// `mfld bench --child-rusage FILE -- PROGRAM ARGS...`: runs PROGRAM as a child of this (fresh, small)
  /// process and writes its exit status, peak RSS (wait4) and seconds to FILE as JSON. The memory suite runs
  /// its children through this helper, so that their peak RSS is not inflated by the benchmark's own (see
  /// `spawnMeasured`).
  public static func reportChildUsage(_ command: [String], to file: String) throws {
    guard let program = command.first else { throw PeerError("--child-rusage needs a program to run after --") }
    let u = try spawnMeasured(program, Array(command.dropFirst()), log: nil)
    let json: ConfigValue = ["status": .integer(Int(u.status)), "peak_bytes": .real(u.peakBytes), "seconds": .real(u.seconds)]
    try Data((json.jsonText(pretty: false) + "\n").utf8).write(to: URL(fileURLWithPath: file))
  }

  /// The usage of `executable ARGUMENTS` measured by a fresh `executable bench --child-rusage` helper.
  static func childUsage(_ executable: String, _ arguments: [String], log: String, scratch: String) throws -> ChildUsage {
    let file = scratch + ".rusage.json"
    let helper = try spawnMeasured(executable, ["bench", "--child-rusage", file, "--", executable] + arguments, log: log)
    guard helper.status == 0, let text = try? String(contentsOfFile: file, encoding: .utf8),
          case .object(let o) = try JSONParser.parse(text),
          let status = o["status"]?.doubleValue, let peak = o["peak_bytes"]?.doubleValue, let seconds = o["seconds"]?.doubleValue else {
      throw PeerError("the --child-rusage helper failed with status \(helper.status)")
    }
    return ChildUsage(status: Int32(status), peakBytes: peak, seconds: seconds)
  }

  /// Steady-state memory of a bilevel run is O(n·m), not O(steps): `mfld run` of the bilevel
  /// (1000, 1000, 20) config (quick: (500, 200, 10)) in a child process for 20 and for 200 steps, a trace
  /// row recorded every step, and each child's peak RSS. `options.executable` is the `mfld` binary.
  public static func memory(_ options: Options) throws -> [Row] {
    guard let executable = options.executable else {
      return [Row(suite: "memory", name: "child mfld run", value: .nan, unit: "", note: "skipped: no mfld executable to run")]
    }
    let (n, m, d) = options.quick ? (500, 200, 10) : (1000, 1000, 20)
    let lengths = [20, 200]
    let directory = try NumPyPeer.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var rows: [Row] = [], peaks: [Double] = []
    for steps in lengths {
      options.progress("memory: mfld run, bilevel \(sizeLabel(n, m, d)), \(steps) steps")
      let config = directory + "/bilevel-\(steps).json", out = directory + "/run-\(steps)", log = directory + "/run-\(steps).log"
      try Data((networkConfig("bilevel", n: n, m: m, d: d, steps: steps, recordEvery: 1).jsonText(pretty: true) + "\n").utf8)
        .write(to: URL(fileURLWithPath: config))
      let child = try childUsage(executable, ["run", config, "--out", out, "--quiet"], log: log, scratch: directory + "/run-\(steps)")
      let name = "bilevel \(sizeLabel(n, m, d)), \(steps) steps, a trace row every step: peak RSS"
      guard child.status == 0 else {
        let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(2).joined(separator: " / ")
        return rows + [Row(suite: "memory", name: name, value: .nan, unit: "MB", note: "FAILED: the child exited with \(child.status): \(tail)", failed: true)]
      }
      peaks.append(child.peakBytes)
      rows.append(Row(suite: "memory", name: name, value: child.peakBytes / 1e6, unit: "MB",
                      note: "`mfld run` in a child process, its rusage from wait4; " + String(format: "%.1f s", child.seconds)))
    }
    let ratio = peaks[1] / peaks[0], matrix = Double(n) * Double(m) * 8
    rows.append(Row(suite: "memory", name: "peak RSS, \(lengths[1]) steps / \(lengths[0]) steps", value: ratio, unit: "×",
                    note: String(format: "one n × m feature matrix is %.1f MB; O(n·m), not O(steps): ", matrix / 1e6)
                      + (ratio < 1.1 ? "flat" : "GROWS with the run length")))
    return rows
  }
}
