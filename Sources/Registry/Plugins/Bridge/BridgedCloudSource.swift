import Foundation
import SolverAPI

/// A point source of the other side. `cloudMake`: [0] count (−1: as many as the source has), [1] dimension,
/// [2] the random stream's key → [3] the points (the callee's buffer, freed by `free_buffer`), [4] count.
final class BridgedCloudSource: CloudSource, BridgedPart, @unchecked Sendable {
  let bridge: BridgeReference
  init(_ bridge: BridgeReference) { self.bridge = bridge }

  func makeCloud(count: Int?, dimension: Int, random: RandomStream) throws -> ParticleCloud {
    try bridge.object.invoke(.cloudMake, set: { f in
      f.setInt(0, count ?? -1)
      f.setInt(1, dimension)
      f.setInt(2, Int(bitPattern: UInt(random.key)))
    }, get: { f in
      let m = f.int(4)
      defer { bridge.object.free(f.rawPointer(3)) }
      return try BridgeImport.cloud(f.pointer(3), count: m, dimension: dimension)
    })
  }
}

extension BridgeExport {
  /// `count × dimension` doubles copied into a buffer the other side frees with `free_buffer`.
  static func ownedBuffer(_ values: [Double]) -> UnsafeMutableRawPointer? {
    let p = malloc(max(1, values.count) * MemoryLayout<Double>.size)
    values.withUnsafeBufferPointer { v in
      if let base = v.baseAddress { p?.copyMemory(from: UnsafeRawPointer(base), byteCount: v.count * MemoryLayout<Double>.size) }
    }
    return p
  }

  static func cloud(_ c: any CloudSource) -> BridgeObject {
    make(c, describe: { ["kind": "cloud"] }) { method, f in
      guard method == .cloudMake else { throw PluginFailure("a cloud source has no method \(method)") }
      let count = f.int(0)
      let cloud = try c.makeCloud(count: count < 0 ? nil : count, dimension: f.int(1), random: RandomStream(key: UInt64(UInt(bitPattern: f.int(2)))))
      f.setPointer(3, ownedBuffer(cloud.coordinates))
      f.setInt(4, cloud.count)
    }
  }
}

extension BridgeImport {
  /// A cloud copied from the other side's buffer of `count × dimension` doubles.
  static func cloud(_ p: UnsafeMutablePointer<Double>?, count m: Int, dimension d: Int) throws -> ParticleCloud {
    guard m >= 0 else { throw PluginFailure("a call returned \(m) points") }
    if m == 0 || d == 0 { return ParticleCloud(count: m, dimension: d) }
    guard let p else { throw PluginFailure("a call returned no points") }
    return ParticleCloud(count: m, dimension: d, coordinates: Array(UnsafeBufferPointer(start: p, count: m * d)))
  }
}
