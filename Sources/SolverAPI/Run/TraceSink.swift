import Foundation

/// Receives the trace of a run as it is produced.
public protocol TraceSink: AnyObject {
  func begin(columns: [String]) throws
  /// One recorded row (values in column order) and the wall-clock seconds since the run started.
  func record(_ row: [Double], wallSeconds: Double) throws
  /// The particles at step `step`, every `RunPlan.snapshotEvery` steps (before that step is taken).
  func snapshot(step: Int, cloud: ParticleCloud) throws
}

extension TraceSink {
  public func snapshot(step: Int, cloud: ParticleCloud) throws {}
}
