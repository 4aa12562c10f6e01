import Foundation
import SolverAPI
#if canImport(Glibc)
import Glibc
#endif

/// Writing a file whole or not at all: the text goes to `.<name>.tmp-<pid>` beside it, then is renamed over
/// it, so a reader (or a process killed mid-write) never sees a torn file. The temporary is removed on
/// every failure this process survives; one left by a killed process is removed by `removeStale(in:)`,
/// which a run folder calls when it is claimed.
public enum AtomicFile {
  public static func write(_ text: String, to path: String) throws {
    try write(to: path) { emit in try emit(text) }
  }

  /// Writes what `body` emits, piece by piece (a large file is never one string in memory), all or nothing.
  public static func write(to path: String, _ body: (_ emit: (String) throws -> Void) throws -> Void) throws {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".tmp-\(getpid())").path
    let fd = open(temporary, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw RunError(.io, "cannot write '\(path)': \(String(cString: strerror(errno)))") }
    var failure: Int32 = 0
    func emit(_ text: String) throws {
      var text = text
      text.withUTF8 { buffer in
        var done = 0
        while done < buffer.count && failure == 0 {
          let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
          if n < 0 { if errno == EINTR { continue }; failure = errno; return }
          done += n
        }
      }
      if failure != 0 { throw RunError(.io, "cannot write '\(path)': \(String(cString: strerror(failure)))") }
    }
    do { try body(emit) } catch {
      close(fd)
      unlink(temporary)
      throw error
    }
    if close(fd) != 0, failure == 0 { failure = errno }
    if failure == 0, rename(temporary, path) != 0 { failure = errno }
    if failure != 0 {
      unlink(temporary)
      throw RunError(.io, "cannot write '\(path)': \(String(cString: strerror(failure)))")
    }
  }

  /// Removes the temporaries of processes that are gone (killed mid-write) from `directory`.
  public static func removeStale(in directory: String) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") {
      guard let range = name.range(of: ".tmp-", options: .backwards), let pid = Int32(name[range.upperBound...]) else { continue }
      if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH { unlink(directory + "/" + name) }
    }
  }
}
