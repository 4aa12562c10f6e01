import Formats
import LinearAlgebra
import SolverAPI

/// An integrator of the other side. Its step crosses once with the whole cloud; it calls back into the
/// problem's objective and metric (objects of this side) as often as it needs.
///     integratorTemperature, integratorStepSize → [0, 1] the schedule
///     integratorIncompatibility: [0, 1] objective, [2, 3] metric → text: the reason, or none
///     integratorStep: [0] x (in/out), [1] m, [2] d, [3] step (in/out), [4] time (in/out), [5, 6] objective, [7, 8] metric,
///                     [9] the noise stream's key, [10] threads → [11] F(μ_m)
/// and `checkpoint`/`restore` for its state.
final class BridgedIntegrator: Integrator, Checkpointable, BridgedPart {
  let bridge: BridgeReference
  let temperature: any Schedule
  let stepSize: any Schedule
  let reportsExactObjective: Bool
  private let problems = ProblemExport()

  init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    self.bridge = bridge
    temperature = try bridge.object.invoke(.integratorTemperature) { try BridgeImport.adopt($0, 0, kind: .schedule) as! any Schedule }
    stepSize = try bridge.object.invoke(.integratorStepSize) { try BridgeImport.adopt($0, 0, kind: .schedule) as! any Schedule }
    reportsExactObjective = (try? BridgeImport.value(d, "exact", as: Bool.self)) ?? true
  }

  func incompatibility(with problem: Problem) -> String? {
    let (o, m) = problems.objects(problem)
    return (try? bridge.object.invoke(.integratorIncompatibility, set: { f in f.setObject(0, o); f.setObject(2, m) },
                                      get: { $0.text(BridgeFrame.textSlot) })) ?? nil
  }

  func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double {
    let (o, m) = problems.objects(problem)
    let (count, dimension) = (state.cloud.count, state.cloud.dimension)
    var step = state.step, time = state.time
    let f: Double = try state.cloud.coordinates.withUnsafeMutableBufferPointer { x in
      try bridge.object.invoke(.integratorStep, set: { f in
        f.setPointer(0, x.baseAddress); f.setInt(1, count); f.setInt(2, dimension); f.setInt(3, step); f.setDouble(4, time)
        f.setObject(5, o); f.setObject(7, m); f.setInt(9, Int(bitPattern: UInt(noise.key))); f.setInt(10, parallel.threads)
      }, get: { f in
        step = f.int(3)
        time = f.double(4)
        return f.double(11)
      })
    }
    state.step = step
    state.time = time
    return f
  }

  func checkpointState() -> [String: [Double]] { BridgeImport.checkpoint(bridge.object) }
  func restoreCheckpoint(_ state: [String: [Double]]) throws { try BridgeImport.restore(bridge.object, state) }
}

extension BridgeExport {
  static func integrator(_ integrator: any Integrator) -> BridgeObject {
    let problems = ProblemImport()
    var state = SolverState(cloud: ParticleCloud(count: 0, dimension: 0))
    return make(integrator, describe: { ["kind": "integrator", "exact": .bool(integrator.reportsExactObjective)] }) { method, f in
      switch method {
      case .integratorTemperature: f.setObject(0, schedule(integrator.temperature))
      case .integratorStepSize: f.setObject(0, schedule(integrator.stepSize))
      case .integratorIncompatibility:
        if let reason = integrator.incompatibility(with: try problems.problem(f, objective: 0, metric: 2)) {
          f.setOwnedText(BridgeFrame.textSlot, reason)
        }
      case .integratorStep:
        let problem = try problems.problem(f, objective: 5, metric: 7)
        f.load(into: &state.cloud, 0, 1, 2)
        state.step = f.int(3)
        state.time = f.double(4)
        let value = try integrator.step(&state, problem: problem, noise: RandomStream(key: UInt64(UInt(bitPattern: f.int(9)))),
                                        parallel: Parallel(threads: max(1, f.int(10))))
        f.store(state.cloud, 0)
        f.setInt(3, state.step)
        f.setDouble(4, state.time)
        f.setDouble(11, value)
      default: throw PluginFailure("an integrator has no method \(method)")
      }
    }
  }
}
