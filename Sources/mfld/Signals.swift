#if canImport(Glibc)
import Glibc
#endif

/// The signal that asked the run to stop (SIGINT or SIGTERM), 0 while none has.
nonisolated(unsafe) var receivedSignal: Int32 = 0

/// SIGINT/SIGTERM finish the current step, then the run writes its trace, summary, particles and a
/// checkpoint, and mfld exits with 128 + the signal (130, 143).
enum Signals {
  static func install() {
    signal(SIGINT) { receivedSignal = $0 }
    signal(SIGTERM) { receivedSignal = $0 }
    // A parent may have left these blocked (a spawned child inherits the mask): unblock them.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
  }
  static var stopRequested: Bool { receivedSignal != 0 }
  static var exitCode: Int32 { 128 + receivedSignal }
}
