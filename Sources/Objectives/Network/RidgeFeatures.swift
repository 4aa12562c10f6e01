import LinearAlgebra
import SolverAPI

/// The features of a two-layer network (docs/math.md §2): Φ(w)_k = σ(⟨w, x̃_k⟩) with x̃_k = (x_k, 1) when a
/// bias is appended, and ∇_w Φ(w)_k = σ'(⟨w, x̃_k⟩) x̃_k, so the pullback is one product:
/// g = diag(c) σ'(Z) (diag(u) X̃), Z = W X̃ᵀ. For relu, tanh and sigmoid σ'(Z) is read off the features
/// σ(Z) as the product packs them (`Activation.slopeFromValue`), and there is no Jacobian data; for
/// other activations the Jacobian data is the m × n matrix σ'(Z).
public final class RidgeFeatures: FeatureMap {
  public let activation: Activation
  /// n × D inputs (D = d + 1 with the bias).
  public let inputs: [Double]
  /// X̃ᵀ (D × n), the product's B in rows it packs contiguously.
  private let inputsTransposed: [Double]
  /// X̃ᵀ packed once for the product, when it is one panel (n ≤ 4096).
  private let packedInputs: Dense.Panel?
  public let dimension: Int
  public let sampleCount: Int
  public var jacobianWidth: Int { activation.slopeFromValue == nil ? 1 : 0 }

  public convenience init(inputs x: [Double], dimension d: Int, bias: Bool, activation: Activation) {
    let n = x.count / d
    let D = bias ? d + 1 : d
    var xt = [Double](repeating: 1, count: n * D)
    for k in 0..<n { for c in 0..<d { xt[k * D + c] = x[k * d + c] } }
    self.init(expandedInputs: xt, dimension: D, activation: activation)
  }

  private init(expandedInputs: [Double], dimension D: Int, activation: Activation) {
    let n = expandedInputs.count / D
    var transposed = [Double](repeating: 0, count: n * D)
    for k in 0..<n { for j in 0..<D { transposed[j * n + k] = expandedInputs[k * D + j] } }
    self.inputs = expandedInputs
    self.inputsTransposed = transposed
    packedInputs = Dense.Panel(transposed, bRow: n, bColumn: 1, k: D, n: n)
    self.dimension = D
    self.sampleCount = n
    self.activation = activation
  }

  /// The rows `samples` of X̃, without evaluating the others.
  public func subset(_ samples: [Int]) -> any FeatureMap {
    let D = dimension
    var rows = [Double](repeating: 0, count: samples.count * D)
    for (c, k) in samples.enumerated() { for j in 0..<D { rows[c * D + j] = inputs[k * D + j] } }
    return RidgeFeatures(expandedInputs: rows, dimension: D, activation: activation)
  }

  public var isPositivelyHomogeneous: Bool { if case .relu = activation { true } else { false } }

  public func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, parallel: Parallel) {
    evaluate(w, features: features, jacobian: jacobian, sums: nil, parallel: parallel)
  }

  /// The features, and f = α Σ_i c_i Φ(w_i) added up tile by tile as the product finishes them (in cache):
  /// each chunk of rows sums its rows in row order, the chunks' sums are added in chunk order — chunks
  /// that depend on m only, so the same bits on any thread count, and the bits of the default's separate
  /// pass (`Dense.weightedRowSum`).
  public func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?,
                       summing c: UnsafePointer<Double>, alpha: Double, into f: UnsafeMutablePointer<Double>, parallel: Parallel) {
    Dense.sumOverRowChunks(m: w.count, n: sampleCount, alpha: alpha, into: f, parallel: parallel) { grain, partial in
      precondition(grain == Dense.rowChunk(w.count), "the product's chunks are the sums' chunks")
      evaluate(w, features: features, jacobian: jacobian, sums: (c, partial), parallel: parallel)
    }
  }

  private func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?,
                        sums: (weights: UnsafePointer<Double>, partial: UnsafeMutablePointer<Double>)?, parallel: Parallel) {
    let m = w.count, n = sampleCount, D = dimension, s = activation
    let jacobian = jacobianWidth == 0 ? nil : jacobian
    // Z = W X̃ᵀ a block of rows at a time (one parallel region; the rows the matrix–vector products
    // of the inner solve give the same thread), straight into the feature buffer, and σ (and σ') in
    // place on each tile of the product as it is finished, while it is in cache — relu without
    // Jacobian data in the product's own stores — and the tile's rows added to the chunk's sums.
    // (The product's bits do not depend on how its rows are split.)
    let fusedRelu = if case .relu = s { jacobian == nil } else { false }
    let grain = Dense.rowChunk(m)
    w.coordinates.withUnsafeBufferPointer { wp in
      inputsTransposed.withUnsafeBufferPointer { xp in
        parallel.forEachChunk(m, grain: grain) { chunk in
          let start = chunk.lowerBound * n
          let sum = sums.map { $0.partial + chunk.lowerBound / grain * n }  // the chunks of `Dense.sumOverRowChunks`
          Dense.product(m: chunk.count, n: n, k: D, wp.baseAddress! + chunk.lowerBound * D, aRow: D, aColumn: 1, xp.baseAddress!, bRow: n, bColumn: 1,
                        packed: packedInputs, into: features + start, ldc: n, positivePart: fusedRelu, parallel: .serial) { rows, columns in
            if !fusedRelu {
              for i in rows {
                let at = start + i * n + columns.lowerBound
                s.apply(features + at, derivative: jacobian.map { $0 + at }, count: columns.count)
              }
            }
            if let sums, let sum {
              Dense.addRows(features + start + rows.lowerBound * n + columns.lowerBound, lda: n, rows: rows.count, n: columns.count,
                            weights: sums.weights + chunk.lowerBound + rows.lowerBound, into: sum + columns.lowerBound)
            }
          }
        }
      }
    }
  }

  /// g = diag(c) σ'(Z) (diag(u) X̃): one product of σ'(Z) — the features mapped as they are packed,
  /// or the Jacobian data — with the n × D inputs weighted by u as they are packed, then a row scaling.
  public func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                       scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
    let m = w.count, n = sampleCount, D = dimension
    guard m > 0 else { return }
    inputs.withUnsafeBufferPointer { xp in
      let x = xp.baseAddress!
      if let map = activation.slopeFromValue {
        Dense.multiply(features, map: map, x, bRowScale: u, into: g, m: m, n: D, k: n, parallel: parallel)
      } else {
        guard let jacobian else { preconditionFailure("RidgeFeatures.pullback: \(activation.name) needs the Jacobian data evaluate wrote") }
        Dense.multiply(jacobian, x, bRowScale: u, into: g, m: m, n: D, k: n, parallel: parallel)
      }
    }
    for i in 0..<m {
      let row = g + i * D, ci = c[i]
      for j in 0..<D { row[j] *= ci }
    }
  }
}
