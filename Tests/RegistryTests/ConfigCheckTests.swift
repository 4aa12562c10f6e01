import Foundation
import Formats
import LinearAlgebra
import Objectives
import Registry
import SolverAPI
import Testing

/// `mfld check`'s laws, in process: every shipped example passes all of them, and a part that breaks its
/// law — a gradient off by 1%, a feature map's Jacobian off by 1%, first-variation values off the cloud's
/// — fails with its key path.
struct ConfigCheckTests {
  static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

  @Test("every shipped example passes every law of every part it composes")
  func examplesPass() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".json") }.sorted()
    #expect(files.count >= 10)
    for f in files {
      let registry = Registry.standard()
      let composition = try Composition.load(file: Self.examples.appendingPathComponent(f).path, registry: registry)
      let laws = try ConfigCheck.laws(composition, registry: registry)
      #expect(laws.count >= 6, "\(f): only \(laws.count) laws")
      #expect(laws.contains { $0.path == "objective" } && laws.contains { $0.path == "metric" } && laws.contains { $0.path == "integrator.step" })
      for failure in laws where !failure.passed { Issue.record("\(f): \(failure)") }
    }
  }

  /// V(x) = |x|²/2 with ∇V scaled by `factor`.
  struct ScaledBowl: ScalarField {
    let dimension: Int
    let factor: Double
    func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
      var s = 0.0
      for k in 0..<dimension { s += x[k] * x[k]; gradient?[k] = factor * x[k] }
      return 0.5 * s
    }
  }

  /// A feature map whose pullback is the base's times `factor`: a Jacobian off by that much.
  final class ScaledPullback: FeatureMap {
    let base: any FeatureMap, factor: Double
    init(_ base: any FeatureMap, factor: Double) { self.base = base; self.factor = factor }
    var dimension: Int { base.dimension }
    var sampleCount: Int { base.sampleCount }
    var jacobianWidth: Int { base.jacobianWidth }
    func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, parallel: Parallel) {
      base.evaluate(w, features: features, jacobian: jacobian, parallel: parallel)
    }
    func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                  scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
      base.pullback(w, features: features, jacobian: jacobian, weights: u, scales: c, into: g, parallel: parallel)
      for k in 0..<(w.count * dimension) { g[k] *= factor }
    }
  }

  /// A signed objective: the base network with another feature map.
  final class Rewired: SignedObjective {
    let base: any SignedObjective, features: any FeatureMap
    init(_ base: any SignedObjective, features: any FeatureMap) { self.base = base; self.features = features }
    var domain: any Geometry { base.domain }
    var labels: [Double] { base.labels }
    var loss: any Loss { base.loss }
    var lambda: Double { base.lambda }
  }

  static func registry(factor: Double) throws -> Registry {
    let registry = Registry.standard()
    try registry.register(Component(.potential, "scaled-bowl", summary: "|x|²/2 with a scaled gradient") { args in
      ScaledBowl(dimension: try args.domain.dimension, factor: factor) as any ScalarField
    })
    try registry.register(Component(.objective, "rewired-network", summary: "a network whose pullback is scaled") { args in
      let data = TeacherData.make(dimension: 3, samples: 30, testSamples: 0, neurons: 2, activation: .relu, noise: 0, random: args.random)
      let net = TwoLayerNetwork(data: data, activation: .tanh, loss: SquareLoss(), lambda: 0.01, sphere: true)
      return Rewired(net, features: ScaledPullback(net.features, factor: factor)) as any SignedObjective
    })
    return registry
  }

  static let potential: ConfigValue = [
    "domain": ["type": "euclidean", "dimension": 2], "objective": ["type": "potential", "V": "scaled-bowl"],
    "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.1], "particles": ["count": 20], "steps": 10,
  ]

  static let network: ConfigValue = [
    "objective": "rewired-network", "reduction": "bilevel",
    "integrator": ["type": "euler-maruyama", "step": 0.1, "temperature": 1e-4], "particles": ["count": 20, "init": "uniform"], "steps": 10,
  ]

  func failures(_ config: ConfigValue, factor: Double) throws -> [LawResult] {
    let registry = try Self.registry(factor: factor)
    return try ConfigCheck.laws(try Composition.compose(config, registry: registry), registry: registry).filter { !$0.passed }
  }

  @Test("a potential whose gradient is off by 1%, or has the wrong sign, fails at its key path", arguments: [1.01, -1.0])
  func wrongGradient(factor: Double) throws {
    #expect(try failures(Self.potential, factor: 1).isEmpty)
    let failed = try failures(Self.potential, factor: factor)
    #expect(failed.contains { $0.path == "objective.V" && $0.part == "potential 'scaled-bowl'" && $0.law == "∇f(x)·v = d/dh f(x + hv)" },
            "\(failed)")
    // The objective built on it breaks the particle-derivative law too.
    #expect(failed.contains { $0.path == "objective" && $0.law.hasPrefix("∂F/∂X^i") }, "\(failed)")
  }

  @Test("a feature map whose Jacobian is off by 1% fails, under the bilevel reduction and the lift")
  func wrongJacobian() throws {
    for reduction: ConfigValue in ["bilevel", "lift"] {
      guard case .object(var o) = Self.network else { return }
      o["reduction"] = reduction
      #expect(try failures(.object(o), factor: 1).isEmpty)
      let failed = try failures(.object(o), factor: 1.01)
      #expect(failed.contains { $0.path == "objective" && $0.part == "feature map of 'rewired-network'" && $0.law.hasPrefix("pullback·v") },
              "\(reduction): \(failed)")
    }
  }

  /// F(μ) = ∫ V dμ with V(x) = |x|²/2, whose first variation reports V + 0.1 x₁: consistent in evaluate and
  /// firstVariation (law 4 holds), wrong against F (law 3 must catch it).
  final class WrongValues: Objective {
    var dimension: Int { 2 }
    func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                  parallel: Parallel) throws -> Double {
      var f = 0.0
      for i in 0..<cloud.count {
        let (x, y) = (cloud[i, 0], cloud[i, 1])
        f += 0.5 * (x * x + y * y)
        gradient?[2 * i] = x
        gradient?[2 * i + 1] = y
        values?[i] = 0.5 * (x * x + y * y) + 0.1 * x
      }
      return f / Double(cloud.count)
    }
    func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                        gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
      _ = try evaluate(points, gradient: gradients, values: values, parallel: parallel)
    }
  }

  @Test("first-variation values off by a term F does not have fail the mixture law")
  func wrongValues() throws {
    let cloud = ParticleCloud(count: 5, dimension: 2, coordinates: [0.3, 0.1, -0.5, 0.4, 1, 1, 0.2, -0.7, -1, 0.5])
    let laws = try FirstVariationCheck().laws(WrongValues(), on: cloud, geometry: Euclidean(dimension: 2), random: RandomStream(seed: 3))
    #expect(laws.first { $0.law.hasPrefix("evaluate's") }?.passed == true)
    #expect(laws.first { $0.law.hasPrefix("d/dε") }?.passed == false, "\(laws)")
  }
}
