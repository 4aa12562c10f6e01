extension ParticleCloud {
  /// `count` points from `source` on a domain of `dimension` ambient coordinates, drawn from the stream
  /// a config's `particles.init` draws from for this seed — so a cloud made in code is the one
  /// `mfld run` starts from with the same seed.
  public init(_ source: any CloudSource, count: Int, dimension: Int, seed: UInt64) throws {
    self = try source.makeCloud(count: count, dimension: dimension, random: RunPlan.randomRoot(seed: seed).split("particles.init"))
  }
}
