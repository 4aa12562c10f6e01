import Foundation
import MFLD

/// The box [low, high]^d with reflecting faces, a new domain: a step that leaves the box is folded back in
/// (x ↦ low + |((x − low) mod 2L) − L| mirrored, L = high − low), which is Langevin dynamics with reflection
/// at the faces. Uniform sampling, distances and differences are Euclidean. The uniform law on the box is
/// invariant for the reflected Gaussian walk, so with V = 0 any cloud spreads to it (what the tests check).
public struct Box: Geometry {
  public let dimension: Int
  public let low: Double
  public let high: Double

  public init(dimension: Int, low: Double, high: Double) {
    self.dimension = dimension
    self.low = low
    self.high = high
  }

  public var name: String { "[\(low), \(high)]^\(dimension)" }
  public var isCompact: Bool { true }

  public func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) {}

  public func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) {
    for k in 0..<dimension { x[k] += v[k] }
    _ = canonicalize(x)
  }

  /// Folds every coordinate into [low, high]; false when one is not finite.
  public func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool {
    let width = high - low
    for k in 0..<dimension {
      guard x[k].isFinite else { return false }
      var y = (x[k] - low).truncatingRemainder(dividingBy: 2 * width)
      if y < 0 { y += 2 * width }
      x[k] = low + (y > width ? 2 * width - y : y)
    }
    return true
  }

  public func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) {
    for k in 0..<dimension { x[k] = low + (high - low) * random.uniform() }
  }

  public func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
    var s = 0.0
    for k in 0..<dimension { s += (a[k] - b[k]) * (a[k] - b[k]) }
    return s.squareRoot()
  }

  public func difference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>) {
    for k in 0..<dimension { z[k] = a[k] - b[k] }
  }

  public static let component = Component(
    .domain, "box",
    summary: "the box [low, high]^d with reflecting faces",
    parameters: [
      .integer("dimension", in: 1...100_000, "d"),
      .real("low", default: 0, "the lower face"),
      .real("high", default: 1, "the upper face (> low)"),
    ],
    example: ["type": "box", "dimension": 2, "low": 0, "high": 1]
  ) { args in
    guard args.real("high") > args.real("low") else {
      throw args.error("high", "must be above low (\(args.real("low"))), found \(args.real("high"))", fix: "swap them")
    }
    return Box(dimension: args.integer("dimension"), low: args.real("low"), high: args.real("high")) as any Geometry
  }
}
