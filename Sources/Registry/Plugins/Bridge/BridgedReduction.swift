import Formats
import SolverAPI

/// A reduction of the other side. The signed objective goes across as an object (unwrapped to itself when
/// it came from there):
///     reductionDomain:           [0, 1] the signed objective → [2, 3] the particles' domain
///     reductionReduce:           [0, 1] the signed objective, [2] mass (0: r, 1: r|r|) → [3, 4] the objective
///     reductionInitialParticles: [0] positions, [1] m, [2] d, [3] the random stream's key → [4] the particles (the
///                                callee's buffer, freed by `free_buffer`), [5] their dimension
final class BridgedReduction: Reduction, BridgedPart {
  let bridge: BridgeReference
  init(_ bridge: BridgeReference) { self.bridge = bridge }

  func particleDomain(for objective: any SignedObjective) -> any Geometry {
    let signed = BridgeExport.signedObject(objective)
    defer { signed?.release() }
    return (try? bridge.object.invoke(.reductionDomain, set: { $0.setObject(0, signed) },
                                         get: { try BridgeImport.adopt($0, 2, kind: .domain) as! any Geometry })) ?? objective.domain
  }

  func reduce(_ objective: any SignedObjective, mass: LiftedMass) throws -> any Objective {
    guard let signed = BridgeExport.signedObject(objective) else {
      throw PluginFailure("the signed objective's loss cannot cross the plugin boundary (square or logistic)")
    }
    defer { signed.release() }
    return try bridge.object.invoke(.reductionReduce, set: { f in f.setObject(0, signed); f.setInt(2, mass == .signedSquare ? 1 : 0) },
                                       get: { try BridgeImport.adopt($0, 3, kind: .objective) as! any Objective })
  }

  func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud {
    (try? positions.coordinates.withUnsafeBufferPointer { p in
      try bridge.object.invoke(.reductionInitialParticles, set: { f in
        f.setPointer(0, p.baseAddress); f.setInt(1, positions.count); f.setInt(2, positions.dimension)
        f.setInt(3, Int(bitPattern: UInt(random.key)))
      }, get: { f in
        defer { bridge.object.free(f.rawPointer(4)) }
        return try BridgeImport.cloud(f.pointer(4), count: positions.count, dimension: f.int(5))
      })
    }) ?? positions
  }
}

extension BridgeExport {
  /// A signed objective as an object, or nil when its loss cannot cross.
  static func signedObject(_ s: any SignedObjective) -> BridgeObject? { try? signed(s) }

  static func reduction(_ r: any Reduction) -> BridgeObject {
    make(r, describe: { ["kind": "reduction"] }) { method, f in
      switch method {
      case .reductionDomain:
        let s = try BridgeImport.borrow(f, 0, kind: .objective) as! any SignedObjective
        f.setObject(2, geometry(r.particleDomain(for: s)))
      case .reductionReduce:
        let s = try BridgeImport.borrow(f, 0, kind: .objective) as! any SignedObjective
        f.setObject(3, objective(try r.reduce(s, mass: f.int(2) == 1 ? .signedSquare : .weight)))
      case .reductionInitialParticles:
        let m = f.int(1), d = f.int(2)
        let positions = try BridgeImport.cloud(f.pointer(0), count: m, dimension: d)
        let cloud = r.initialParticles(positions: positions, random: RandomStream(key: UInt64(UInt(bitPattern: f.int(3)))))
        f.setPointer(4, ownedBuffer(cloud.coordinates))
        f.setInt(5, cloud.dimension)
      default: throw PluginFailure("a reduction has no method \(method)")
      }
    }
  }
}

extension BridgeImport {
  /// An object the caller lends for one call (slots i, i + 1), as a part: retained for the proxy.
  static func borrow(_ f: BridgeFrame, _ i: Int, kind: PartKind) throws -> Any {
    guard let o = f.object(i) else { throw PluginFailure("a call passed no \(kind.rawValue)") }
    o.retain()
    return try product(o, kind: kind)
  }
}
