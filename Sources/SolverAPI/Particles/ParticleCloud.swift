/// m particles in d ambient coordinates, stored contiguously row by row: particle i occupies
/// `coordinates[i*d ..< (i+1)*d]`. The empirical measure is μ_m = (1/m) Σ_i δ_{X^i} (docs/math.md §1).
///
/// The same layout carries per-particle fields of the same shape (gradients, noise); see
/// `ParticleField`.
public struct ParticleCloud: Sendable, Equatable {
  public let count: Int
  public let dimension: Int
  public var coordinates: [Double]

  public init(count: Int, dimension: Int, coordinates: [Double]) {
    precondition(coordinates.count == count * dimension, "coordinates must hold count × dimension values")
    self.count = count
    self.dimension = dimension
    self.coordinates = coordinates
  }

  public init(count: Int, dimension: Int, repeating value: Double = 0) {
    self.init(count: count, dimension: dimension, coordinates: [Double](repeating: value, count: count * dimension))
  }

  @inlinable public subscript(particle: Int, coordinate: Int) -> Double {
    get { coordinates[particle * dimension + coordinate] }
    set { coordinates[particle * dimension + coordinate] = newValue }
  }

  /// The coordinates of one particle (allocates; for tests and I/O, not hot loops).
  public func particle(_ i: Int) -> [Double] { Array(coordinates[i * dimension ..< (i + 1) * dimension]) }

  /// The first non-finite coordinate, as (particle, coordinate), if any.
  public func firstNonFinite() -> (particle: Int, coordinate: Int)? {
    coordinates.withUnsafeBufferPointer { x in
      for k in 0..<x.count where !x[k].isFinite { return (k / dimension, k % dimension) }
      return nil
    }
  }
}

/// A per-particle field with the cloud's layout (gradients, noise, velocities).
public typealias ParticleField = ParticleCloud
