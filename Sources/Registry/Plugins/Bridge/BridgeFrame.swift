import Foundation
import SolverAPI

/// The 32 pointer-sized slots of one call across the plugin boundary. Integers and doubles are stored by
/// bit pattern, pointers and C strings as addresses, an object in two consecutive slots (handle, vtable).
/// Slot 30 carries a text result (JSON, owned by the callee), slot 31 the error of a failed call.
struct BridgeFrame {
  static let size = 32
  static let textSlot = 30
  static let errorSlot = 31
  let slots: UnsafeMutablePointer<Int>

  init(_ slots: UnsafeMutablePointer<Int>) { self.slots = slots }

  func clear() { slots.initialize(repeating: 0, count: Self.size) }

  func int(_ i: Int) -> Int { slots[i] }
  func setInt(_ i: Int, _ v: Int) { slots[i] = v }
  func double(_ i: Int) -> Double { Double(bitPattern: UInt64(bitPattern: Int64(slots[i]))) }
  func setDouble(_ i: Int, _ v: Double) { slots[i] = Int(Int64(bitPattern: v.bitPattern)) }

  func rawPointer(_ i: Int) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: slots[i]) }
  func pointer(_ i: Int) -> UnsafeMutablePointer<Double>? { rawPointer(i)?.assumingMemoryBound(to: Double.self) }
  func setPointer(_ i: Int, _ p: UnsafeRawPointer?) { slots[i] = Int(bitPattern: p) }

  func text(_ i: Int) -> String? { rawPointer(i).map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } }
  /// A string the caller reads and frees with `free_buffer` (the callee allocates it).
  func setOwnedText(_ i: Int, _ s: String) { slots[i] = Int(bitPattern: UnsafeRawPointer(strdup(s))) }

  func object(_ i: Int) -> BridgeObject? {
    guard let h = rawPointer(i), let v = rawPointer(i + 1) else { return nil }
    return BridgeObject(handle: h, vtable: UnsafeRawPointer(v))
  }
  func setObject(_ i: Int, _ o: BridgeObject?) {
    slots[i] = Int(bitPattern: UnsafeRawPointer(o?.handle))
    slots[i + 1] = Int(bitPattern: o?.vtable)
  }

  /// A buffer of `count` doubles at slot i (nil when the slot is empty).
  func buffer(_ i: Int, count: Int) -> UnsafeMutableBufferPointer<Double>? {
    pointer(i).map { UnsafeMutableBufferPointer(start: $0, count: count) }
  }

  /// A cloud read from slots (pointer, count, dimension) into `target`, reallocated only when the shape
  /// changes: how a callee presents the caller's buffer to Swift code without allocating every call.
  func load(into target: inout ParticleCloud, _ p: Int, _ countSlot: Int, _ dimensionSlot: Int) {
    let m = int(countSlot), d = int(dimensionSlot)
    if target.count != m || target.dimension != d { target = ParticleCloud(count: m, dimension: d) }
    guard let x = pointer(p), m * d > 0 else { return }
    target.coordinates.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: x, count: m * d) }
  }

  /// Writes a cloud's coordinates back to the caller's buffer at slot p.
  func store(_ cloud: ParticleCloud, _ p: Int) {
    guard let x = pointer(p) else { return }
    cloud.coordinates.withUnsafeBufferPointer { x.update(from: $0.baseAddress!, count: $0.count) }
  }
}

/// The methods an object answers, by kind. The slots each uses are documented at its call sites
/// (`Bridged…` proxies) and in docs/plugins.md.
enum BridgeMethod: Int32 {
  case describe = 0, checkpoint = 1, restore = 2
  case scheduleValue = 10
  case fieldEvaluate = 20, fieldEvaluateBatch
  case geometryProject = 30, geometryRetract, geometryCanonicalize, geometrySample, geometryDistance, geometryDifference,
       geometryProjectAndRetract
  case referencePotential = 40
  case cloudMake = 50
  case datasetArray = 60
  case observerObserve = 70
  case objectiveEvaluate = 80, objectiveFirstVariation, objectiveObserve, objectiveSetBatch, objectiveSignedMeasure
  case signedDomain = 90, signedFeatures, signedLabels, signedObserve
  case featuresEvaluate = 100, featuresPullback, featuresSubset
  case reductionDomain = 110, reductionReduce, reductionInitialParticles
  case metricGeometry = 120, metricReference, metricMove
  case integratorTemperature = 130, integratorStepSize, integratorIncompatibility, integratorStep
  case builderBuild = 140
}
