import Formats
import LinearAlgebra
import SolverAPI

/// An observer of the other side: once per recorded step, with the cloud and the problem.
///     observerObserve: [0] x, [1] m, [2] d, [3] step, [4] time, [5, 6] objective, [7, 8] metric, [9] τ, [10] threads,
///                      [11] values (out, one per name)
final class BridgedObserver: Observer, BridgedPart {
  let bridge: BridgeReference
  let names: [String]
  private let problems = ProblemExport()

  init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    self.bridge = bridge
    names = try BridgeImport.value(d, "names")
  }

  func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double] {
    let (o, m) = problems.objects(problem)
    var out = [Double](repeating: .nan, count: names.count)
    try state.cloud.coordinates.withUnsafeBufferPointer { x in
      try out.withUnsafeMutableBufferPointer { v in
        try bridge.object.invoke(.observerObserve, set: { f in
          f.setPointer(0, x.baseAddress); f.setInt(1, state.cloud.count); f.setInt(2, state.cloud.dimension); f.setInt(3, state.step)
          f.setDouble(4, state.time); f.setObject(5, o); f.setObject(7, m); f.setDouble(9, temperature); f.setInt(10, parallel.threads)
          f.setPointer(11, v.baseAddress)
        }, get: { _ in () })
      }
    }
    return out
  }
}

extension BridgeExport {
  static func observer(_ observer: any Observer) -> BridgeObject {
    let problems = ProblemImport()
    var state = SolverState(cloud: ParticleCloud(count: 0, dimension: 0))
    return make(observer, describe: { ["kind": "observer", "names": .array(observer.names.map(ConfigValue.string))] }) { method, f in
      guard method == .observerObserve else { throw PluginFailure("an observer has no method \(method)") }
      f.load(into: &state.cloud, 0, 1, 2)
      state.step = f.int(3)
      state.time = f.double(4)
      let values = try observer.observe(state, problem: try problems.problem(f, objective: 5, metric: 7), temperature: f.double(9),
                                        parallel: Parallel(threads: max(1, f.int(10))))
      guard values.count == observer.names.count else { throw PluginFailure("observe returned \(values.count) values for \(observer.names.count) names") }
      if let out = f.pointer(11) { for (k, v) in values.enumerated() { out[k] = v } }
    }
  }
}
