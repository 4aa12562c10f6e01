import Foundation
import LinearAlgebra
import SolverAPI

/// Reduction B as a `Reduction`.
public final class BilevelReduction: Reduction {
  public let solver: BilevelObjective.InnerSolver
  public let method: BilevelObjective.InnerMethod
  public let tolerance: Double
  public init(solver: BilevelObjective.InnerSolver, method: BilevelObjective.InnerMethod = .pcg, tolerance: Double = 1e-12) {
    self.solver = solver
    self.method = method
    self.tolerance = tolerance
  }
  public func particleDomain(for objective: any SignedObjective) -> any Geometry { objective.domain }
  public func reduce(_ objective: any SignedObjective, mass: LiftedMass) throws -> any Objective {
    BilevelObjective(objective, solver: solver, method: method, tolerance: tolerance)
  }
  public func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud { positions }
}
