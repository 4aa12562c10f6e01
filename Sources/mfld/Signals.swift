#if canImport(Glibc)
import Glibc
#endif
import MFLD

/// The signal that asked the run to stop (SIGINT or SIGTERM), 0 while none has.
nonisolated(unsafe) var receivedSignal: Int32 = 0

/// SIGINT/SIGTERM stop the run at the last completed step — a long step is cut short (`Cancellation`) and
/// discarded — then the run writes its trace, summary, particles and a checkpoint of that step, and mfld
/// exits with 128 + the signal (130, 143). A second signal exits at once: the files already written stay
/// valid (each is written whole and renamed into place), the ones being written are left out.
enum Signals {
  static func install() {
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
    // A parent may have left these blocked (a spawned child inherits the mask): unblock them.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
  }

  /// Async-signal-safe: an assignment, an atomic store, or `_exit`.
  private static let handler: @convention(c) (Int32) -> Void = { signal in
    if receivedSignal != 0 { _exit(128 + signal) }
    receivedSignal = signal
    Cancellation.request()
  }

  static var stopRequested: Bool { receivedSignal != 0 }
  static var exitCode: Int32 { 128 + receivedSignal }
}
