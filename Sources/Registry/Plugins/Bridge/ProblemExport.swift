import SolverAPI

/// The objects a plugin integrator or observer calls back into: the problem's objective and metric,
/// exported once and kept while they stay the same (a step allocates nothing for them).
final class ProblemExport {
  private var exported: (objective: ObjectIdentifier, metric: ObjectIdentifier, objects: (BridgeObject, BridgeObject))?

  func objects(_ problem: Problem) -> (objective: BridgeObject, metric: BridgeObject) {
    let key = (ObjectIdentifier(problem.objective), ObjectIdentifier(problem.metric))
    if let e = exported, e.objective == key.0, e.metric == key.1 { return e.objects }
    release()
    let objects = (BridgeExport.objective(problem.objective), BridgeExport.metric(problem.metric))
    exported = (key.0, key.1, objects)
    return objects
  }

  private func release() {
    guard let e = exported else { return }
    e.objects.0.release()
    e.objects.1.release()
    exported = nil
  }

  deinit { release() }
}

/// The callee's view of a problem the caller lent: the objects wrapped once, kept while the caller passes
/// the same ones (a step allocates nothing for them).
final class ProblemImport {
  private var imported: (objective: UnsafeMutableRawPointer, metric: UnsafeMutableRawPointer, problem: Problem)?

  func problem(_ f: BridgeFrame, objective i: Int, metric j: Int) throws -> Problem {
    guard let o = f.object(i), let m = f.object(j) else { throw PluginFailure("a call passed no problem") }
    if let p = imported, p.objective == o.handle, p.metric == m.handle { return p.problem }
    let problem = Problem(objective: try BridgeImport.borrow(f, i, kind: .objective) as! any Objective,
                          metric: try BridgeImport.borrow(f, j, kind: .metric) as! any Metric)
    imported = (o.handle, m.handle, problem)
    return problem
  }
}
