import Foundation
import Integrators
import Objectives
import SolverAPI
import Testing

/// The Wasserstein metric's moves stay on their domain and follow docs/math.md §1 exactly.
struct GeometryMoveTests {
  func move(_ geometry: any Geometry, cloud: ParticleCloud, gradient: [Double], eta: Double, tau: Double,
            reference: ReferenceMeasure = .flat) -> ParticleCloud {
    var c = cloud, g = gradient
    let metric = makeWassersteinMetric(geometry: geometry, reference: reference)
    g.withUnsafeMutableBufferPointer {
      metric.move(&c, gradient: $0, stepSize: eta, temperature: tau, noise: RandomStream(seed: 9), step: 0, parallel: .serial)
    }
    return c
  }

  @Test("on ℝ^d a noiseless move is X − η∇V exactly")
  func euclideanMove() {
    let c = move(Euclidean(dimension: 2), cloud: ParticleCloud(count: 1, dimension: 2, coordinates: [1, 2]), gradient: [0.5, -1], eta: 0.1, tau: 0)
    let expected: [Double] = [1 - 0.05, 2 + 0.1]
    #expect(c.coordinates == expected)
  }

  @Test("with noise the move adds sqrt(2ητ) ξ with ξ the stream's normals for (step, particle)")
  func euclideanNoise() {
    var xi = [Double](repeating: 0, count: 2)
    xi.withUnsafeMutableBufferPointer { RandomStream(seed: 9).normals(step: 0, index: 0, into: $0.baseAddress!, count: 2) }
    let c = move(Euclidean(dimension: 2), cloud: ParticleCloud(count: 1, dimension: 2, coordinates: [0, 0]), gradient: [0, 0], eta: 0.02, tau: 0.5)
    let s = (2 * 0.02 * 0.5).squareRoot()
    let expected: [Double] = [s * xi[0], s * xi[1]]
    #expect(c.coordinates == expected)
  }

  @Test("a Gaussian reference adds the drift −ητ∇U = −ητ x/s²")
  func gaussianReferenceDrift() {
    struct U: ScalarField {
      var dimension: Int { 1 }
      func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
        gradient?[0] = x[0] / 4; return x[0] * x[0] / 8
      }
    }
    var xi = [0.0, 0.0]
    xi.withUnsafeMutableBufferPointer { RandomStream(seed: 9).normals(step: 0, index: 0, into: $0.baseAddress!, count: 1) }
    let c = move(Euclidean(dimension: 1), cloud: ParticleCloud(count: 1, dimension: 1, coordinates: [2]), gradient: [0], eta: 0.1, tau: 0.5,
                 reference: ReferenceMeasure(name: "gaussian", potential: U()))
    #expect(abs(c.coordinates[0] - (2 - 0.1 * 0.5 * 0.5 + (0.1).squareRoot() * xi[0])) < 1e-15)
  }

  @Test("sphere moves stay on the sphere and move along the tangent")
  func sphereMove() {
    let sphere = Sphere(intrinsicDimension: 2)
    var rng = RandomStream(seed: 4).generator()
    var cloud = ParticleCloud(count: 50, dimension: 3, coordinates: (0..<150).map { _ in rng.normal() })
    _ = sphere.canonicalize(&cloud)
    let g = (0..<150).map { _ in rng.normal() }
    let moved = move(sphere, cloud: cloud, gradient: g, eta: 0.05, tau: 0.3)
    for i in 0..<50 {
      let n = (0..<3).reduce(0) { $0 + moved[i, $1] * moved[i, $1] }
      #expect(abs(n - 1) < 1e-14)
    }
    // A radial gradient has no tangent part: the particle does not move.
    let x = ParticleCloud(count: 1, dimension: 3, coordinates: [0, 0, 1])
    #expect(move(sphere, cloud: x, gradient: [0, 0, 5], eta: 0.1, tau: 0) == x)
  }

  @Test("torus moves wrap into [0, 1)")
  func torusMove() {
    let c = move(Torus(dimension: 2), cloud: ParticleCloud(count: 1, dimension: 2, coordinates: [0.95, 0.05]), gradient: [-1, 1], eta: 0.1, tau: 0)
    #expect(abs(c.coordinates[0] - 0.05) < 1e-12 && abs(c.coordinates[1] - 0.95) < 1e-12)
    #expect(Torus.wrap(-1e-18) < 1 && Torus.wrap(-1e-18) >= 0)
    #expect(abs(Torus.difference(0.95, 0.05) - (-0.1)) < 1e-12)
  }

  /// The sphere, or a Gaussian reference's potential, asking for batches as parts across the plugin boundary do.
  struct BatchedSphere: Geometry {
    let sphere = Sphere(intrinsicDimension: 2)
    var name: String { sphere.name }
    var dimension: Int { sphere.dimension }
    var isCompact: Bool { true }
    var prefersBatches: Bool { true }
    func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) { sphere.projectToTangent(v, at: x) }
    func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) { sphere.retract(x, along: v) }
    func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool { sphere.canonicalize(x) }
    func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) { sphere.sampleUniform(into: x, using: &random) }
    func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double { sphere.distance(a, b) }
  }

  struct BatchedField: ScalarField {
    let base: any ScalarField
    var dimension: Int { base.dimension }
    var prefersBatches: Bool { true }
    func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double { base.evaluate(x, gradient: gradient) }
  }

  @Test("a domain and a reference potential that ask for batches (a plugin's) move the cloud to the same bits as per-point calls")
  func batchedMovesAreTheSame() {
    var rng = RandomStream(seed: 4).generator()
    var cloud = ParticleCloud(count: 300, dimension: 3, coordinates: (0..<900).map { _ in rng.normal() })
    _ = Sphere(intrinsicDimension: 2).canonicalize(&cloud)
    let gradient = (0..<900).map { _ in rng.normal() }
    let u = QuadraticPotential(dimension: 3, a: 2, center: [0.1, 0, -0.2])
    let perPoint = move(Sphere(intrinsicDimension: 2), cloud: cloud, gradient: gradient, eta: 0.01, tau: 0.3,
                        reference: ReferenceMeasure(name: "q", potential: u))
    let batched = move(BatchedSphere(), cloud: cloud, gradient: gradient, eta: 0.01, tau: 0.3,
                       reference: ReferenceMeasure(name: "q", potential: BatchedField(base: u)))
    #expect(perPoint.coordinates.map(\.bitPattern) == batched.coordinates.map(\.bitPattern))
    #expect(perPoint.coordinates != cloud.coordinates)
  }
}
