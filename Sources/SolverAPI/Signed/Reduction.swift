/// Turns a signed objective into an objective over probability measures on a particle domain
/// (docs/math.md §2: lifting on ℝ × W, bilevel on W). The metric that moves the particles is a part of
/// its own, built for `particleDomain`.
public protocol Reduction: AnyObject {
  /// The particles' domain for this signed objective (ℝ × W for lifting, W for bilevel).
  func particleDomain(for objective: any SignedObjective) -> any Geometry
  /// The objective over the particles, which conforms to `SignedMeasureView`. `mass` is how the
  /// metric lets a lifted particle's weight carry mass (reductions without weights ignore it).
  func reduce(_ objective: any SignedObjective, mass: LiftedMass) throws -> any Objective
  /// Initial particles on the particle domain from positions on W (lifting adds weights r).
  func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud
}
