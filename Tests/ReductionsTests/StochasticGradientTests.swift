import Foundation
import Integrators
import Objectives
import Reductions
import SolverAPI
import Testing

/// Minibatch integrators on a data-backed objective (a lifted two-layer network, whose data term is a
/// per-sample average).
struct StochasticGradientTests {
  let net = InnerSolveTests.network(samples: 48)
  let reduction = LiftReduction(initialWeight: 0.5)

  func problem() throws -> Problem { try ReducedProblem.make(reduction, net) }
  func start() -> SolverState {
    SolverState(cloud: reduction.initialParticles(positions: InnerSolveTests.cloud(20, seed: 5), random: RandomStream(seed: 6)))
  }

  func trace(_ integrator: any Integrator, steps: Int = 30) throws -> TraceTable {
    let plan = RunPlan(problem: try problem(), integrator: integrator, state: start(), lastStep: steps, recordEvery: 1,
                       noise: RandomStream(seed: 7), parallel: .automatic)
    let t = TraceTable()
    _ = try Solver.run(plan, sink: t)
    return t
  }

  @Test("sgd with the full batch reproduces euler-maruyama exactly")
  func fullBatchIsEulerMaruyama() throws {
    let em = try trace(EulerMaruyama(step: 0.05, temperature: 1e-3))
    let sgd = try trace(EulerMaruyama(step: 0.05, temperature: 1e-3, estimator: MinibatchGradient(batchSize: 48, random: RandomStream(seed: 8))))
    #expect(em.rows == sgd.rows)
  }

  @Test("each epoch's minibatches partition the data, and their gradients average to the full gradient")
  func minibatchesAreUnbiased() throws {
    let plan = MinibatchPlan(sampleCount: 48, batchSize: 12, random: RandomStream(seed: 9))
    var cache: (epoch: Int, permutation: [Int])?
    let batches = (4..<8).map { plan.batch(at: $0, cache: &cache) }  // epoch 1
    #expect(batches.flatMap { $0 }.sorted() == Array(0..<48))
    #expect(plan.batch(at: 0, cache: &cache) != batches[0])  // a new permutation each epoch
    let p = try problem(), objective = p.objective as! LiftObjective, state = start()
    let (_, full) = try objective.valueAndGradient(state.cloud)
    var average = [Double](repeating: 0, count: full.coordinates.count)
    for b in batches {
      objective.setBatch(b)
      let (_, g) = try objective.valueAndGradient(state.cloud)
      for k in average.indices { average[k] += g.coordinates[k] / 4 }
    }
    objective.setBatch(nil)
    #expect(InnerSolveTests.relativeError(average, full.coordinates) < 1e-12)
  }

  @Test("svrg's gradient has far smaller variance than sgd's at the same batch size near its anchor")
  func varianceReduction() throws {
    let p = try problem()
    let anchor = start()
    // Move a few noiseless steps away from the anchor.
    var moved = anchor
    let em = EulerMaruyama(step: 0.05, temperature: 0)
    for _ in 0..<5 { _ = try em.step(&moved, problem: p, noise: RandomStream(seed: 1), parallel: .serial) }
    let (_, exact) = try p.objective.valueAndGradient(moved.cloud)
    func meanSquaredError(_ estimator: any GradientEstimator) throws -> Double {
      var g = [Double](repeating: 0, count: exact.coordinates.count)
      var total = 0.0
      // Step 0 sets the svrg anchor at `anchor`; steps 1…8 estimate at `moved` with 8 different batches.
      _ = try g.withUnsafeMutableBufferPointer { try estimator.estimate(anchor, problem: p, into: $0, values: nil, parallel: .serial) }
      for t in 1...8 {
        var s = moved
        s.step = t
        _ = try g.withUnsafeMutableBufferPointer { try estimator.estimate(s, problem: p, into: $0, values: nil, parallel: .serial) }
        total += zip(g, exact.coordinates).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
      }
      return total / 8
    }
    let sgd = try meanSquaredError(MinibatchGradient(batchSize: 6, random: RandomStream(seed: 3)))
    let svrg = try meanSquaredError(VarianceReducedGradient(batchSize: 6, anchorPeriod: 100, random: RandomStream(seed: 3)))
    #expect(sgd > 0 && svrg < 0.05 * sgd, "mean squared error: sgd \(sgd), svrg \(svrg)")
  }
}
