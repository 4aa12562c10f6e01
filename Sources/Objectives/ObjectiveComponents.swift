import Formats
import SolverAPI

/// The objectives, potentials, kernels, point clouds and observers this module provides.
public enum ObjectiveComponents {
  public static let all: [Component] = objectives + potentials + kernels + clouds + observers + NetworkComponents.all + DeconvolutionComponents.all + ExpressionComponents.all + FormulaComponents.all

  static let objectives: [Component] = [
    Component(.objective, "potential", summary: "F(μ) = ∫ V dμ, δF/δμ = V (Langevin sampling of e^{-V/τ} ρ)",
              parameters: [.part("V", .potential, "the potential V")]) { args in
      PotentialEnergy(potential: try args.part("V", as: (any ScalarField).self)) as any Objective
    },
    Component(.objective, "interaction", summary: "F(μ) = ½∫∫ W(x − y) dμ dμ, δF/δμ = ∫ W(· − y) dμ(y)",
              parameters: [.part("W", .kernel, "the even interaction kernel W"), batchParameter],
              notes: "The quadratic kernel costs O(m) per step (moments); other kernels O(m²), or O(m p) with random batches of p.") { args in
      InteractionEnergy(kernel: try args.part("W", as: (any ScalarField).self), geometry: try args.domain,
                        batches: try randomBatches(args)) as any Objective
    },
    Component(.objective, "sum", summary: "F = Σ_k F_k over the listed terms; records each term as F_<type>",
              parameters: [.parts("terms", .objective, "the objectives to add (at least one)")]) { args in
      let terms = try args.parts("terms", as: (any Objective).self)
      guard !terms.isEmpty else {
        throw args.error("terms", "is empty", fix: "list at least one objective, e.g. [{\"type\": \"potential\", ...}]")
      }
      let names = args.values["terms"].flatMap { v -> [String]? in
        guard case .array(let items) = v else { return nil }
        return items.map { item in
          if case .object(let o) = item, case .string(let s)? = o["type"] { return s }
          return "term"
        }
      } ?? []
      return SumObjective(terms: terms, names: names) as any Objective
    },
    Component(.objective, "mmd", summary: "F(μ) = ½ MMD²(μ, π) to a target cloud π with kernel k; records mmd",
              parameters: [
                .part("target", .cloud, "the target cloud π"),
                .integer("target_count", default: 500, in: 1...10_000_000, "points drawn from a generated target (files give their own)"),
                .part("kernel", .kernel, default: ["type": "gaussian", "bandwidth": 1.0, "strength": 1.0], "the kernel k(x, y) = K(x − y)"),
                batchParameter,
              ]) { args in
      let domain = try args.domain
      let source = try args.part("target", as: (any CloudSource).self)
      let target = try source.makeCloud(count: source is FileCloud ? nil : args.integer("target_count"),
                                        dimension: domain.dimension, random: args.random)
      return MMDObjective(kernel: try args.part("kernel", as: (any ScalarField).self), target: target, geometry: domain,
                          batches: try randomBatches(args)) as any Objective
    },
  ]

  static let potentials: [Component] = [
    Component(.potential, "quadratic", summary: "V(x) = (a/2)|x − c|²; Gibbs measure N(c, τ/a)",
              parameters: [
                .real("a", default: 1, in: .positive, "curvature a"),
                .reals("center", default: [], "center c (empty: the origin)"),
              ]) { args in
      let d = try args.domain.dimension
      let c = try vector(args, "center", dimension: d)
      return QuadraticPotential(dimension: d, a: args.real("a"), center: c) as any ScalarField
    },
    Component(.potential, "double-well", summary: "V(x) = h((x₁/s)² − 1)² + (a/2)(x₂² + … + x_d²): wells at x₁ = ±s",
              parameters: [
                .real("height", default: 1, in: .positive, "barrier height h"),
                .real("separation", default: 1, in: .positive, "well position s"),
                .real("a", default: 1, in: .nonNegative, "curvature a of the other coordinates"),
              ]) { args in
      DoubleWellPotential(dimension: try args.domain.dimension, height: args.real("height"),
                          separation: args.real("separation"), a: args.real("a")) as any ScalarField
    },
    Component(.potential, "gaussian-wells", summary: "V(x) = −Σ_j h_j exp(−|x − c_j|²/(2 s_j²)) + (a/2)|x|²",
              parameters: [
                .matrix("centers", "well centers c_j, one point per well"),
                .reals("depths", default: [], in: .any, "depths h_j (empty: all 1)"),
                .reals("widths", default: [], in: .positive, "widths s_j (empty: all 1)"),
                .real("confinement", default: 0, in: .nonNegative, "a: quadratic confinement (needed on ℝ^d with a flat reference)"),
              ]) { args in
      let d = try args.domain.dimension
      let centers = args.matrix("centers")
      guard !centers.isEmpty else { throw args.error("centers", "is empty", fix: "give at least one well center") }
      for (j, c) in centers.enumerated() where c.count != d {
        throw args.error("centers", "center \(j + 1) has \(c.count) coordinates, the domain has \(d)", fix: "give \(d) numbers per center")
      }
      let depths = try perCenter(args, "depths", count: centers.count)
      let widths = try perCenter(args, "widths", count: centers.count)
      return GaussianWellsPotential(centers: centers, depths: depths, widths: widths, confinement: args.real("confinement")) as any ScalarField
    },
  ]

  static let kernels: [Component] = [
    Component(.kernel, "quadratic", summary: "W(z) = (b/2)|z|² (attractive; O(m) moments)",
              parameters: [.real("b", default: 1, in: .nonNegative, "strength b")]) { args in
      QuadraticKernel(dimension: try args.domain.dimension, b: args.real("b")) as any ScalarField
    },
    Component(.kernel, "gaussian", summary: "W(z) = c · exp(−|z|²/(2σ²))",
              parameters: [
                .real("strength", default: 1, "c (positive: a positive-definite kernel)"),
                .real("bandwidth", default: 1, in: .positive, "σ"),
              ]) { args in
      GaussianKernel(dimension: try args.domain.dimension, strength: args.real("strength"), bandwidth: args.real("bandwidth")) as any ScalarField
    },
  ]

  static let clouds: [Component] = [
    Component(.cloud, "gaussian", summary: "points ~ N(mean, std² I), mapped onto the domain",
              parameters: [
                .reals("mean", default: [], "mean (empty: the origin)"),
                .real("std", default: 1, in: .positive, "standard deviation"),
              ]) { args in
      let domain = try args.domain
      return GaussianCloud(mean: try vector(args, "mean", dimension: domain.dimension), std: args.real("std"), geometry: domain) as any CloudSource
    },
    Component(.cloud, "uniform", summary: "points uniform on a compact domain (sphere, torus)") { args in
      let domain = try args.domain
      guard domain.isCompact else {
        throw args.error(nil, "\(domain.name) has no uniform probability measure", fix: "use {\"type\": \"box\", \"low\": -1, \"high\": 1} or \"gaussian\"")
      }
      return UniformCloud(geometry: domain, box: nil) as any CloudSource
    },
    Component(.cloud, "box", summary: "points uniform in the box [low, high]^d",
              parameters: [
                .real("low", default: -1, "lower corner (every coordinate)"),
                .real("high", default: 1, "upper corner (every coordinate)"),
              ]) { args in
      let (lo, hi) = (args.real("low"), args.real("high"))
      guard lo < hi else { throw args.error("high", "must be > low (\(lo)), found \(hi)", fix: "swap low and high") }
      return UniformCloud(geometry: try args.domain, box: lo...hi) as any CloudSource
    },
    Component(.cloud, "gaussian-mixture", summary: "points ~ Σ_j w_j N(c_j, std² I)",
              parameters: [
                .matrix("centers", "component means c_j"),
                .reals("weights", default: [], in: .positive, "mixture weights w_j (empty: equal)"),
                .real("std", default: 0.1, in: .positive, "standard deviation of each component"),
              ]) { args in
      let domain = try args.domain
      let centers = args.matrix("centers")
      guard !centers.isEmpty else { throw args.error("centers", "is empty", fix: "give at least one center") }
      for (j, c) in centers.enumerated() where c.count != domain.dimension {
        throw args.error("centers", "center \(j + 1) has \(c.count) coordinates, points on \(domain.name) have \(domain.dimension)",
                         fix: "give \(domain.dimension) numbers per center")
      }
      let weights = try perCenter(args, "weights", count: centers.count)
      return GaussianMixtureCloud(centers: centers, weights: weights, std: args.real("std"), geometry: domain) as any CloudSource
    },
    Component(.cloud, "file", summary: "points read from a CSV file (one point per row; header optional)",
              parameters: [.path("file", "CSV file, relative to the config file's folder")]) { args in
      let path = args.path("file")
      let table: NumericTable
      do { table = try NumericTable.read(contentsOf: path) } catch {
        throw args.error("file", "\(error)", fix: "check the path (relative paths start at the config file's folder)")
      }
      return FileCloud(table: table, file: args.string("file"), geometry: try args.domain,
                       configPath: args.path, configFile: args.context.file) as any CloudSource
    },
  ]

  static let observers: [Component] = [
    Component(.observer, "variance", summary: "(1/(m d)) Σ_i |X^i − X̄|²: the spread about the cloud's mean") { _ in
      VarianceObserver() as any Observer
    },
    Component(.observer, "entropy",
              summary: "H(μ | ρ) by Kozachenko–Leonenko and the free energy F + τH (columns entropy, free_energy)",
              parameters: [
                .integer("every", default: 100, in: 1...Int.max, "compute every this many steps (a multiple of record.every); empty cells between"),
                .integer("neighbours", default: 1, in: 1...100, "k, the nearest neighbour used"),
              ], notes: "O(m²) at worst per evaluation (a sorted sweep prunes most pairs in low dimension).") { args in
      EntropyObserver(every: args.integer("every"), neighbours: args.integer("neighbours")) as any Observer
    },
    Component(.observer, "centroid", summary: "|X̄|², the squared norm of the cloud's mean (column centroid_norm2)") { _ in
      CentroidObserver() as any Observer
    },
    Component(.observer, "mean", summary: "the cloud's mean, one column per coordinate (mean_1, …)") { args in
      MeanObserver(dimension: try args.domain.dimension) as any Observer
    },
  ]

  /// `batch`: random-batch interactions (docs/math.md §6), shared by the objectives with a pairwise sum.
  static let batchParameter = Parameter.integer("batch", default: 0, in: 0...1000,
                                                "random batches of p particles per step, O(m p) instead of O(m²) (docs/math.md §6); 0: the exact sum")

  /// The random batches `batch` asks for (nil for 0), on a stream of their own.
  static func randomBatches(_ args: Arguments) throws -> RandomBatches? {
    let p = args.integer("batch")
    if p == 0 { return nil }
    guard p >= 2 else { throw args.error("batch", "is 1: a batch of one particle has no one to interact with", fix: "use 0 (exact) or p ≥ 2") }
    return RandomBatches(size: p, random: args.random.split("batches"))
  }

  /// A vector parameter that is empty (the default: zero) or has one entry per coordinate.
  static func vector(_ args: Arguments, _ key: String, dimension d: Int) throws -> [Double] {
    let v = args.reals(key)
    if v.isEmpty { return [Double](repeating: 0, count: d) }
    guard v.count == d else {
      throw args.error(key, "has \(v.count) entries, the domain has dimension \(d)", fix: "give \(d) numbers, or [] for zero")
    }
    return v
  }

  /// A per-center list that is empty (all 1) or has one entry per center.
  static func perCenter(_ args: Arguments, _ key: String, count: Int) throws -> [Double] {
    let v = args.reals(key)
    if v.isEmpty { return [Double](repeating: 1, count: count) }
    guard v.count == count else {
      throw args.error(key, "has \(v.count) entries for \(count) centers", fix: "give one per center, or [] for all 1")
    }
    return v
  }
}
