/// A source of points: initial particles, or a target cloud (generated or read from a file).
public protocol CloudSource: Sendable {
  /// `count` points of `dimension` coordinates. Sources that carry their own size (a file) may
  /// require `count` to match, or accept `nil` to mean "as many as there are".
  func makeCloud(count: Int?, dimension: Int, random: RandomStream) throws -> ParticleCloud
}
