import LinearAlgebra
import SolverAPI

/// Growable scratch storage that keeps its capacity across steps (no allocation once warm).
struct Scratch {
  private(set) var storage: [Double] = []
  mutating func resize(_ count: Int) { if storage.count != count { storage = [Double](repeating: 0, count: count) } }
  mutating func withPointer<R>(_ body: (UnsafeMutablePointer<Double>) throws -> R) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
  }
  /// The storage, or nil when it is empty (Jacobian data of a feature map that needs none).
  mutating func withPointerIfAny<R>(_ body: (UnsafeMutablePointer<Double>?) throws -> R) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer { try body($0.isEmpty ? nil : $0.baseAddress) }
  }
}
