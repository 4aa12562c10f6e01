import SolverAPI

/// Reduction A, lifting (docs/math.md §2.3): particles (r_i, w_i) ∈ ℝ × W carry
/// ν = (1/m) Σ mass(r_i) δ_{w_i}, with mass(r) = r under transport and r|r| under the conic metric
/// (the metric says which). Initial weights are ±r₀ with random signs.
public final class LiftReduction: Reduction {
  public let initialWeight: Double

  public init(initialWeight: Double) {
    self.initialWeight = initialWeight
  }

  public func particleDomain(for objective: any SignedObjective) -> any Geometry { LiftedDomain(base: objective.domain) }

  public func reduce(_ objective: any SignedObjective, mass: LiftedMass) throws -> any Objective {
    LiftObjective(objective, conic: mass == .signedSquare)
  }

  public func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud {
    let D = positions.dimension
    var cloud = ParticleCloud(count: positions.count, dimension: D + 1)
    var rng = random.generator()
    for i in 0..<positions.count {
      cloud[i, 0] = rng.uniform() < 0.5 ? -initialWeight : initialWeight
      for k in 0..<D { cloud[i, 1 + k] = positions[i, k] }
    }
    return cloud
  }
}
