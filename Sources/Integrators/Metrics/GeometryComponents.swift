import Foundation
import SolverAPI

/// Domains and reference measures: where particles live, and the measure ρ ∝ e^{−U} whose drift
/// −τ∇U a metric's move adds (docs/math.md §1).
public enum GeometryComponents {
  public static let all: [Component] = [
    Component(.domain, "euclidean", summary: "ℝ^d with the flat metric",
              parameters: [.integer("dimension", in: 1...1_000_000, "d")]) { args in
      Euclidean(dimension: args.integer("dimension")) as any Geometry
    },
    Component(.domain, "sphere", summary: "the unit sphere S^n ⊂ ℝ^{n+1} (particles have n + 1 coordinates)",
              parameters: [.integer("dimension", in: 1...1_000_000, "intrinsic dimension n")]) { args in
      Sphere(intrinsicDimension: args.integer("dimension")) as any Geometry
    },
    Component(.domain, "torus", summary: "the flat torus T^d = [0, 1)^d, periodic",
              parameters: [.integer("dimension", in: 1...1_000_000, "d")]) { args in
      Torus(dimension: args.integer("dimension")) as any Geometry
    },
    Component(.reference, "lebesgue", summary: "U = 0: Lebesgue on ℝ^d (needs a confining objective), uniform on compact domains") { _ in
      ReferenceMeasure.flat
    },
    Component(.reference, "uniform", summary: "U = 0 on a compact domain (sphere, torus)") { args in
      let domain = try args.domain
      guard domain.isCompact else {
        throw args.error(nil, "\(domain.name) has no uniform probability measure",
                         fix: "use \"lebesgue\" (with a confining objective) or {\"type\": \"gaussian\", \"scale\": s}")
      }
      let logVolume = (domain as? Sphere).map { Sphere.logVolume($0.intrinsicDimension) } ?? 0
      return ReferenceMeasure(name: "uniform", potential: nil, logNormalizer: logVolume)
    },
    Component(.reference, "gaussian", summary: "ρ = N(0, s² I) on ℝ^d: U(x) = |x|²/(2s²), weight decay τ/s²",
              parameters: [.real("scale", default: 1, in: .positive, "s")]) { args in
      let domain = try args.domain
      guard domain is Euclidean else {
        throw args.error(nil, "a Gaussian reference needs ℝ^d, the domain is \(domain.name)", fix: "use \"uniform\"")
      }
      let s = args.real("scale")
      return ReferenceMeasure(name: "gaussian", potential: GaussianReferencePotential(dimension: domain.dimension, scale: s),
                              logNormalizer: 0.5 * Double(domain.dimension) * log(2 * Double.pi * s * s))
    },
  ]
}
