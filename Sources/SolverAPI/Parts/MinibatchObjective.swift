/// An objective whose data term is an average over n data points, R = (1/n) Σ_k ℓ_k, so that a
/// minibatch B estimates it without bias: R_B = (1/|B|) Σ_{k∈B} ℓ_k (docs/math.md §3, SGD-MFLD).
/// Stochastic-gradient integrators need one; they are refused for objectives without data.
public protocol MinibatchObjective: Objective {
  /// n.
  var sampleCount: Int { get }
  /// Restricts the data term to the samples `batch` until called again; nil restores the full data.
  /// Observables always use the full data.
  func setBatch(_ batch: [Int]?)
}
