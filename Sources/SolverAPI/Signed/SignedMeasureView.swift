import LinearAlgebra

/// An objective over probability measures that represents a signed measure ν = (1/m) Σ r_i δ_{w_i}:
/// what reductions build, so outputs can report the weights beside the positions.
public protocol SignedMeasureView: AnyObject {
  /// The weights r_i and positions w_i of the signed measure the cloud represents.
  func signedMeasure(of cloud: ParticleCloud, parallel: Parallel) throws -> (weights: [Double], positions: ParticleCloud)
}
