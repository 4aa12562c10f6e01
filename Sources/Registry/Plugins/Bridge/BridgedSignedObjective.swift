import Formats
import LinearAlgebra
import SolverAPI

/// A signed objective of the other side. Its domain and feature map come across as objects once, its
/// labels as an array once; its loss by name (square or logistic: a loss is called per sample, so it does
/// not cross the boundary):
///     signedDomain → [0, 1] the domain; signedFeatures → [0, 1] the feature map;
///     signedLabels → [0] the labels (the callee's storage), [1] their count;
///     signedObserve: [0] weights, [1] positions, [2] m, [3] D, [4] threads, [5] values (out, one per observable)
final class BridgedSignedObjective: SignedObjective, BridgedPart {
  let bridge: BridgeReference
  let domain: any Geometry
  let features: any FeatureMap
  let labels: [Double]
  let loss: any Loss
  let lambda: Double
  let observableNames: [String]

  init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    self.bridge = bridge
    let object = bridge.object
    domain = try object.invoke(.signedDomain) { try BridgeImport.adopt($0, 0, kind: .domain) as! any Geometry }
    features = try object.invoke(.signedFeatures) { try BridgeImport.adoptFeatures($0, 0) }
    labels = try object.invoke(.signedLabels) { f in
      let n = f.int(1)
      guard n > 0, let p = f.pointer(0) else { return [] }
      return Array(UnsafeBufferPointer(start: p, count: n))
    }
    let lossName: String = try BridgeImport.value(d, "loss")
    switch lossName {
    case "square": loss = SquareLoss()
    case "logistic": loss = LogisticLoss()
    default: throw PluginFailure("a signed objective's loss '\(lossName)' cannot cross the plugin boundary (square or logistic)")
    }
    lambda = try BridgeImport.value(d, "lambda")
    observableNames = (try? BridgeImport.value(d, "observables", as: [String].self)) ?? []
  }

  func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] {
    guard !observableNames.isEmpty else { return [] }
    var out = [Double](repeating: .nan, count: observableNames.count)
    try r.withUnsafeBufferPointer { rp in
      try w.coordinates.withUnsafeBufferPointer { wp in
        try out.withUnsafeMutableBufferPointer { o in
          try bridge.object.invoke(.signedObserve, set: { f in
            f.setPointer(0, rp.baseAddress); f.setPointer(1, wp.baseAddress); f.setInt(2, w.count); f.setInt(3, w.dimension)
            f.setInt(4, parallel.threads); f.setPointer(5, o.baseAddress)
          }, get: { _ in () })
        }
      }
    }
    return out
  }
}

extension BridgeExport {
  static func signed(_ s: any SignedObjective) throws -> BridgeObject {
    guard s.loss is SquareLoss || s.loss is LogisticLoss else {
      throw PluginFailure("a signed objective's loss (\(s.loss.name)) cannot cross the plugin boundary: use the square or logistic loss")
    }
    let labels = s.labels
    return make(s, describe: {
      ["kind": "signed", "loss": .string(s.loss.name), "lambda": .real(s.lambda), "observables": .array(s.observableNames.map(ConfigValue.string))]
    }) { method, f in
      switch method {
      case .signedDomain: f.setObject(0, geometry(s.domain))
      case .signedFeatures: f.setObject(0, features(s.features))
      case .signedLabels:
        labels.withUnsafeBufferPointer { f.setPointer(0, $0.baseAddress) }
        f.setInt(1, labels.count)
      case .signedObserve:
        let m = f.int(2), D = f.int(3)
        let r = Array(UnsafeBufferPointer(start: f.pointer(0), count: m))
        let w = ParticleCloud(count: m, dimension: D, coordinates: m * D == 0 ? [] : Array(UnsafeBufferPointer(start: f.pointer(1), count: m * D)))
        let observed = try s.observe(weights: r, positions: w, parallel: Parallel(threads: max(1, f.int(4))))
        if let out = f.pointer(5) { for (k, v) in observed.enumerated() { out[k] = v } }
      default: throw PluginFailure("a signed objective has no method \(method)")
      }
    }
  }
}
