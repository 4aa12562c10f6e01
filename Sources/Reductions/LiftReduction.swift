import SolverAPI

/// Reduction A, lifting (MATH.md §2): particles (r_i, w_i) ∈ ℝ × W carry ν = (1/m) Σ mass(r_i) δ_{w_i},
/// with the Wasserstein or the conic metric. Initial weights are ±r₀ with random signs.
public final class LiftReduction: Reduction {
  public let metric: LiftMetric.Kind
  public let initialWeight: Double

  public init(metric: LiftMetric.Kind, initialWeight: Double) {
    self.metric = metric
    self.initialWeight = initialWeight
  }

  var isConic: Bool { if case .conic = metric { return true } else { return false } }

  public func particleDomain(for objective: any SignedObjective) -> any Geometry { LiftedDomain(base: objective.domain) }

  public func reduce(_ objective: any SignedObjective, reference: ReferenceMeasure) throws -> Problem {
    Problem(objective: LiftObjective(objective, conic: isConic),
            metric: LiftMetric(kind: metric, base: objective.domain, reference: reference))
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

/// For objectives that are already over probability measures: nothing to reduce.
public final class IdentityReduction: Reduction {
  public init() {}
  public func particleDomain(for objective: any SignedObjective) -> any Geometry { objective.domain }
  public func reduce(_ objective: any SignedObjective, reference: ReferenceMeasure) throws -> Problem {
    throw ConfigError(path: "reduction", "the identity reduction serves objectives over probability measures, not signed ones",
                      fix: "use \"bilevel\" or \"lift\"")
  }
  public func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud { positions }
}
