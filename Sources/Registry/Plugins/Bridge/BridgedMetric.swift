import Formats
import LinearAlgebra
import SolverAPI

/// A metric of the other side: one call per step with the whole cloud, gradient and values.
///     metricGeometry → [0, 1] the domain; metricReference → [0, 1] the reference measure
///     metricMove: [0] x (in/out), [1] m, [2] d, [3] gradient (in/out), [4] values or null, [5] η, [6] τ, [7] the noise
///                 stream's key, [8] step, [9] threads
final class BridgedMetric: Metric, BridgedPart {
  let bridge: BridgeReference
  let geometry: any Geometry
  let reference: ReferenceMeasure
  let liftedMass: LiftedMass
  let needsFirstVariationValues: Bool
  let transportsParticles: Bool
  let mobility: [Double]?

  init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    self.bridge = bridge
    geometry = try bridge.object.invoke(.metricGeometry) { try BridgeImport.adopt($0, 0, kind: .domain) as! any Geometry }
    reference = try bridge.object.invoke(.metricReference) { try BridgeImport.adopt($0, 0, kind: .reference) as! ReferenceMeasure }
    liftedMass = (try? BridgeImport.value(d, "lifted_mass", as: String.self)) == "signed_square" ? .signedSquare : .weight
    needsFirstVariationValues = (try? BridgeImport.value(d, "needs_values", as: Bool.self)) ?? false
    transportsParticles = (try? BridgeImport.value(d, "transports", as: Bool.self)) ?? true
    if case .array(let p)? = d["mobility"] { mobility = p.compactMap(\.doubleValue) } else { mobility = nil }
  }

  func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
            stepSize: Double, temperature: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    let (m, d) = (cloud.count, cloud.dimension)
    let done: Bool = cloud.coordinates.withUnsafeMutableBufferPointer { x in
      (try? bridge.object.invoke(.metricMove, set: { f in
        f.setPointer(0, x.baseAddress); f.setInt(1, m); f.setInt(2, d); f.setPointer(3, gradient.baseAddress)
        f.setPointer(4, values?.baseAddress); f.setDouble(5, stepSize); f.setDouble(6, temperature)
        f.setInt(7, Int(bitPattern: UInt(noise.key))); f.setInt(8, step); f.setInt(9, parallel.threads)
      }, get: { _ in true })) ?? false
    }
    if !done { cloud.coordinates.withUnsafeMutableBufferPointer { $0.update(repeating: .nan) } }  // the run stops here, diverged
  }
}

extension BridgeExport {
  static func metric(_ metric: any Metric) -> BridgeObject {
    var cloud = ParticleCloud(count: 0, dimension: 0)
    return make(metric, describe: {
      ["kind": "metric", "needs_values": .bool(metric.needsFirstVariationValues), "transports": .bool(metric.transportsParticles),
       "lifted_mass": .string(metric.liftedMass == .signedSquare ? "signed_square" : "weight"),
       "mobility": metric.mobility.map { .array($0.map(ConfigValue.real)) } ?? .null]
    }) { method, f in
      switch method {
      case .metricGeometry: f.setObject(0, geometry(metric.geometry))
      case .metricReference: f.setObject(0, reference(metric.reference))
      case .metricMove:
        f.load(into: &cloud, 0, 1, 2)
        let m = cloud.count
        metric.move(&cloud, gradient: f.buffer(3, count: m * cloud.dimension)!, values: f.buffer(4, count: m), stepSize: f.double(5),
                    temperature: f.double(6), noise: RandomStream(key: UInt64(UInt(bitPattern: f.int(7)))), step: f.int(8),
                    parallel: Parallel(threads: max(1, f.int(9))))
        f.store(cloud, 0)
      default: throw PluginFailure("a metric has no method \(method)")
      }
    }
  }
}
