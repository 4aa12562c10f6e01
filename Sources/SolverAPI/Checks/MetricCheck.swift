import LinearAlgebra

/// The laws of a metric (docs/math.md §1, §2.3, §5):
///
/// 1. Its move keeps particles on the domain: after a step with a random drift and random first-variation
///    values, every particle is finite and canonical (mapping it onto the domain moves it by < 1e-12).
/// 2. At τ > 0 on a flat test it injects noise of variance 2ητ per coordinate of position: two moves of the
///    same cloud with zero drift and constant values, under two noise streams, differ by Δ with
///    E|Δ|² = 2 · 2ητ · n per particle (n the position's intrinsic dimension; a reference potential's drift,
///    being the same in both moves, cancels). With N particles the estimate's relative sd is sqrt(2/(Nn));
///    the tolerance is 4 of those plus 1% for the O(ητ) curvature of the sphere. A metric without
///    transport (pure birth and death) has no noise and is not held to it. A metric with a mobility p
///    (`Metric.mobility`) is held to 2ητ p_k in each coordinate k, with the tolerance of N samples.
public struct MetricCheck {
  public var particles = 2000
  public var stepSize = 1e-4
  public var temperature = 1.0

  public init() {}

  public func laws(_ metric: any Metric, cloud start: ParticleCloud, random: RandomStream) -> [LawResult] {
    var rng = random.generator()
    let geometry = metric.geometry, d = start.dimension, N = particles
    var cloud = ParticleCloud(count: N, dimension: d)
    for i in 0..<N { for k in 0..<d { cloud[i, k] = start[i % start.count, k] } }

    // Law 1: on the domain after a move with a random drift and random values.
    var moved = cloud
    var gradient = (0..<(N * d)).map { _ in 0.1 * rng.normal() }, values = (0..<N).map { _ in rng.normal() }
    gradient.withUnsafeMutableBufferPointer { g in
      values.withUnsafeMutableBufferPointer { v in
        metric.move(&moved, gradient: g, values: metric.needsFirstVariationValues ? v : nil, stepSize: 0.01, temperature: 0.1,
                    noise: random.split("move"), step: 0, parallel: .serial)
      }
    }
    var offDomain = 0.0
    for i in 0..<N {
      var x = moved.particle(i)
      let ok = x.allSatisfy(\.isFinite) && x.withUnsafeMutableBufferPointer { geometry.canonicalize($0.baseAddress!) }
      offDomain = max(offDomain, ok ? zip(x, moved.particle(i)).map { abs($0 - $1) }.max() ?? 0 : .infinity)
    }
    var laws = [LawResult(law: "a move keeps particles on \(geometry.name)", error: offDomain, tolerance: 1e-12)]

    // Law 2: noise of variance 2ητ per coordinate of position.
    guard metric.transportsParticles else { return laws }
    let (base, offset): (any Geometry, Int) = (geometry as? LiftedDomain).map { ($0.base, 1) } ?? (geometry, 0)
    let n = base is Sphere ? base.dimension - 1 : base.dimension
    func flatMove(_ label: String) -> ParticleCloud {
      var c = cloud
      var zero = [Double](repeating: 0, count: N * d), constant = [Double](repeating: 0, count: N)
      zero.withUnsafeMutableBufferPointer { g in
        constant.withUnsafeMutableBufferPointer { v in
          metric.move(&c, gradient: g, values: metric.needsFirstVariationValues ? v : nil, stepSize: stepSize, temperature: temperature,
                      noise: random.split(label), step: 0, parallel: .serial)
        }
      }
      return c
    }
    let a = flatMove("noise 1"), b = flatMove("noise 2")
    if let p = metric.mobility, p.count == d, offset == 0, !(base is Sphere) {
      // A preconditioned metric: 2ητ p_k per coordinate, each estimated from N differences.
      var sums = [Double](repeating: 0, count: d)
      withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { z in
        a.coordinates.withUnsafeBufferPointer { ap in
          b.coordinates.withUnsafeBufferPointer { bp in
            for i in 0..<N {
              base.difference(ap.baseAddress! + i * d, bp.baseAddress! + i * d, into: z.baseAddress!)
              for k in 0..<d { sums[k] += z[k] * z[k] }
            }
          }
        }
      }
      var error = 0.0
      for k in 0..<d {
        let variance = sums[k] / Double(2 * N), expected = 2 * stepSize * temperature * p[k]
        error = max(error, abs(variance / expected - 1))
      }
      laws.append(LawResult(law: "noise variance of coordinate k = 2ητ p_k (flat test)", error: error,
                            tolerance: 4 * (2 / Double(N)).squareRoot() + 0.01))
      return laws
    }
    var sum = 0.0
    withUnsafeTemporaryAllocation(of: Double.self, capacity: base.dimension) { z in
      a.coordinates.withUnsafeBufferPointer { ap in
        b.coordinates.withUnsafeBufferPointer { bp in
          for i in 0..<N {
            base.difference(ap.baseAddress! + i * d + offset, bp.baseAddress! + i * d + offset, into: z.baseAddress!)
            for k in 0..<base.dimension { sum += z[k] * z[k] }
          }
        }
      }
    }
    let variance = sum / Double(2 * N * n), expected = 2 * stepSize * temperature
    laws.append(LawResult(law: "noise variance per coordinate = 2ητ (flat test)", error: abs(variance / expected - 1),
                          tolerance: 4 * (2 / Double(N * n)).squareRoot() + 0.01))
    return laws
  }
}
