import MFLD

/// Lifting with Gaussian initial weights, a new reduction: the particles (r, w) ∈ ℝ × W and their objective
/// are those of the built-in lift (docs/math.md §2.3), but the initial weights are r_i ~ N(0, r₀²) instead
/// of ±r₀ — small weights start near the kink of |r| less often in sign-balanced pairs. The host's metric
/// moves the particles on the lifted domain as it does for "lift".
public final class GaussianLift: Reduction {
  public let scale: Double
  let lift = LiftReduction(initialWeight: 1)

  public init(scale: Double) { self.scale = scale }

  public func particleDomain(for objective: any SignedObjective) -> any Geometry { lift.particleDomain(for: objective) }

  public func reduce(_ objective: any SignedObjective, mass: LiftedMass) throws -> any Objective { try lift.reduce(objective, mass: mass) }

  public func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud {
    let D = positions.dimension
    var cloud = ParticleCloud(count: positions.count, dimension: D + 1)
    var rng = random.generator()
    for i in 0..<positions.count {
      cloud[i, 0] = scale * rng.normal()
      for k in 0..<D { cloud[i, 1 + k] = positions[i, k] }
    }
    return cloud
  }

  public static let component = Component(
    .reduction, "lift-gaussian",
    summary: "lifting, particles (r, w) ∈ ℝ × W, with Gaussian initial weights r_i ~ N(0, r₀²)",
    parameters: [.real("initial_scale", default: 1, in: .positive, "r₀, the initial weights' standard deviation")],
    example: ["type": "lift-gaussian", "initial_scale": 0.5]
  ) { args in
    GaussianLift(scale: args.real("initial_scale")) as any Reduction
  }
}
