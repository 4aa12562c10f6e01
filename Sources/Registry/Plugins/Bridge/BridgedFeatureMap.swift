import Formats
import LinearAlgebra
import SolverAPI

/// A feature map of the other side: whole feature matrices cross once per call. Its predictions are the
/// default's separate pass over the features (the same bits as the built-in ridge features' fused one).
///     featuresEvaluate: [0] w, [1] m, [2] D, [3] features (out, m × n), [4] Jacobian data (out) or null, [5] threads
///     featuresPullback: [0] w, [1] m, [2] D, [3] features, [4] Jacobian data or null, [5] u (n), [6] c (m), [7] g (out, m × D),
///                       [8] threads
///     featuresSubset:   [0] sample indices (Int64), [1] their count → [2, 3] the restricted map
final class BridgedFeatureMap: FeatureMap, BridgedPart {
  let bridge: BridgeReference
  let dimension: Int
  let sampleCount: Int
  let jacobianWidth: Int
  /// Said by the other side (`positively_homogeneous`; absent: false) — `mfld check` tests it.
  let isPositivelyHomogeneous: Bool

  init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    self.bridge = bridge
    dimension = try BridgeImport.value(d, "dimension")
    sampleCount = try BridgeImport.value(d, "sample_count")
    jacobianWidth = try BridgeImport.value(d, "jacobian_width")
    isPositivelyHomogeneous = d["positively_homogeneous"] == nil ? false : try BridgeImport.value(d, "positively_homogeneous")
  }

  func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, parallel: Parallel) {
    w.coordinates.withUnsafeBufferPointer { wp in
      do {
        try bridge.object.invoke(.featuresEvaluate, set: { f in
          f.setPointer(0, wp.baseAddress); f.setInt(1, w.count); f.setInt(2, w.dimension)
          f.setPointer(3, features); f.setPointer(4, jacobian); f.setInt(5, parallel.threads)
        }, get: { _ in () })
      } catch {
        features.update(repeating: .nan, count: w.count * sampleCount)  // the run stops at the non-finite objective
      }
    }
  }

  func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
    w.coordinates.withUnsafeBufferPointer { wp in
      do {
        try bridge.object.invoke(.featuresPullback, set: { f in
          f.setPointer(0, wp.baseAddress); f.setInt(1, w.count); f.setInt(2, w.dimension); f.setPointer(3, features)
          f.setPointer(4, jacobian); f.setPointer(5, u); f.setPointer(6, c); f.setPointer(7, g); f.setInt(8, parallel.threads)
        }, get: { _ in () })
      } catch {
        g.update(repeating: .nan, count: w.count * dimension)
      }
    }
  }

  func subset(_ samples: [Int]) -> any FeatureMap {
    let indices = samples.map(Int64.init)
    return (try? indices.withUnsafeBufferPointer { p in
      try bridge.object.invoke(.featuresSubset, set: { f in f.setPointer(0, p.baseAddress); f.setInt(1, samples.count) },
                                  get: { try BridgeImport.adoptFeatures($0, 2) })
    }) ?? GatheredFeatures(base: self, samples: samples)
  }
}

extension BridgeImport {
  static func adoptFeatures(_ f: BridgeFrame, _ i: Int) throws -> any FeatureMap {
    guard let o = f.object(i) else { throw PluginFailure("no feature map returned") }
    if BridgeExport.unwrapsOwnObjects, let value = BridgeExport.unwrap(o) {
      o.release()
      guard let map = value as? any FeatureMap else { throw PluginFailure("not a feature map") }
      return map
    }
    let bridge = BridgeReference(adopting: o)
    return try BridgedFeatureMap(bridge, try o.describe())
  }
}

extension BridgeExport {
  static func features(_ map: any FeatureMap) -> BridgeObject {
    var w = ParticleCloud(count: 0, dimension: 0)
    return make(map, describe: {
      ["kind": "features", "dimension": .integer(map.dimension), "sample_count": .integer(map.sampleCount),
       "jacobian_width": .integer(map.jacobianWidth), "positively_homogeneous": .bool(map.isPositivelyHomogeneous)]
    }) { method, f in
      switch method {
      case .featuresEvaluate:
        f.load(into: &w, 0, 1, 2)
        map.evaluate(w, features: f.pointer(3)!, jacobian: f.pointer(4), parallel: Parallel(threads: max(1, f.int(5))))
      case .featuresPullback:
        f.load(into: &w, 0, 1, 2)
        map.pullback(w, features: f.pointer(3)!, jacobian: f.pointer(4), weights: f.pointer(5)!, scales: f.pointer(6)!, into: f.pointer(7)!,
                     parallel: Parallel(threads: max(1, f.int(8))))
      case .featuresSubset:
        let p = f.rawPointer(0)?.assumingMemoryBound(to: Int64.self)
        let samples = (0..<f.int(1)).map { Int(p![$0]) }
        f.setObject(2, features(map.subset(samples)))
      default: throw PluginFailure("a feature map has no method \(method)")
      }
    }
  }
}
