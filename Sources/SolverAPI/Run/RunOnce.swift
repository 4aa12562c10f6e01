import Foundation

/// The parts that have driven a run, so that `Solver.run` can refuse to run them again (RunPlan, "A plan
/// runs once"). Held weakly: a part that is freed leaves the table, and its address may serve a new one.
enum RunOnce {
  private final class Entry {
    weak var part: AnyObject?
    init(_ part: AnyObject) { self.part = part }
  }
  private static let lock = NSLock()
  nonisolated(unsafe) private static var claimed: [ObjectIdentifier: Entry] = [:]

  /// Marks `parts` as used; throws, marking nothing, when one of them has run before.
  static func claim(_ parts: [(role: String, part: AnyObject)]) throws {
    lock.lock()
    defer { lock.unlock() }
    claimed = claimed.filter { $0.value.part != nil }
    for (role, part) in parts {
      if let entry = claimed[ObjectIdentifier(part)], entry.part === part {
        throw RunError(.reused, "this plan's \(role) (\(type(of: part))) has already driven a run; a plan runs once, because its parts "
                         + "keep state from step to step (warm starts, snapshots, anchors), so a second run would not repeat the first",
                       fix: "build the plan again from fresh parts (compose the config again); with the same seed it repeats the run bit for bit")
      }
    }
    for (_, part) in parts { claimed[ObjectIdentifier(part)] = Entry(part) }
  }
}
