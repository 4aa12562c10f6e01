import Formats
import LinearAlgebra
import SolverAPI

/// An objective over probability measures of the other side. Every call passes whole arrays — the
/// caller's own buffers, never copied on this side:
///     objectiveEvaluate:       [0] x, [1] m, [2] d, [3] gradient or null, [4] values or null, [5] threads → [6] F
///     objectiveFirstVariation: [0] x, [1] m, [2] d, [3] y, [4] points, [5] values, [6] gradients or null, [7] threads
///     objectiveObserve:        [0] x, [1] m, [2] d, [3] values (out, one per observable), [4] threads
///     objectiveSetBatch:       [0] sample indices (Int64) or null for the full data, [1] their count
///     objectiveSignedMeasure:  [0] x, [1] m, [2] d, [3] threads → [4] weights, [5] positions (m × D, both the
///                              callee's buffers, freed by `free_buffer`), [6] D
/// and `checkpoint`/`restore` for its state (a warm start).
class BridgedObjective: Objective, Checkpointable, BridgedPart {
  let bridge: BridgeReference
  let dimension: Int
  let observableNames: [String]

  init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    self.bridge = bridge
    dimension = try BridgeImport.value(d, "dimension")
    observableNames = (try? BridgeImport.value(d, "observables", as: [String].self)) ?? []
  }

  /// The proxy for the capabilities the description lists (data for minibatches, a signed measure).
  static func make(_ bridge: BridgeReference, _ d: ConfigObject) throws -> any Objective {
    if case .bool(true)? = d["minibatch"] { return try BridgedDataObjective(bridge, d) }
    return try BridgedObjective(bridge, d)
  }

  func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                parallel: Parallel) throws -> Double {
    try cloud.coordinates.withUnsafeBufferPointer { x in
      try bridge.object.invoke(.objectiveEvaluate, set: { f in
        f.setPointer(0, x.baseAddress); f.setInt(1, cloud.count); f.setInt(2, cloud.dimension)
        f.setPointer(3, gradient?.baseAddress); f.setPointer(4, values?.baseAddress); f.setInt(5, parallel.threads)
      }, get: { $0.double(6) })
    }
  }

  func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                      gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    try cloud.coordinates.withUnsafeBufferPointer { x in
      try points.coordinates.withUnsafeBufferPointer { y in
        try bridge.object.invoke(.objectiveFirstVariation, set: { f in
          f.setPointer(0, x.baseAddress); f.setInt(1, cloud.count); f.setInt(2, cloud.dimension)
          f.setPointer(3, y.baseAddress); f.setInt(4, points.count); f.setPointer(5, values.baseAddress)
          f.setPointer(6, gradients?.baseAddress); f.setInt(7, parallel.threads)
        }, get: { _ in () })
      }
    }
  }

  func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    guard !observableNames.isEmpty else { return [] }
    var out = [Double](repeating: .nan, count: observableNames.count)
    try cloud.coordinates.withUnsafeBufferPointer { x in
      try out.withUnsafeMutableBufferPointer { o in
        try bridge.object.invoke(.objectiveObserve, set: { f in
          f.setPointer(0, x.baseAddress); f.setInt(1, cloud.count); f.setInt(2, cloud.dimension)
          f.setPointer(3, o.baseAddress); f.setInt(4, parallel.threads)
        }, get: { _ in () })
      }
    }
    return out
  }

  func checkpointState() -> [String: [Double]] { BridgeImport.checkpoint(bridge.object) }
  func restoreCheckpoint(_ state: [String: [Double]]) throws { try BridgeImport.restore(bridge.object, state) }
}

/// An objective of the other side with data (minibatches) and a signed measure: what a reduction builds.
final class BridgedDataObjective: BridgedObjective, MinibatchObjective, SignedMeasureView {
  let sampleCount: Int

  override init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    sampleCount = try BridgeImport.value(d, "sample_count")
    try super.init(bridge, d)
  }

  func setBatch(_ batch: [Int]?) {
    let indices = (batch ?? []).map(Int64.init)
    indices.withUnsafeBufferPointer { p in
      _ = try? bridge.object.invoke(.objectiveSetBatch, set: { f in
        f.setPointer(0, batch == nil ? nil : UnsafeRawPointer(p.baseAddress) ?? UnsafeRawPointer(bitPattern: 8))
        f.setInt(1, batch?.count ?? -1)
      }, get: { _ in () })
    }
  }

  func signedMeasure(of cloud: ParticleCloud, parallel: Parallel) throws -> (weights: [Double], positions: ParticleCloud) {
    try cloud.coordinates.withUnsafeBufferPointer { x in
      try bridge.object.invoke(.objectiveSignedMeasure, set: { f in
        f.setPointer(0, x.baseAddress); f.setInt(1, cloud.count); f.setInt(2, cloud.dimension); f.setInt(3, parallel.threads)
      }, get: { f in
        defer { bridge.object.free(f.rawPointer(4)); bridge.object.free(f.rawPointer(5)) }
        let weights = try BridgeImport.cloud(f.pointer(4), count: cloud.count, dimension: 1).coordinates
        return (weights, try BridgeImport.cloud(f.pointer(5), count: cloud.count, dimension: f.int(6)))
      })
    }
  }
}

extension BridgeImport {
  static func checkpoint(_ object: BridgeObject) -> [String: [Double]] {
    (try? object.invoke(.checkpoint) { try PluginJSON.decodeState($0.text(BridgeFrame.textSlot)) }) ?? [:]
  }

  static func restore(_ object: BridgeObject, _ state: [String: [Double]]) throws {
    try PluginJSON.state(state).withCString { c in try object.invoke(.restore, set: { $0.setPointer(0, c) }, get: { _ in () }) }
  }
}

/// The callee's side of an objective: the caller's buffers are copied into clouds it keeps (no allocation
/// once the particle count is stable), results written straight into the caller's buffers.
final class ObjectiveEndpoint {
  let objective: any Objective
  var cloud = ParticleCloud(count: 0, dimension: 0)
  var points = ParticleCloud(count: 0, dimension: 0)
  init(_ objective: any Objective) { self.objective = objective }

  func dispatch(_ method: BridgeMethod, _ f: BridgeFrame) throws {
    let parallel = { (slot: Int) in Parallel(threads: max(1, f.int(slot))) }
    switch method {
    case .objectiveEvaluate:
      f.load(into: &cloud, 0, 1, 2)
      let md = cloud.count * cloud.dimension
      f.setDouble(6, try objective.evaluate(cloud, gradient: f.buffer(3, count: md), values: f.buffer(4, count: cloud.count), parallel: parallel(5)))
    case .objectiveFirstVariation:
      f.load(into: &cloud, 0, 1, 2)
      f.load(into: &points, 3, 4, 2)
      try objective.firstVariation(of: cloud, at: points, values: f.buffer(5, count: points.count)!,
                                   gradients: f.buffer(6, count: points.count * points.dimension), parallel: parallel(7))
    case .objectiveObserve:
      f.load(into: &cloud, 0, 1, 2)
      let observed = try objective.observe(cloud, parallel: parallel(4))
      guard observed.count == objective.observableNames.count else {
        throw PluginFailure("observe returned \(observed.count) values for \(objective.observableNames.count) observables")
      }
      if let out = f.pointer(3) { for (k, v) in observed.enumerated() { out[k] = v } }
    case .objectiveSetBatch:
      guard let data = objective as? any MinibatchObjective else { throw PluginFailure("the objective has no data") }
      let n = f.int(1)
      data.setBatch(n < 0 ? nil : (0..<n).map { Int(f.rawPointer(0)!.assumingMemoryBound(to: Int64.self)[$0]) })
    case .objectiveSignedMeasure:
      guard let view = objective as? any SignedMeasureView else { throw PluginFailure("the objective represents no signed measure") }
      f.load(into: &cloud, 0, 1, 2)
      let (w, positions) = try view.signedMeasure(of: cloud, parallel: parallel(3))
      f.setPointer(4, BridgeExport.ownedBuffer(w))
      f.setPointer(5, BridgeExport.ownedBuffer(positions.coordinates))
      f.setInt(6, positions.dimension)
    default: throw PluginFailure("an objective has no method \(method)")
    }
  }
}

extension BridgeExport {
  static func objective(_ o: any Objective) -> BridgeObject {
    let endpoint = ObjectiveEndpoint(o)
    return make(o, describe: {
      var d: ConfigObject = ["kind": "objective", "dimension": .integer(o.dimension), "observables": .array(o.observableNames.map(ConfigValue.string))]
      if let data = o as? any MinibatchObjective, o is any SignedMeasureView {
        d["minibatch"] = true
        d["sample_count"] = .integer(data.sampleCount)
      }
      return d
    }) { method, f in try endpoint.dispatch(method, f) }
  }
}
