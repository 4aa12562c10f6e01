import Foundation
import MFLD

/// Points on the circle of radius r about c in the plane, a new cloud: evenly spaced from a random angle,
/// each moved along the circle by a uniform jitter of up to `jitter` times the spacing. With no jitter, the
/// mean distance between two of N points is (2r/(N − 1)) cot(π/(2N)) exactly (what the tests check).
public struct RingCloud: CloudSource {
  public let radius: Double
  public let center: [Double]
  public let jitter: Double

  public func makeCloud(count: Int?, dimension: Int, random: RandomStream) throws -> ParticleCloud {
    guard let n = count else { throw MissingCount() }
    var cloud = ParticleCloud(count: n, dimension: dimension)
    var rng = random.generator()
    let phase = 2 * Double.pi * rng.uniform(), spacing = 2 * Double.pi / Double(max(n, 1))
    for i in 0..<n {
      let angle = phase + spacing * (Double(i) + jitter * (rng.uniform() - 0.5))
      cloud[i, 0] = center[0] + radius * cos(angle)
      cloud[i, 1] = center[1] + radius * sin(angle)
    }
    return cloud
  }

  struct MissingCount: Error, CustomStringConvertible {
    var description: String { "ring: how many points? (give particles.count, or the objective's target_count)" }
  }

  public static let component = Component(
    .cloud, "ring",
    summary: "points evenly spaced on a circle of radius r in the plane (optionally jittered along it)",
    parameters: [
      .real("radius", default: 1, in: .positive, "r"),
      .reals("center", default: [0, 0], "c"),
      .real("jitter", default: 0, in: Interval(lower: 0, included: true, upper: 1, included: true), "jitter, as a fraction of the spacing"),
    ],
    example: ["type": "ring", "radius": 2]
  ) { args in
    let d = try args.domain.dimension
    guard d == 2 else { throw args.error(nil, "'ring' makes points in the plane; the domain has \(d) coordinates", fix: "use a 2-dimensional domain") }
    guard args.reals("center").count == 2 else { throw args.error("center", "needs 2 numbers", fix: "e.g. [0, 0]") }
    return RingCloud(radius: args.real("radius"), center: args.reals("center"), jitter: args.real("jitter")) as any CloudSource
  }
}
