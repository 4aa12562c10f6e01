import Formats
import SolverAPI

/// A domain of the other side: per point for what runs once (sampling, canonicalizing the initial cloud), and
/// one call per step for the metric's move (`prefersBatches`, `projectAndRetract`). A native
/// domain (ℝ^d, S^n, T^d or a lift of one) does not come as a proxy: each side uses its own, so that
/// parts which specialize on them (the lifted metrics, the entropy estimators) see the real thing.
///     geometryProject:      [0] v (in/out), [1] x
///     geometryRetract:      [0] x (in/out), [1] v
///     geometryCanonicalize: [0] x (in/out) → [1] 1 when x could be placed on the domain
///     geometrySample:       [0] x (out), [1…5] the random sequence's state (in/out)
///     geometryDistance:     [0] a, [1] b → [2] distance
///     geometryDifference:   [0] a, [1] b, [2] z (out)
///     geometryProjectAndRetract: [0] x (count × d, in/out), [1] v (in/out), [2] count — a whole cloud's move in one call
final class BridgedGeometry: Geometry, BridgedPart, @unchecked Sendable {
  let bridge: BridgeReference
  let name: String
  let dimension: Int
  let isCompact: Bool

  init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    self.bridge = bridge
    name = try BridgeImport.value(d, "name")
    dimension = try BridgeImport.value(d, "dimension")
    isCompact = try BridgeImport.value(d, "compact")
  }

  var prefersBatches: Bool { true }

  func projectAndRetract(_ x: UnsafeMutablePointer<Double>, along v: UnsafeMutablePointer<Double>, count: Int) {
    let done = (try? bridge.object.invoke(.geometryProjectAndRetract, set: { f in f.setPointer(0, x); f.setPointer(1, v); f.setInt(2, count) },
                                          get: { _ in true })) ?? false
    if !done { x.update(repeating: .nan, count: count * dimension) }  // the run stops here, diverged
  }

  func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) {
    _ = try? bridge.object.invoke(.geometryProject, set: { f in f.setPointer(0, v); f.setPointer(1, x) }, get: { _ in () })
  }

  func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) {
    _ = try? bridge.object.invoke(.geometryRetract, set: { f in f.setPointer(0, x); f.setPointer(1, v) }, get: { _ in () })
  }

  func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool {
    (try? bridge.object.invoke(.geometryCanonicalize, set: { $0.setPointer(0, x) }, get: { $0.int(1) == 1 })) ?? false
  }

  func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) {
    let words = random.words
    let after = try? bridge.object.invoke(.geometrySample, set: { f in
      f.setPointer(0, x)
      for (k, w) in words.enumerated() { f.setInt(1 + k, Int(bitPattern: UInt(w))) }
    }, get: { f in (0..<5).map { UInt64(UInt(bitPattern: f.int(1 + $0))) } })
    if let after { random = RandomSequence(words: after) }
  }

  func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
    (try? bridge.object.invoke(.geometryDistance, set: { f in f.setPointer(0, a); f.setPointer(1, b) }, get: { $0.double(2) })) ?? .nan
  }

  func difference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>) {
    _ = try? bridge.object.invoke(.geometryDifference, set: { f in f.setPointer(0, a); f.setPointer(1, b); f.setPointer(2, z) },
                                     get: { _ in () })
  }
}

extension BridgeExport {
  static func geometry(_ g: any Geometry) -> BridgeObject {
    make(g, describe: {
      // A native domain (ℝ^d, S^n, T^d, a lift of one) also says which: the other side uses its own copy.
      ["kind": "domain", "name": .string(g.name), "dimension": .integer(g.dimension), "compact": .bool(g.isCompact),
       "native": PluginJSON.nativeDomain(PluginJSON.domain(g)) == nil ? .null : PluginJSON.domain(g)]
    }) { method, f in
      switch method {
      case .geometryProject: g.projectToTangent(f.pointer(0)!, at: f.pointer(1)!)
      case .geometryRetract: g.retract(f.pointer(0)!, along: f.pointer(1)!)
      case .geometryCanonicalize: f.setInt(1, g.canonicalize(f.pointer(0)!) ? 1 : 0)
      case .geometrySample:
        var random = RandomSequence(words: (0..<5).map { UInt64(UInt(bitPattern: f.int(1 + $0))) })
        g.sampleUniform(into: f.pointer(0)!, using: &random)
        for (k, w) in random.words.enumerated() { f.setInt(1 + k, Int(bitPattern: UInt(w))) }
      case .geometryDistance: f.setDouble(2, g.distance(f.pointer(0)!, f.pointer(1)!))
      case .geometryDifference: g.difference(f.pointer(0)!, f.pointer(1)!, into: f.pointer(2)!)
      case .geometryProjectAndRetract: g.projectAndRetract(f.pointer(0)!, along: f.pointer(1)!, count: f.int(2))
      default: throw PluginFailure("a domain has no method \(method)")
      }
    }
  }
}
