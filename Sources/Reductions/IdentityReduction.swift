import SolverAPI

/// For objectives that are already over probability measures: nothing to reduce. Naming it is
/// allowed (and changes nothing); a signed objective cannot use it.
public final class IdentityReduction: Reduction {
  public init() {}
  public func particleDomain(for objective: any SignedObjective) -> any Geometry { objective.domain }
  public func reduce(_ objective: any SignedObjective, mass: LiftedMass) throws -> any Objective {
    throw ConfigError(path: "reduction", "the identity reduction serves objectives over probability measures, not signed ones",
                      fix: "use \"bilevel\" or \"lift\"")
  }
  public func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud { positions }
}
