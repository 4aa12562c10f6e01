/// A part with state beyond the particles — snapshots, an anchor, a warm start — that a checkpoint must
/// carry so that a resumed run continues bit for bit. Parts without such state need nothing: schedules
/// are functions of the step and random draws are addressed by (seed, step, particle).
public protocol Checkpointable: AnyObject {
  /// Named arrays of doubles; restored into a fresh instance built from the same config, they make it
  /// continue exactly as the original would have.
  func checkpointState() -> [String: [Double]]
  func restoreCheckpoint(_ state: [String: [Double]]) throws
}

extension ParticleCloud {
  /// Rebuilds a cloud of this shape from saved coordinates, or nil when the count does not fit.
  public static func restored(_ values: [Double]?, like shape: ParticleCloud) -> ParticleCloud? {
    guard let values, values.count == shape.count * shape.dimension else { return nil }
    return ParticleCloud(count: shape.count, dimension: shape.dimension, coordinates: values)
  }
}
