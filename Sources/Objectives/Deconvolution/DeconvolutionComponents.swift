import SolverAPI

/// The sparse-deconvolution signed objective (docs/math.md §2), as a registrable part.
public enum DeconvolutionComponents {
  public static let all: [Component] = [sparseDeconvolution, spikes]

  /// The ground truth and its samples, shared by the objective and the `spikes` data set.
  static let truthParameters: [Parameter] = [
    .integer("dimension", default: 1, in: 1...2, "p: the torus T^p = [0, 1)^p"),
    .choice("kernel", ["dirichlet", "gaussian"], default: "dirichlet",
            "ψ(t) = Π_c k(t_c) with k the Dirichlet kernel 1 + 2 Σ_{j≤K} cos(2πjt) or the periodized Gaussian Σ_z exp(−(t − z)²/(2σ²))"),
    .integer("cutoff", default: 6, in: 1...10_000, "K, the Dirichlet kernel's highest frequency"),
    .real("width", default: 0.05, in: .positive, "σ, the periodized Gaussian's width"),
    .matrix("spikes", "true spike positions θ_s, one row of p coordinates in [0, 1) per spike"),
    .reals("masses", "true masses a_s (nonzero, either sign), one per spike"),
    .integer("grid", default: 64, in: 2...Int.max, "g, sample points per axis: x = i/g, n = g^p samples"),
    .real("noise", default: 0, in: .nonNegative, "standard deviation of the Gaussian label noise ξ"),
  ]

  /// The validated truth of a deconvolution config: spikes, masses, the kernel and the grid.
  static func truth(_ args: Arguments) throws -> (kernel: PeriodicKernel, spikes: [[Double]], masses: [Double], grid: Int) {
    let p = args.integer("dimension")
    let spikes = args.matrix("spikes")
    let masses = args.reals("masses")
    guard !spikes.isEmpty else {
      throw args.error("spikes", "is empty", fix: "give at least one spike position, e.g. [[0.3], [0.7]] on T^1")
    }
    for (s, theta) in spikes.enumerated() {
      guard theta.count == p else {
        throw args.error("spikes", "spike \(s + 1) has \(theta.count) coordinates, the torus T^\(p) needs \(p)",
                         fix: "give \(p) number\(p == 1 ? "" : "s") per spike, or set \"dimension\": \(theta.count)")
      }
      for (c, x) in theta.enumerated() where !(x >= 0 && x < 1) {
        throw args.error("spikes", "spike \(s + 1), coordinate \(c + 1) is \(x), outside [0, 1)",
                         fix: "positions live on the torus [0, 1)^p: use \(Torus.wrap(x)) (the same point mod 1)")
      }
    }
    guard masses.count == spikes.count else {
      throw args.error("masses", "has \(masses.count) entries for \(spikes.count) spikes", fix: "give one mass per spike")
    }
    if let s = masses.firstIndex(of: 0) {
      throw args.error("masses", "mass \(s + 1) is 0", fix: "remove that spike, or give it a nonzero mass")
    }
    let g = args.integer("grid")
    var n = 1
    for _ in 0..<p {
      let (product, overflow) = n.multipliedReportingOverflow(by: g)
      guard !overflow, product <= maxSamples else {
        throw args.error("grid", "\(g) points per axis on T^\(p) make more than \(maxSamples) samples",
                         fix: "use a coarser grid (64 per axis is the default)")
      }
      n = product
    }
    let profile: PeriodicKernel.Profile = args.string("kernel") == "gaussian"
      ? .gaussian(width: args.real("width")) : .dirichlet(cutoff: args.integer("cutoff"))
    return (PeriodicKernel(dimension: p, profile: profile), spikes, masses, g)
  }

  static let spikes = Component(
    .dataset, "spikes",
    summary: "deconvolution samples: grid points x_k on T^p and y_k = Σ_s a_s ψ(x_k − θ_s) + noise (as sparse-deconvolution draws them)",
    parameters: truthParameters,
    notes: "For a signed objective of your own over the torus, e.g. feature-formula with \"exp(-|z|^2/(2*s^2))\"; the data set the "
      + "sparse-deconvolution objective builds inside, with the same grid and labels (its noise is drawn from this part's stream).",
    example: ["type": "spikes", "spikes": [[0.2], [0.45], [0.8]], "masses": [1.0, -0.6, 0.8], "grid": 64, "kernel": "gaussian"]
  ) { args in
    let (kernel, spikes, masses, g) = try truth(args)
    let features = TranslationFeatures(kernel: kernel, gridSize: g)
    var y = SparseDeconvolution.cleanLabels(features: features, spikes: spikes, masses: masses)
    let noise = args.real("noise")
    if noise > 0 {
      var rng = args.random.generator()
      for k in y.indices { y[k] += noise * rng.normal() }
    }
    let inputs = (0..<features.sampleCount).flatMap { features.samplePoint($0) }
    return Dataset(dimension: kernel.dimension, inputs: inputs, labels: y, source: "spikes") as Dataset
  }

  /// Largest number of samples g^p accepted (the feature matrix is m × g^p, its Jacobian m × g^p × p).
  static let maxSamples = 10_000_000

  static let sparseDeconvolution = Component(
    .objective, "sparse-deconvolution",
    summary: "signed: G_λ(ν) = (1/2n) Σ_k (∫ψ(x_k − w)dν − y_k)² + (λ/2)‖ν‖²_TV on T^p, y_k = Σ_s a_s ψ(x_k − θ_s) + noise",
    parameters: truthParameters + [.real("lambda", default: 1e-3, in: .positive, "λ, the strength of the (λ/2)‖ν‖²_TV penalty")],
    notes: """
      The objective defines its own domain T^p (it does not read the config's "domain"). Sample points form the grid \
      x = (i_0/g, …, i_{p−1}/g). `cutoff` is used by the Dirichlet kernel only, `width` by the Gaussian only. \
      Matched spikes: each particle goes to its nearest true spike (periodic distance); spike s keeps the particles \
      whose weight has the sign of a_s; recovered mass (1/m) Σ r_i, recovered position the |r_i|-weighted periodic \
      mean. spike_error = max_s distance to θ_s (1 when a spike has no particles), mass_error = max_s |mass − a_s|.
      """,
    example: ["type": "sparse-deconvolution", "spikes": [[0.2], [0.45], [0.8]], "masses": [1.0, -0.6, 0.8], "grid": 64]
  ) { args in
    let (kernel, spikes, masses, g) = try truth(args)
    return SparseDeconvolution(kernel: kernel, gridSize: g, spikes: spikes, masses: masses, noise: args.real("noise"),
                               lambda: args.real("lambda"), random: args.random) as any SignedObjective
  }
}
