import Formats
import Foundation
import LinearAlgebra
import Objectives
import SolverAPI
import Testing

/// Sparse deconvolution on the torus (docs/math.md §2): the periodic kernels ψ, the translation features
/// Φ(w)_k = ψ(x_k − w) with their gradients, the labels, and the matched-spike report.
struct DeconvolutionTests {
  static let ulp = Double.ulpOfOne

  // MARK: - Helpers

  /// Φ (m × n) and the Jacobian data (m × n × p) of a cloud.
  static func evaluate(_ f: TranslationFeatures, _ w: ParticleCloud, parallel: Parallel = .serial) -> (features: [Double], jacobian: [Double]) {
    var features = [Double](repeating: .nan, count: w.count * f.sampleCount)
    var jacobian = [Double](repeating: .nan, count: w.count * f.sampleCount * f.jacobianWidth)
    features.withUnsafeMutableBufferPointer { fp in
      jacobian.withUnsafeMutableBufferPointer { jp in
        f.evaluate(w, features: fp.baseAddress!, jacobian: jp.baseAddress!, parallel: parallel)
      }
    }
    return (features, jacobian)
  }

  /// g_i = c_i Σ_k u_k ∇_w Φ(w_i)_k.
  static func pullback(_ f: TranslationFeatures, _ w: ParticleCloud, jacobian: [Double], u: [Double], c: [Double],
                       parallel: Parallel = .serial) -> [Double] {
    var g = [Double](repeating: .nan, count: w.count * f.dimension)
    jacobian.withUnsafeBufferPointer { jp in
      u.withUnsafeBufferPointer { up in
        c.withUnsafeBufferPointer { cp in
          // Translation features read only the Jacobian data (features: any pointer).
          g.withUnsafeMutableBufferPointer { f.pullback(w, features: jp.baseAddress!, jacobian: jp.baseAddress!, weights: up.baseAddress!, scales: cp.baseAddress!, into: $0.baseAddress!, parallel: parallel) }
        }
      }
    }
    return g
  }

  static func randomCloud(count: Int, dimension: Int, seed: UInt64) -> ParticleCloud {
    var rng = RandomStream(seed: seed).generator()
    return ParticleCloud(count: count, dimension: dimension, coordinates: (0..<count * dimension).map { _ in rng.uniform() })
  }

  /// Bounds for a central difference (k(t + h) − k(t − h))/(2h) of a profile k: the Taylor remainder h² M₃/6
  /// (M₃ ≥ |k'''|) plus the rounding of the two values, each off by at most δ, divided by 2h.
  static func centralDifferenceTolerance(h: Double, thirdDerivativeBound m3: Double, valueError delta: Double) -> Double {
    h * h * m3 / 6 + delta / h
  }

  /// The Dirichlet profile's bounds: |D_K| ≤ 2K + 1, |D_K'''| ≤ 2 Σ_j (2πj)³; values accurate to 64 K (2K+1) ε
  /// (the rotation recurrence loses about j·ε on term j).
  static func dirichletBounds(_ k: Int) -> (m0: Double, m3: Double, delta: Double) {
    let m3 = (1...k).reduce(0.0) { $0 + 2 * pow(2 * Double.pi * Double($1), 3) }
    return (Double(2 * k + 1), m3, 64 * Double(k) * Double(2 * k + 1) * ulp)
  }

  /// The periodized Gaussian's bounds with Z images each side: each image contributes at most 1 to G and
  /// max_u |u³ − 3u| e^{−u²/2} / σ³ ≤ 1.39/σ³ to |G'''|.
  static func gaussianBounds(_ sigma: Double) -> (m0: Double, m3: Double, delta: Double) {
    let images = Double(2 * Int((9 * sigma + 1).rounded(.up)) + 1)
    return (images, images * 1.39 / pow(sigma, 3), 64 * images * ulp)
  }

  // MARK: - Kernels

  @Test("the Dirichlet kernel's closed form sin((2K+1)πt)/sin(πt) equals the cosine sum 1 + 2 Σ cos(2πjt)")
  func dirichletClosedForm() {
    for k in [1, 2, 6, 20] {
      // Both are accurate to a few ulps of the peak 2K + 1 per term: allow 64 K (2K + 1) ε.
      let tolerance = 64 * Double(k) * Double(2 * k + 1) * Self.ulp
      for i in -1500...1500 {
        let t = Double(i) / 1000 + 1e-7 * Double(i % 7)
        let sum = PeriodicKernel.dirichlet(t, cutoff: k).value
        let closed = PeriodicKernel.dirichletClosedForm(t, cutoff: k)
        #expect(abs(sum - closed) <= tolerance, "K = \(k), t = \(t): sum \(sum), closed form \(closed)")
      }
      // The peak, and points near it where the closed form is a ratio of tiny sines.
      #expect(PeriodicKernel.dirichlet(0, cutoff: k).value == Double(2 * k + 1))
      for t in [1e-12, -1e-9, 1 - 1e-9, 3e-6] {
        #expect(abs(PeriodicKernel.dirichlet(t, cutoff: k).value - PeriodicKernel.dirichletClosedForm(t, cutoff: k)) <= tolerance)
      }
      // A direct sum of cosines, term by term.
      for t in [0.013, 0.25, 0.4999, -0.377] {
        let direct = 1 + 2 * (1...k).reduce(0.0) { $0 + cos(2 * Double.pi * Double($1) * t) }
        #expect(abs(PeriodicKernel.dirichlet(t, cutoff: k).value - direct) <= tolerance)
      }
    }
  }

  @Test("the 1-D profiles' derivatives match central differences, with the tolerance h²M₃/6 + δ/h")
  func profileDerivatives() {
    let h = 1e-5
    let points = (0..<400).map { Double($0) / 400 * 2.2 - 1.1 + 1e-4 }  // [−1.1, 1.1], across both wrap-arounds
    for k in [1, 6, 12] {
      let (_, m3, delta) = Self.dirichletBounds(k)
      let tolerance = Self.centralDifferenceTolerance(h: h, thirdDerivativeBound: m3, valueError: delta)
      for t in points {
        let fd = (PeriodicKernel.dirichlet(t + h, cutoff: k).value - PeriodicKernel.dirichlet(t - h, cutoff: k).value) / (2 * h)
        let exact = PeriodicKernel.dirichlet(t, cutoff: k).derivative
        #expect(abs(fd - exact) <= tolerance, "Dirichlet K = \(k) at t = \(t): FD \(fd), D' \(exact), tolerance \(tolerance)")
      }
    }
    for sigma in [0.02, 0.05, 0.2, 0.7] {
      let kernel = PeriodicKernel(dimension: 1, profile: .gaussian(width: sigma))
      let (_, m3, delta) = Self.gaussianBounds(sigma)
      let tolerance = Self.centralDifferenceTolerance(h: h * sigma, thirdDerivativeBound: m3, valueError: delta)
      for t in points {
        let fd = (kernel.profileValue(t + h * sigma).value - kernel.profileValue(t - h * sigma).value) / (2 * h * sigma)
        let exact = kernel.profileValue(t).derivative
        #expect(abs(fd - exact) <= tolerance, "Gaussian σ = \(sigma) at t = \(t): FD \(fd), G' \(exact), tolerance \(tolerance)")
      }
    }
  }

  @Test("ψ on T² is the product of the profiles, and its gradient matches central differences")
  func productGradient() {
    let h = 1e-5
    for profile in [PeriodicKernel.Profile.dirichlet(cutoff: 4), .gaussian(width: 0.08)] {
      let psi = PeriodicKernel(dimension: 2, profile: profile)
      let (m0, m3, delta): (Double, Double, Double)
      switch profile {
      case .dirichlet(let k): (m0, m3, delta) = Self.dirichletBounds(k)
      case .gaussian(let s): (m0, m3, delta) = Self.gaussianBounds(s)
      }
      // Along coordinate c, ψ is k(t_c) times a constant of size ≤ M₀.
      let tolerance = Self.centralDifferenceTolerance(h: h, thirdDerivativeBound: m3 * m0, valueError: 2 * delta * m0)
      for t in [[0.0, 0.0], [0.03, -0.41], [0.499, 0.2], [-0.3, 0.999], [0.77, 0.11], [1e-3, 0.5]] {
        #expect(psi.value(at: t) == psi.profileValue(t[0]).value * psi.profileValue(t[1]).value)
        let g = psi.gradient(at: t)
        for c in 0..<2 {
          var plus = t, minus = t
          plus[c] += h
          minus[c] -= h
          let fd = (psi.value(at: plus) - psi.value(at: minus)) / (2 * h)
          #expect(abs(fd - g[c]) <= tolerance, "\(profile) at \(t), coordinate \(c): FD \(fd), ∇ψ \(g[c])")
        }
      }
    }
  }

  @Test("the periodized Gaussian is 1-periodic, even (bitwise), and equals the untruncated image sum")
  func periodizedGaussian() {
    for sigma in [0.01, 0.05, 0.3, 1.5] {
      let kernel = PeriodicKernel(dimension: 1, profile: .gaussian(width: sigma))
      for i in 0..<500 {
        let t = Double(i) / 1000 + 3e-5  // (0, ½)
        let (v, d) = kernel.profileValue(t)
        // Even and odd exactly: the images are added in mirrored pairs.
        #expect(kernel.profileValue(-t).value == v)
        #expect(kernel.profileValue(-t).derivative == -d)
        // exp(−a) with a = t²/(2σ²) carries a relative error of about (1 + a) ε (a itself is off by ~ε relative),
        // and the nearest image dominates; allow 16 (1 + a) ε relative.
        let a = t * t / (2 * sigma * sigma)
        let relative = 16 * (1 + a) * Self.ulp
        // Periodic up to that and the rounding of t + shift (≤ 4ε absolute for |t + shift| < 4), which moves G by
        // |G'| · 4ε and G' by |G''| · 4ε, |G''| ≤ G (t²/σ⁴ + 1/σ²).
        for shift in [1.0, -1.0, 3.0] {
          let (vs, ds) = kernel.profileValue(t + shift)
          let s2 = sigma * sigma
          #expect(abs(vs - v) <= relative * v + 4 * Self.ulp * abs(d), "σ = \(sigma), t = \(t) + \(shift)")
          #expect(abs(ds - d) <= relative * (abs(d) + v / s2) + 4 * Self.ulp * v * (t * t / (s2 * s2) + 1 / s2),
                  "σ = \(sigma), t = \(t) + \(shift)")
        }
        // Against 401 images: the truncation is below double precision.
        var full = 0.0
        for z in -200...200 { full += exp(-pow(t - Double(z), 2) / (2 * sigma * sigma)) }
        #expect(abs(v - full) <= relative * full, "σ = \(sigma), t = \(t): \(v) against \(full)")
      }
    }
  }

  // MARK: - Translation features

  /// The pullback with c = 1 and u = e_k is ∇_w Φ(w)_k: compared with central differences of `evaluate`,
  /// for every sample k and every particle (some right at the wrap-around).
  func checkPullbackAgainstDifferences(dimension p: Int, profile: PeriodicKernel.Profile, grid: Int, positions: [Double]) {
    let features = TranslationFeatures(kernel: PeriodicKernel(dimension: p, profile: profile), gridSize: grid)
    let n = features.sampleCount
    let w = ParticleCloud(count: positions.count / p, dimension: p, coordinates: positions)
    let m = w.count
    let (f, jacobian) = Self.evaluate(features, w)
    let h = 1e-6
    let (m0, m3, delta): (Double, Double, Double)
    switch profile {
    case .dirichlet(let k): (m0, m3, delta) = Self.dirichletBounds(k)
    case .gaussian(let s): (m0, m3, delta) = Self.gaussianBounds(s)
    }
    let factor = pow(m0, Double(p - 1))
    let tolerance = Self.centralDifferenceTolerance(h: h, thirdDerivativeBound: m3 * factor, valueError: 2 * delta * factor)
    // Central differences of every feature in every coordinate (the moved particles may leave [0, 1)).
    var differences = [[Double]](repeating: [], count: p)
    for c in 0..<p {
      var plus = w, minus = w
      for i in 0..<m { plus[i, c] += h; minus[i, c] -= h }
      let fp = Self.evaluate(features, plus).features, fm = Self.evaluate(features, minus).features
      differences[c] = zip(fp, fm).map { ($0 - $1) / (2 * h) }
    }
    let ones = [Double](repeating: 1, count: m)
    for k in 0..<n {
      var u = [Double](repeating: 0, count: n)
      u[k] = 1
      let g = Self.pullback(features, w, jacobian: jacobian, u: u, c: ones)
      for i in 0..<m {
        #expect(f[i * n + k] == features.kernel.value(at: (0..<p).map { Torus.difference(features.samplePoint(k)[$0], w[i, $0]) }))
        for c in 0..<p {
          #expect(abs(g[i * p + c] - differences[c][i * n + k]) <= tolerance,
                  "T^\(p), particle \(w.particle(i)), sample \(features.samplePoint(k)), coordinate \(c): pullback \(g[i * p + c]), FD \(differences[c][i * n + k])")
        }
      }
    }
  }

  @Test("pullback with c = 1, u = e_k is the finite-difference gradient of Φ(w)_k on T¹, also across the wrap-around")
  func pullbackIsGradient1D() {
    let positions = [0.0, 1e-7, 0.003, 0.31, 0.5, 0.77, 0.997, 1 - 1e-7]
    checkPullbackAgainstDifferences(dimension: 1, profile: .dirichlet(cutoff: 5), grid: 16, positions: positions)
    checkPullbackAgainstDifferences(dimension: 1, profile: .gaussian(width: 0.05), grid: 16, positions: positions)
  }

  @Test("pullback with c = 1, u = e_k is the finite-difference gradient of Φ(w)_k on T², also across the wrap-around")
  func pullbackIsGradient2D() {
    let positions = [0.0, 0.0, 0.001, 0.999, 0.999, 0.5, 0.42, 0.13, 1 - 1e-7, 1e-7, 0.62, 0.0]
    checkPullbackAgainstDifferences(dimension: 2, profile: .dirichlet(cutoff: 3), grid: 7, positions: positions)
    checkPullbackAgainstDifferences(dimension: 2, profile: .gaussian(width: 0.1), grid: 7, positions: positions)
  }

  @Test("the sample points are the grid i/g, first coordinate slowest")
  func samplePoints() {
    let features = TranslationFeatures(kernel: PeriodicKernel(dimension: 2, profile: .dirichlet(cutoff: 1)), gridSize: 4)
    #expect(features.sampleCount == 16 && features.jacobianWidth == 2 && features.dimension == 2)
    #expect(features.samplePoint(0) == [0, 0])
    #expect(features.samplePoint(1) == [0, 0.25])
    #expect(features.samplePoint(4) == [0.25, 0])
    #expect(features.samplePoint(15) == [0.75, 0.75])
  }

  @Test("features, Jacobian and pullback are bitwise identical on 1 and 2 threads")
  func threadCountIndependence() {
    for p in [1, 2] {
      let features = TranslationFeatures(kernel: PeriodicKernel(dimension: p, profile: .gaussian(width: 0.07)), gridSize: p == 1 ? 200 : 24)
      let w = Self.randomCloud(count: 150, dimension: p, seed: 11)
      var rng = RandomStream(seed: 12).generator()
      let u = (0..<features.sampleCount).map { _ in rng.normal() }
      let c = (0..<w.count).map { _ in rng.normal() }
      let one = Self.evaluate(features, w, parallel: Parallel(threads: 1))
      let two = Self.evaluate(features, w, parallel: Parallel(threads: 2))
      #expect(one.features == two.features)
      #expect(one.jacobian == two.jacobian)
      let g1 = Self.pullback(features, w, jacobian: one.jacobian, u: u, c: c, parallel: Parallel(threads: 1))
      let g2 = Self.pullback(features, w, jacobian: one.jacobian, u: u, c: c, parallel: Parallel(threads: 2))
      #expect(g1.map(\.bitPattern) == g2.map(\.bitPattern))
      #expect(g1.allSatisfy { $0.isFinite })
    }
  }

  // MARK: - The objective

  @Test("noiseless labels are exactly Σ_s a_s ψ(x_k − θ_s), and also Σ_s a_s Φ(θ_s)_k")
  func noiselessLabels() {
    for (p, spikes) in [(1, [[0.2], [0.55], [0.97]]), (2, [[0.2, 0.9], [0.55, 0.01], [0.97, 0.5]])] {
      let masses = [1.0, -0.6, 0.35]
      let problem = SparseDeconvolution(kernel: PeriodicKernel(dimension: p, profile: .dirichlet(cutoff: 6)), gridSize: 20,
                                        spikes: spikes, masses: masses, lambda: 1e-3, random: RandomStream(seed: 1))
      let features = problem.translationFeatures
      let n = features.sampleCount
      #expect(problem.labels.count == n && problem.features.sampleCount == n)
      #expect(problem.domain.dimension == p && problem.domain.isCompact && problem.lambda == 1e-3 && problem.loss.isSquare)
      let onSpikes = Self.evaluate(features, ParticleCloud(count: 3, dimension: p, coordinates: spikes.flatMap { $0 })).features
      for k in 0..<n {
        let x = features.samplePoint(k)
        var y = 0.0
        for (theta, a) in zip(spikes, masses) {
          y += a * problem.kernel.value(at: (0..<p).map { Torus.difference(x[$0], theta[$0]) })
        }
        #expect(problem.labels[k] == y)
        var fromFeatures = 0.0
        for s in 0..<3 { fromFeatures += masses[s] * onSpikes[s * n + k] }
        #expect(problem.labels[k] == fromFeatures)
      }
    }
  }

  @Test("noisy labels are the clean ones plus noise·ξ with ξ ~ N(0, 1), reproducibly from the stream")
  func noisyLabels() {
    let kernel = PeriodicKernel(dimension: 2, profile: .gaussian(width: 0.05))
    func make(_ seed: UInt64) -> SparseDeconvolution {
      SparseDeconvolution(kernel: kernel, gridSize: 64, spikes: [[0.3, 0.3], [0.7, 0.6]], masses: [1, 2], noise: 0.1,
                          lambda: 1e-3, random: RandomStream(seed: seed))
    }
    let a = make(5), b = make(5), c = make(6)
    #expect(a.labels == b.labels && a.labels != c.labels)
    let clean = SparseDeconvolution.cleanLabels(features: a.translationFeatures, spikes: a.spikes, masses: a.masses)
    let xi = zip(a.labels, clean).map { ($0 - $1) / 0.1 }
    let n = Double(xi.count)  // 4096
    let mean = xi.reduce(0, +) / n
    let variance = xi.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    // Standard errors: 1/√n ≈ 0.016 for the mean, √(2/n) ≈ 0.022 for the variance; allow 5 of them.
    #expect(abs(mean) < 5 / n.squareRoot())
    #expect(abs(variance - 1) < 5 * (2 / n).squareRoot())
  }

  /// Three spikes on T², two of them near the corner where all coordinates wrap.
  static let spikes2D: [[Double]] = [[0.25, 0.5], [0.995, 0.002], [0.6, 0.97]]
  static let masses2D: [Double] = [1.5, -0.8, 0.4]
  static func problem2D() -> SparseDeconvolution {
    SparseDeconvolution(kernel: PeriodicKernel(dimension: 2, profile: .dirichlet(cutoff: 4)), gridSize: 16,
                        spikes: spikes2D, masses: masses2D, lambda: 1e-3, random: RandomStream(seed: 3))
  }

  /// m = 12 particles split evenly between the spikes, at `offsets` from them, with r_i = a_s · (m / count_s).
  static func particlesOnSpikes(offsets: [[Double]]) -> (weights: [Double], positions: ParticleCloud) {
    var coordinates: [Double] = [], weights: [Double] = []
    for (s, theta) in spikes2D.enumerated() {
      for _ in 0..<4 {
        coordinates += (0..<2).map { Torus.wrap(theta[$0] + offsets[s][$0]) }
        weights.append(masses2D[s] * 12 / 4)
      }
    }
    return (weights, ParticleCloud(count: 12, dimension: 2, coordinates: coordinates))
  }

  @Test("particles exactly on the spikes with the right weights give spike_error = mass_error = 0")
  func exactRecovery() throws {
    let problem = Self.problem2D()
    #expect(problem.observableNames == ["spike_error", "mass_error"])
    let (r, w) = Self.particlesOnSpikes(offsets: [[0, 0], [0, 0], [0, 0]])
    let observed = try problem.observe(weights: r, positions: w, parallel: .serial)
    #expect(observed[0] == 0)
    #expect(observed[1] <= 4 * Self.ulp)
    let matched = problem.matchedSpikes(weights: r, positions: w)
    for (s, spike) in matched.enumerated() {
      #expect(spike.position == Self.spikes2D[s] && spike.count == 4 && spike.distance == 0)
    }
    // Also on T¹, with the particles' order interleaved.
    let line = SparseDeconvolution(kernel: PeriodicKernel(dimension: 1, profile: .gaussian(width: 0.03)), gridSize: 32,
                                   spikes: [[0.1], [0.9]], masses: [2, -1], lambda: 1e-3, random: RandomStream(seed: 4))
    let o = try line.observe(weights: [2 * 6 / 3, -1 * 6 / 3, 4, -2, 4, -2], positions: ParticleCloud(count: 6, dimension: 1, coordinates: [0.1, 0.9, 0.1, 0.9, 0.1, 0.9]), parallel: .serial)
    #expect(o == [0, 0])
  }

  @Test("a shifted spike's distance is reported, also across the wrap-around")
  func shiftedSpikes() throws {
    let problem = Self.problem2D()
    // Spike 2 at (0.995, 0.002), moved by (+0.01, −0.005) to (0.005, 0.997): both coordinates wrap.
    let shift = [0.01, -0.005]
    let (r, w) = Self.particlesOnSpikes(offsets: [[0, 0], shift, [0, 0]])
    let expected = (shift[0] * shift[0] + shift[1] * shift[1]).squareRoot()
    let observed = try problem.observe(weights: r, positions: w, parallel: .serial)
    #expect(abs(observed[0] - expected) <= 1e-12)
    #expect(observed[1] <= 4 * Self.ulp)
    let matched = problem.matchedSpikes(weights: r, positions: w)
    #expect(abs(matched[1].position![0] - 0.005) <= 1e-12 && abs(matched[1].position![1] - 0.997) <= 1e-12)
    #expect(matched[0].distance == 0 && matched[2].distance == 0)

    // Spike 3 at (0.6, 0.97) moved by (−0.02, +0.04) across y = 1, spike 1 by (0.003, 0): the largest wins.
    let (r2, w2) = Self.particlesOnSpikes(offsets: [[0.003, 0], [0, 0], [-0.02, 0.04]])
    let o2 = try problem.observe(weights: r2, positions: w2, parallel: .serial)
    #expect(abs(o2[0] - (0.02 * 0.02 + 0.04 * 0.04).squareRoot()) <= 1e-12)

    // The |r|-weighted periodic mean: spike 1's particles at θ ± 0.01 with weights 3:1 land at θ + 0.005.
    let theta = Self.spikes2D[0]
    let cloud = ParticleCloud(count: 2, dimension: 2, coordinates: [theta[0] + 0.01, theta[1], theta[0] - 0.01, theta[1]])
    let pair = problem.matchedSpikes(weights: [4.5, 1.5], positions: cloud)
    #expect(abs(pair[0].position![0] - (theta[0] + 0.005)) <= 1e-12 && pair[0].position![1] == theta[1])
    #expect(pair[0].mass == 3)  // (4.5 + 1.5)/2
  }

  @Test("wrong-sign particles are not matched, an unmatched spike counts as distance 1 and mass 0")
  func unmatchedSpikes() throws {
    let problem = Self.problem2D()
    var (r, w) = Self.particlesOnSpikes(offsets: [[0, 0], [0, 0], [0, 0]])
    // Flip the sign of spike 3's particles (a_3 = 0.4 > 0): nothing matches it any more.
    for i in 8..<12 { r[i] = -r[i] }
    let observed = try problem.observe(weights: r, positions: w, parallel: .serial)
    #expect(observed[0] == 1)
    #expect(abs(observed[1] - 0.4) <= 4 * Self.ulp)
    let matched = problem.matchedSpikes(weights: r, positions: w)
    #expect(matched[2].position == nil && matched[2].count == 0 && matched[2].mass == 0)
    // A wrong-sign particle beside a right one does not move the recovered mass or position.
    w = ParticleCloud(count: 2, dimension: 2, coordinates: Self.spikes2D[0] + [0.26, 0.5])
    let pair = problem.matchedSpikes(weights: [3, -7], positions: w)
    #expect(pair[0].count == 1 && pair[0].mass == 1.5 && pair[0].position == Self.spikes2D[0])
    #expect(throws: RunError.self) { try problem.observe(weights: [1], positions: w, parallel: .serial) }
  }

  // MARK: - The component's builder

  static func build(_ overrides: ConfigObject) throws -> Any {
    let component = DeconvolutionComponents.all[0]
    var values = ConfigObject()
    for parameter in component.parameters { if let v = parameter.defaultValue { values[parameter.name] = v } }
    for (key, value) in overrides { values[key] = value }
    struct NoParts: PartBuilder {
      func build(_ value: ConfigValue, kind: PartKind, path: String, context: BuildContext) throws -> Any {
        throw ConfigError(path: path, "no nested parts here")
      }
    }
    let context = BuildContext(file: nil, baseDirectory: "/", random: RandomStream(seed: 9), builder: NoParts())
    let args = Arguments(kind: .objective, name: component.name, path: "objective", values: values,
                         parameters: component.parameters, context: context)
    return try component.build(args)
  }

  @Test("the sparse-deconvolution builder makes the objective and names the key of each bad input")
  func builder() throws {
    let component = DeconvolutionComponents.all[0]
    #expect(component.kind == .objective && component.name == "sparse-deconvolution")
    let built = try Self.build(["dimension": 2, "kernel": "gaussian", "width": 0.04, "grid": 10,
                                "spikes": [[0.1, 0.2], [0.5, 0.9]], "masses": [1, -1]])
    let problem = try #require(built as? SparseDeconvolution)
    #expect(problem.kernel.profile == .gaussian(width: 0.04) && problem.labels.count == 100 && problem.domain.dimension == 2)
    #expect(try Self.build(["spikes": [[0.3]], "masses": [2]]) is any SignedObjective)

    func failure(_ overrides: ConfigObject) -> ConfigError? {
      do { _ = try Self.build(overrides); return nil } catch { return error as? ConfigError }
    }
    let cases: [(ConfigObject, String, String)] = [
      (["spikes": [[0.1, 0.2]], "masses": [1]], "objective.spikes", "2 coordinates"),
      (["spikes": [[0.1], [0.2]], "masses": [1]], "objective.masses", "1 entries for 2 spikes"),
      (["spikes": [[1.0]], "masses": [1]], "objective.spikes", "outside [0, 1)"),
      (["spikes": [[-0.25]], "masses": [1]], "objective.spikes", "outside [0, 1)"),
      (["spikes": [[0.1], [0.2]], "masses": [1, 0]], "objective.masses", "mass 2 is 0"),
      (["spikes": [], "masses": []], "objective.spikes", "is empty"),
      (["dimension": 2, "grid": 100_000, "spikes": [[0.1, 0.1]], "masses": [1]], "objective.grid", "samples"),
    ]
    for (overrides, path, message) in cases {
      let error = try #require(failure(overrides), "\(overrides) should fail")
      #expect(error.path == path && error.message.contains(message) && error.fix != nil, "\(error)")
    }
  }

  @Test("a printed report of matched spikes reads well")
  func report() {
    let problem = Self.problem2D()
    let (r, w) = Self.particlesOnSpikes(offsets: [[0.001, 0], [0, -0.002], [0, 0]])
    let lines = problem.matchedSpikes(weights: r, positions: w).map(\.description)
    #expect(lines.count == 3 && lines[0].contains("recovered (0.251000, 0.500000)"))
    for line in lines { print(line) }
  }
}
