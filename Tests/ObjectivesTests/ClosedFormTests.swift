import Objectives
import SolverAPI
import Testing

/// Objectives against values known in closed form.
struct ClosedFormTests {
  /// The quadratic kernel with its moment shortcut hidden, so the O(m²) pairwise path runs.
  struct Opaque: ScalarField {
    let inner: QuadraticKernel
    var dimension: Int { inner.dimension }
    func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double { inner.evaluate(x, gradient: gradient) }
  }

  /// The Gaussian kernel hidden from the SIMD fast path, so the generic pairwise loop (libm exp) runs.
  struct OpaqueGaussian: ScalarField {
    let inner: GaussianKernel
    var dimension: Int { inner.dimension }
    func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double { inner.evaluate(x, gradient: gradient) }
  }

  let cloud: ParticleCloud = {
    var rng = RandomStream(seed: 2).generator()
    return ParticleCloud(count: 40, dimension: 3, coordinates: (0..<120).map { _ in rng.normal() })
  }()

  @Test("the quadratic interaction's O(m) moment form equals the O(m²) pairwise sum")
  func momentsEqualPairs() throws {
    let domain = Euclidean(dimension: 3)
    let kernel = QuadraticKernel(dimension: 3, b: 1.3)
    let (f1, g1) = try InteractionEnergy(kernel: kernel, geometry: domain).valueAndGradient(cloud)
    let (f2, g2) = try InteractionEnergy(kernel: Opaque(inner: kernel), geometry: domain).valueAndGradient(cloud)
    #expect(abs(f1 - f2) <= 1e-12 * abs(f2))
    for k in g1.coordinates.indices { #expect(abs(g1.coordinates[k] - g2.coordinates[k]) <= 1e-12 * (1 + abs(g2.coordinates[k]))) }
  }

  /// The SIMD exp is within ~2 ulp of libm's; summing 40 × 40 terms of one sign adds at most 40 u
  /// relative per sum, so 1e-13 relative (≈ 450 u) bounds the difference with room, and distances
  /// from 0 to 8σ (e^−32) exercise the exponent range.
  @Test("the Gaussian interaction's SIMD path equals the generic pairwise sum", arguments: [0.3, 1.0, 4.0])
  func gaussianFastPath(bandwidth: Double) throws {
    let domain = Euclidean(dimension: 3)
    let kernel = GaussianKernel(dimension: 3, strength: -1.7, bandwidth: bandwidth)
    let (f1, g1) = try InteractionEnergy(kernel: kernel, geometry: domain).valueAndGradient(cloud)
    let (f2, g2) = try InteractionEnergy(kernel: OpaqueGaussian(inner: kernel), geometry: domain).valueAndGradient(cloud)
    #expect(abs(f1 - f2) <= 1e-13 * abs(f2))
    let scale = g2.coordinates.map(abs).max()!
    for k in g1.coordinates.indices { #expect(abs(g1.coordinates[k] - g2.coordinates[k]) <= 1e-13 * scale) }
  }

  @Test("½∫∫ b|x − y|²/2 dμ dμ is (b/2) × the sum of coordinate variances")
  func quadraticInteractionIsVariance() throws {
    let f = try InteractionEnergy(kernel: QuadraticKernel(dimension: 3, b: 2), geometry: Euclidean(dimension: 3)).value(cloud)
    var total = 0.0
    for k in 0..<3 {
      let xs = (0..<40).map { cloud[$0, k] }
      let mean = xs.reduce(0, +) / 40
      total += xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 40
    }
    #expect(abs(f - total) < 1e-12 * total)
  }

  @Test("MMD of a cloud to itself is 0, and its first variation is constant")
  func mmdToItself() throws {
    let mmd = MMDObjective(kernel: GaussianKernel(dimension: 3, strength: 1, bandwidth: 0.8), target: cloud, geometry: Euclidean(dimension: 3))
    let (f, g) = try mmd.valueAndGradient(cloud)
    #expect(abs(f) < 1e-14)
    #expect(g.coordinates.allSatisfy { abs($0) < 1e-14 })
  }

  @Test("the double well has minima 0 at x₁ = ±s and the barrier h at 0")
  func doubleWell() {
    let v = DoubleWellPotential(dimension: 2, height: 3, separation: 2, a: 1)
    #expect(v.value(at: [2, 0]) == 0 && v.value(at: [-2, 0]) == 0 && v.value(at: [0, 0]) == 3)
    #expect(v.gradient(at: [2, 0]) == [0, 0])
  }

  @Test("Gaussian wells: V at a lone well's center is −depth")
  func gaussianWell() {
    let v = GaussianWellsPotential(centers: [[1, 1]], depths: [2.5], widths: [0.3], confinement: 0)
    #expect(v.value(at: [1, 1]) == -2.5)
    #expect(v.gradient(at: [1, 1]) == [0, 0])
  }
}
