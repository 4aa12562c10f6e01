import MFLD

/// The sample parts `mfld new-plugin` writes, one per kind. Each is a small, correct part — its laws pass
/// `mfld check` — to be edited into the one you want; its config runs it beside built-in parts.
enum PartTemplates {
  static func template(_ kind: PartKind) -> PartTemplate {
    switch kind {
    case .potential: return potential
    case .kernel: return kernel
    case .objective: return objective
    case .integrator: return integrator
    case .metric: return metric
    case .schedule: return schedule
    case .domain: return domain
    case .reference: return reference
    case .cloud: return cloud
    case .dataset: return dataset
    case .observer: return observer
    case .reduction: return reduction
    }
  }

  /// A probability-measure problem on ℝ² the samples slot into.
  static let plane = #""domain": {"type": "euclidean", "dimension": 2}, "seed": 1"#
  static let langevin = #""integrator": {"type": "euler-maruyama", "step": 0.01, "temperature": 0.5}"#
  static let cloudOf500 = #""particles": {"count": 500, "init": {"type": "gaussian", "std": 1}}, "steps": 300"#
  static let bowl = #""objective": {"type": "potential", "V": "quadratic"}"#
  static let network = #""objective": {"type": "two-layer-network", "data": {"type": "teacher", "dimension": 3, "samples": 200}}"#

  static let potential = PartTemplate(typeSuffix: "Potential", source: """
  import MFLD

  /// V(x) = (a/4)|x − c|⁴: a quartic bowl, flatter than a quadratic near c and steeper far out;
  /// ∇V(x) = a|x − c|²(x − c). Change the value and the gradient together: `mfld check` compares them.
  public struct {{T}}Potential: ScalarField {
    public let dimension: Int
    public let a: Double
    public let center: [Double]

    public func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
      var r2 = 0.0
      for k in 0..<dimension { r2 += (x[k] - center[k]) * (x[k] - center[k]) }
      if let gradient { for k in 0..<dimension { gradient[k] = a * r2 * (x[k] - center[k]) } }
      return 0.25 * a * r2 * r2
    }

    public static let component = Component(
      .potential, "{{n}}", summary: "V(x) = (a/4)|x − c|⁴, a quartic bowl",
      parameters: [.real("a", default: 1, in: .positive, "a"), .reals("center", default: [], "c (empty: the origin)")],
      example: ["type": "{{n}}", "a": 1]
    ) { args in
      let d = try args.domain.dimension, c = args.reals("center")
      guard c.isEmpty || c.count == d else {
        throw args.error("center", "has \\(c.count) numbers, the domain has \\(d) coordinates", fix: "give \\(d) numbers, or []")
      }
      return {{T}}Potential(dimension: d, a: args.real("a"), center: c.isEmpty ? [Double](repeating: 0, count: d) : c) as any ScalarField
    }
  }
  """, config: """
  \(plane),
    "objective": {"type": "potential", "V": {"type": "{{n}}", "a": 1}},
    \(langevin),
    \(cloudOf500),
    "record": {"every": 30, "observers": ["variance"]}
  """)

  static let kernel = PartTemplate(typeSuffix: "Kernel", source: """
  import MFLD

  /// W(z) = −s / (1 + |z|²/h²): a Cauchy attraction between particles (even in z, as a kernel must be);
  /// ∇W(z) = (2s/h²) z / (1 + |z|²/h²)². Change the value and the gradient together: `mfld check` compares them.
  public struct {{T}}Kernel: ScalarField {
    public let dimension: Int
    public let strength: Double
    public let width: Double

    public func evaluate(_ z: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
      var r2 = 0.0
      for k in 0..<dimension { r2 += z[k] * z[k] }
      let q = 1 + r2 / (width * width)
      if let gradient { for k in 0..<dimension { gradient[k] = 2 * strength / (width * width) * z[k] / (q * q) } }
      return -strength / q
    }

    public static let component = Component(
      .kernel, "{{n}}", summary: "W(z) = −s / (1 + |z|²/h²): a Cauchy attraction",
      parameters: [.real("strength", default: 1, "s (negative: repulsion)"), .real("width", default: 1, in: .positive, "h")],
      example: ["type": "{{n}}", "strength": 1, "width": 0.5]
    ) { args in
      {{T}}Kernel(dimension: try args.domain.dimension, strength: args.real("strength"), width: args.real("width")) as any ScalarField
    }
  }
  """, config: """
  \(plane),
    "objective": {"type": "sum", "terms": [{"type": "potential", "V": "quadratic"},
                                           {"type": "interaction", "W": {"type": "{{n}}", "strength": 1, "width": 0.5}}]},
    \(langevin),
    "particles": {"count": 300, "init": {"type": "gaussian", "std": 1}}, "steps": 200,
    "record": {"every": 20, "observers": ["variance"]}
  """)

  static let objective = PartTemplate(typeSuffix: "Objective", source: """
  import MFLD

  /// F(μ) = ∫ (a/2)|x|² dμ + (κ/2)|∫x dμ − m|²: a quadratic energy and a pull of the cloud's mean toward m.
  /// Its first variation is V_μ(y) = (a/2)|y|² + κ⟨∫x dμ − m, y⟩, so ∇V_μ(y) = a y + κ(∫x dμ − m).
  /// `evaluate` gives F, the gradients ∇V_μ(X^i) and (when asked) the values V_μ(X^i); `firstVariation` the
  /// same at any points. `mfld check` tests all of it against finite differences.
  public final class {{T}}Objective: Objective {
    public let dimension: Int
    public let a: Double
    public let pull: Double
    public let target: [Double]
    private var offset: [Double]

    public init(dimension: Int, a: Double, pull: Double, target: [Double]) {
      self.dimension = dimension
      self.a = a
      self.pull = pull
      self.target = target
      offset = [Double](repeating: 0, count: dimension)
    }

    public var observableNames: [String] { ["mean_offset"] }

    /// offset ← ∫x dμ − m, summed in particle order (the same bits on any thread count); returns |offset|².
    private func measureOffset(_ cloud: ParticleCloud) -> Double {
      let d = dimension
      for k in 0..<d { offset[k] = 0 }
      for i in 0..<cloud.count { for k in 0..<d { offset[k] += cloud[i, k] } }
      var s = 0.0
      for k in 0..<d {
        offset[k] = offset[k] / Double(cloud.count) - target[k]
        s += offset[k] * offset[k]
      }
      return s
    }

    public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                         parallel: Parallel) throws -> Double {
      let s = measureOffset(cloud), d = dimension
      var energy = 0.0
      for i in 0..<cloud.count {
        var r2 = 0.0, dot = 0.0
        for k in 0..<d {
          let x = cloud[i, k]
          r2 += x * x
          dot += offset[k] * x
          gradient?[i * d + k] = a * x + pull * offset[k]
        }
        energy += 0.5 * a * r2
        values?[i] = 0.5 * a * r2 + pull * dot
      }
      return energy / Double(cloud.count) + 0.5 * pull * s
    }

    public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                               gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
      _ = measureOffset(cloud)
      let d = dimension
      for p in 0..<points.count {
        var r2 = 0.0, dot = 0.0
        for k in 0..<d {
          let y = points[p, k]
          r2 += y * y
          dot += offset[k] * y
          gradients?[p * d + k] = a * y + pull * offset[k]
        }
        values[p] = 0.5 * a * r2 + pull * dot
      }
    }

    public func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] { [measureOffset(cloud).squareRoot()] }

    public static let component = Component(
      .objective, "{{n}}", summary: "F(μ) = ∫(a/2)|x|² dμ + (κ/2)|∫x dμ − m|²; records mean_offset",
      parameters: [
        .real("a", default: 1, in: .positive, "a"),
        .real("pull", default: 1, in: .nonNegative, "κ"),
        .reals("target_mean", default: [], "m (empty: the origin)"),
      ],
      example: ["type": "{{n}}", "pull": 1, "target_mean": [1, 0]]
    ) { args in
      let d = try args.domain.dimension, m = args.reals("target_mean")
      guard m.isEmpty || m.count == d else { throw args.error("target_mean", "has \\(m.count) numbers for \\(d) coordinates", fix: "give \\(d)") }
      return {{T}}Objective(dimension: d, a: args.real("a"), pull: args.real("pull"),
                            target: m.isEmpty ? [Double](repeating: 0, count: d) : m) as any Objective
    }
  }
  """, config: """
  \(plane),
    "objective": {"type": "{{n}}", "pull": 1, "target_mean": [1, 0]},
    \(langevin),
    \(cloudOf500),
    "record": {"every": 30, "observers": ["mean"]}
  """)

  static let integrator = PartTemplate(typeSuffix: "Integrator", source: """
  import MFLD

  /// A Heun (predictor–corrector) drift: a noiseless trial move X̃ along −η∇V_μ(X), then the noisy move of the
  /// problem's metric along the average (∇V_μ(X) + ∇V_{μ̃}(X̃))/2 — second order in η for the drift, where
  /// Euler–Maruyama is first. The objective and the metric are the host's (built-in or from any plugin); the
  /// step size and temperature are schedule parts (a number, or e.g. {"type": "geometric-stages", …}).
  public final class {{T}}Integrator: Integrator {
    public let stepSize: any Schedule
    public let temperature: any Schedule
    private var gradient: [Double] = []
    private var trialGradient: [Double] = []

    public init(stepSize: any Schedule, temperature: any Schedule) {
      self.stepSize = stepSize
      self.temperature = temperature
    }

    public func incompatibility(with problem: Problem) -> String? {
      problem.metric.needsFirstVariationValues || !problem.metric.transportsParticles
        ? "{{n}} averages two gradients and moves particles; a birth–death metric is not supported" : nil
    }

    public func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double {
      let t = state.step, eta = stepSize.value(at: t), tau = temperature.value(at: t), n = state.cloud.count * state.cloud.dimension
      if gradient.count != n { gradient = [Double](repeating: 0, count: n); trialGradient = gradient }
      let f = try gradient.withUnsafeMutableBufferPointer { try problem.objective.evaluate(state.cloud, gradient: $0, parallel: parallel) }
      var trial = state.cloud
      trialGradient.withUnsafeMutableBufferPointer { g in
        for j in 0..<n { g[j] = gradient[j] }
        problem.metric.move(&trial, gradient: g, stepSize: eta, temperature: 0, noise: noise, step: t, parallel: parallel)
      }
      _ = try trialGradient.withUnsafeMutableBufferPointer { try problem.objective.evaluate(trial, gradient: $0, parallel: parallel) }
      for j in 0..<n { gradient[j] = 0.5 * (gradient[j] + trialGradient[j]) }
      gradient.withUnsafeMutableBufferPointer { g in
        problem.metric.move(&state.cloud, gradient: g, stepSize: eta, temperature: tau, noise: noise, step: t, parallel: parallel)
      }
      state.step += 1
      state.time += eta
      return f
    }

    public static let component = Component(
      .integrator, "{{n}}", summary: "Heun drift: a trial move along −η∇V, then the metric's noisy move along the average gradient",
      parameters: [
        .part("step", .schedule, "step size η (a number, or a schedule)"),
        .part("temperature", .schedule, "temperature τ ≥ 0 (a number, or a schedule)"),
      ],
      example: ["type": "{{n}}", "step": 0.05, "temperature": 0.5]
    ) { args in
      {{T}}Integrator(stepSize: try args.schedule("step", in: .positive), temperature: try args.schedule("temperature", in: .nonNegative))
        as any Integrator
    }
  }
  """, config: """
  \(plane),
    \(bowl),
    "integrator": {"type": "{{n}}", "step": 0.05, "temperature": 0.5},
    \(cloudOf500),
    "record": {"every": 30, "observers": ["variance"]}
  """)

  static let metric = PartTemplate(typeSuffix: "Metric", source: """
  import MFLD

  /// Langevin transport at speed c on a flat domain: X ← Retr(−ηc(∇V + τ∇U) + sqrt(2ητc) ξ), the Wasserstein
  /// flow with the constant mobility c (the Gibbs law stays stationary; c rescales time). It declares
  /// `mobility` so that `mfld check` holds its noise to 2ητc per coordinate.
  public final class {{T}}Metric: Metric {
    public let geometry: any Geometry
    public let reference: ReferenceMeasure
    public let speed: Double

    public init(geometry: any Geometry, reference: ReferenceMeasure, speed: Double) {
      self.geometry = geometry
      self.reference = reference
      self.speed = speed
    }

    public var mobility: [Double]? { [Double](repeating: speed, count: geometry.dimension) }

    public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
                     stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
      let d = cloud.dimension, m = cloud.count, c = speed, g = geometry, u = reference.potential
      let scale = (2 * eta * tau * c).squareRoot()
      cloud.coordinates.withUnsafeMutableBufferPointer { xp in
        let x = xp.baseAddress!, v = gradient.baseAddress!
        parallel.forEachChunk(m, grain: 256) { range in
          withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * d) { scratch in
            let xi = scratch.baseAddress!, du = xi + d
            for i in range {
              if tau > 0 { noise.normals(step: step, index: i, into: xi, count: d) }
              if let u, tau > 0 { _ = u.evaluate(x + i * d, gradient: du) }
              for k in 0..<d {
                let drift = v[i * d + k] + (u != nil && tau > 0 ? tau * du[k] : 0)
                v[i * d + k] = -eta * c * drift + (tau > 0 ? scale * xi[k] : 0)
              }
              g.retract(x + i * d, along: v + i * d)
            }
          }
        }
      }
    }

    public static let component = Component(
      .metric, "{{n}}", summary: "Langevin transport at speed c: X ← Retr(−ηc(∇V + τ∇U) + sqrt(2ητc) ξ) on flat domains",
      parameters: [.real("speed", default: 1, in: .positive, "c, the mobility")],
      example: ["type": "{{n}}", "speed": 2]
    ) { args in
      let domain = try args.domain
      guard domain is Euclidean || domain is Torus else {
        throw args.error(nil, "'{{n}}' moves on flat domains (ℝ^d, the torus); the domain is \\(domain.name)", fix: "use \\"wasserstein\\"")
      }
      return {{T}}Metric(geometry: domain, reference: try args.reference, speed: args.real("speed")) as any Metric
    }
  }
  """, config: """
  \(plane),
    \(bowl),
    "metric": {"type": "{{n}}", "speed": 2},
    \(langevin),
    \(cloudOf500),
    "record": {"every": 30, "observers": ["variance"]}
  """)

  static let schedule = PartTemplate(typeSuffix: "Schedule", source: """
  import Foundation
  import MFLD

  /// s_t = end + (start − end) 2^{−t/h}: a decay toward `end` with half-life h steps. A schedule is a pure
  /// function of the step (steps count from 0), so runs resume and compare without state.
  public struct {{T}}Schedule: Schedule {
    public let start: Double
    public let end: Double
    public let halfLife: Double

    public func value(at step: Int) -> Double { end + (start - end) * exp2(-Double(step) / halfLife) }

    public static let component = Component(
      .schedule, "{{n}}", summary: "s_t = end + (start − end) 2^{−t/h}: decay with half-life h steps",
      parameters: [.real("start", "s_0"), .real("end", default: 0, "the limit"), .real("half_life", default: 100, in: .positive, "h, in steps")],
      example: ["type": "{{n}}", "start": 1, "end": 0.01, "half_life": 50]
    ) { args in
      {{T}}Schedule(start: args.real("start"), end: args.real("end"), halfLife: args.real("half_life")) as any Schedule
    }
  }
  """, config: """
  \(plane),
    \(bowl),
    "integrator": {"type": "euler-maruyama", "step": 0.01, "temperature": {"type": "{{n}}", "start": 1, "end": 0.01, "half_life": 50}},
    \(cloudOf500),
    "record": {"every": 30, "observers": ["variance"]}
  """)

  static let domain = PartTemplate(typeSuffix: "Domain", source: """
  import Foundation
  import MFLD

  /// The flat torus of side L, [0, L)^d with periodic faces: a step wraps around, differences are the
  /// shortest periodic ones (so translation-invariant kernels see the nearest image).
  public struct {{T}}Domain: Geometry {
    public let dimension: Int
    public let side: Double

    public var name: String { "[0, \\(side))^\\(dimension), periodic" }
    public var isCompact: Bool { true }

    public func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) {}

    public func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) {
      for k in 0..<dimension { x[k] += v[k] }
      _ = canonicalize(x)
    }

    public func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool {
      for k in 0..<dimension {
        guard x[k].isFinite else { return false }
        x[k] -= side * (x[k] / side).rounded(.down)
        if x[k] >= side { x[k] = 0 }
      }
      return true
    }

    public func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) {
      for k in 0..<dimension { x[k] = side * random.uniform() }
    }

    public func difference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>) {
      for k in 0..<dimension { z[k] = a[k] - b[k] - side * ((a[k] - b[k]) / side).rounded() }
    }

    public func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
      var s = 0.0
      for k in 0..<dimension { let z = a[k] - b[k] - side * ((a[k] - b[k]) / side).rounded(); s += z * z }
      return s.squareRoot()
    }

    public static let component = Component(
      .domain, "{{n}}", summary: "the flat torus of side L, [0, L)^d with periodic faces",
      parameters: [.integer("dimension", in: 1...100_000, "d"), .real("side", default: 1, in: .positive, "L")],
      example: ["type": "{{n}}", "dimension": 2, "side": 2]
    ) { args in
      {{T}}Domain(dimension: args.integer("dimension"), side: args.real("side")) as any Geometry
    }
  }
  """, config: """
  "domain": {"type": "{{n}}", "dimension": 2, "side": 2}, "seed": 1,
    "objective": {"type": "potential", "V": {"type": "expression", "formula": "-cos(pi*x1) - cos(pi*x2)"}},
    \(langevin),
    "particles": {"count": 500, "init": "uniform"}, "steps": 300,
    "record": {"every": 30, "observers": ["mean"]}
  """)

  static let reference = PartTemplate(typeSuffix: "Reference", source: """
  import Foundation
  import MFLD

  /// The Gaussian reference measure ρ = N(c, s² I) on ℝ^d: U(x) = |x − c|²/(2s²), log Z = (d/2) log(2πs²),
  /// so the entropy τH(μ|ρ) is exact. ∇U(x) = (x − c)/s² enters every move as the drift −ητ∇U.
  public struct {{T}}ReferencePotential: ScalarField {
    public let dimension: Int
    public let scale: Double
    public let center: [Double]

    public func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
      var r2 = 0.0
      for k in 0..<dimension {
        let z = x[k] - center[k]
        r2 += z * z
        gradient?[k] = z / (scale * scale)
      }
      return 0.5 * r2 / (scale * scale)
    }
  }

  public enum {{T}}Reference {
    public static let component = Component(
      .reference, "{{n}}", summary: "ρ = N(c, s² I): U(x) = |x − c|²/(2s²)",
      parameters: [.real("scale", default: 1, in: .positive, "s"), .reals("center", default: [], "c (empty: the origin)")],
      example: ["type": "{{n}}", "scale": 0.5]
    ) { args in
      let domain = try args.domain
      guard domain is Euclidean else { throw args.error(nil, "'{{n}}' is a law on ℝ^d; the domain is \\(domain.name)", fix: "use \\"uniform\\"") }
      let d = domain.dimension, s = args.real("scale"), c = args.reals("center")
      guard c.isEmpty || c.count == d else { throw args.error("center", "has \\(c.count) numbers for \\(d) coordinates", fix: "give \\(d)") }
      return ReferenceMeasure(name: "{{n}}", potential: {{T}}ReferencePotential(dimension: d, scale: s, center: c.isEmpty ? [Double](repeating: 0, count: d) : c),
                              logNormalizer: 0.5 * Double(d) * log(2 * Double.pi * s * s))
    }
  }
  """, config: """
  \(plane),
    \(bowl),
    "reference": {"type": "{{n}}", "scale": 0.5},
    \(langevin),
    \(cloudOf500),
    "record": {"every": 30, "observers": ["variance"]}
  """)

  static let cloud = PartTemplate(typeSuffix: "Cloud", source: """
  import Foundation
  import MFLD

  /// Points uniform in the ball of radius r about c: a direction from d normals, a radius r u^{1/d}. Drawn
  /// from the stream the host gives the part (its key path's), so the same seed gives the same points.
  public struct {{T}}Cloud: CloudSource {
    public let radius: Double
    public let center: [Double]

    struct MissingCount: Error, CustomStringConvertible {
      var description: String { "{{n}}: how many points? (give particles.count)" }
    }

    public func makeCloud(count: Int?, dimension d: Int, random: RandomStream) throws -> ParticleCloud {
      guard let m = count else { throw MissingCount() }
      var cloud = ParticleCloud(count: m, dimension: d), rng = random.generator()
      var z = [Double](repeating: 0, count: d)
      for i in 0..<m {
        var norm = 0.0
        for k in 0..<d { z[k] = rng.normal(); norm += z[k] * z[k] }
        let r = radius * pow(rng.uniform(), 1 / Double(d)) / max(norm.squareRoot(), 1e-300)
        for k in 0..<d { cloud[i, k] = (center.isEmpty ? 0 : center[k]) + r * z[k] }
      }
      return cloud
    }

    public static let component = Component(
      .cloud, "{{n}}", summary: "points uniform in the ball of radius r about c",
      parameters: [.real("radius", default: 1, in: .positive, "r"), .reals("center", default: [], "c (empty: the origin)")],
      example: ["type": "{{n}}", "radius": 0.5]
    ) { args in
      let d = try args.domain.dimension, c = args.reals("center")
      guard c.isEmpty || c.count == d else { throw args.error("center", "has \\(c.count) numbers for \\(d) coordinates", fix: "give \\(d)") }
      return {{T}}Cloud(radius: args.real("radius"), center: c) as any CloudSource
    }
  }
  """, config: """
  \(plane),
    \(bowl),
    \(langevin),
    "particles": {"count": 500, "init": {"type": "{{n}}", "radius": 0.5}}, "steps": 300,
    "record": {"every": 30, "observers": ["variance"]}
  """)

  static let dataset = PartTemplate(typeSuffix: "Dataset", source: """
  import Foundation
  import MFLD

  /// A single-index teacher: x ~ N(0, I_d), y = tanh(⟨β, x⟩) + noise with β ~ N(0, I/d), and an optional
  /// held-out split (for `test_risk`). Any signed objective with a "data" part can train on it.
  public enum {{T}}Dataset {
    public static func make(dimension d: Int, samples: Int, testSamples: Int, noise: Double, random: RandomStream) -> Dataset {
      var rng = random.generator()
      let beta = (0..<d).map { _ in rng.normal() / Double(d).squareRoot() }
      func draw(_ n: Int, noisy: Bool) -> ([Double], [Double]) {
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<n {
          let row = (0..<d).map { _ in rng.normal() }
          x += row
          y.append(tanh(zip(row, beta).map(*).reduce(0, +)) + (noisy ? noise * rng.normal() : 0))
        }
        return (x, y)
      }
      let train = draw(samples, noisy: true), test = draw(testSamples, noisy: false)
      return Dataset(dimension: d, inputs: train.0, labels: train.1, testInputs: test.0, testLabels: test.1,
                     source: "{{n}} (d = \\(d), n = \\(samples))")
    }

    public static let component = Component(
      .dataset, "{{n}}", summary: "x ~ N(0, I_d), y = tanh(⟨β, x⟩) + noise: a single-index teacher",
      parameters: [
        .integer("dimension", default: 3, in: 1...100_000, "d"),
        .integer("samples", default: 200, in: 1...10_000_000, "training samples n"),
        .integer("test_samples", default: 0, in: 0...10_000_000, "held-out samples"),
        .real("noise", default: 0, in: .nonNegative, "label noise standard deviation"),
      ],
      example: ["type": "{{n}}", "dimension": 3, "samples": 200]
    ) { args in
      make(dimension: args.integer("dimension"), samples: args.integer("samples"), testSamples: args.integer("test_samples"),
           noise: args.real("noise"), random: args.random)
    }
  }
  """, config: """
  "seed": 1,
    "objective": {"type": "two-layer-network", "data": {"type": "{{n}}", "dimension": 3, "samples": 200, "test_samples": 100}},
    "reduction": "bilevel",
    "integrator": {"type": "euler-maruyama", "step": 0.5, "temperature": 1e-4},
    "particles": {"count": 100, "init": "uniform"}, "steps": 100,
    "record": {"every": 10}
  """)

  static let observer = PartTemplate(typeSuffix: "Observer", source: """
  import MFLD

  /// The cloud's spread, (1/m) Σ_i |X^i − X̄| in ambient coordinates: one column, `spread`, at every recorded
  /// step. Sums run in particle order, so the column is the same on any thread count.
  public final class {{T}}Observer: Observer {
    public var names: [String] { ["spread"] }

    public func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double] {
      let c = state.cloud, m = c.count, d = c.dimension
      var mean = [Double](repeating: 0, count: d)
      for i in 0..<m { for k in 0..<d { mean[k] += c[i, k] / Double(m) } }
      var total = 0.0
      for i in 0..<m {
        var r2 = 0.0
        for k in 0..<d { r2 += (c[i, k] - mean[k]) * (c[i, k] - mean[k]) }
        total += r2.squareRoot()
      }
      return [total / Double(m)]
    }

    public static let component = Component(
      .observer, "{{n}}", summary: "(1/m) Σ_i |X^i − X̄|, the cloud's spread (column spread)"
    ) { _ in {{T}}Observer() as any Observer }
  }
  """, config: """
  \(plane),
    \(bowl),
    \(langevin),
    \(cloudOf500),
    "record": {"every": 30, "observers": ["{{n}}"]}
  """)

  static let reduction = PartTemplate(typeSuffix: "Reduction", source: """
  import MFLD

  /// Lifting with uniform initial weights: particles (r, w) ∈ ℝ × W and the objective of the built-in lift
  /// (R(∫ r Φ(w) dμ) + (λ/2)∫ r² dμ), but r_i ~ U(−r₀, r₀) at the start instead of ±r₀. The host's metric moves
  /// (r, w) on the lifted domain.
  public final class {{T}}Reduction: Reduction {
    public let initialWeight: Double
    let lift = LiftReduction(initialWeight: 1)

    public init(initialWeight: Double) { self.initialWeight = initialWeight }

    public func particleDomain(for objective: any SignedObjective) -> any Geometry { lift.particleDomain(for: objective) }

    public func reduce(_ objective: any SignedObjective, mass: LiftedMass) throws -> any Objective { try lift.reduce(objective, mass: mass) }

    public func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud {
      var cloud = ParticleCloud(count: positions.count, dimension: positions.dimension + 1), rng = random.generator()
      for i in 0..<positions.count {
        cloud[i, 0] = initialWeight * (2 * rng.uniform() - 1)
        for k in 0..<positions.dimension { cloud[i, 1 + k] = positions[i, k] }
      }
      return cloud
    }

    public static let component = Component(
      .reduction, "{{n}}", summary: "lifting (r, w) ∈ ℝ × W with initial weights r_i ~ U(−r₀, r₀)",
      parameters: [.real("initial_weight", default: 1, in: .positive, "r₀")],
      example: ["type": "{{n}}", "initial_weight": 1]
    ) { args in
      {{T}}Reduction(initialWeight: args.real("initial_weight")) as any Reduction
    }
  }
  """, config: """
  "seed": 1,
    \(network),
    "reduction": {"type": "{{n}}", "initial_weight": 1},
    "integrator": {"type": "euler-maruyama", "step": 0.5, "temperature": 1e-4},
    "particles": {"count": 100, "init": "uniform"}, "steps": 100,
    "record": {"every": 10}
  """)
}
