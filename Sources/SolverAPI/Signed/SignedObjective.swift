import LinearAlgebra

/// An objective over signed measures on a domain W (docs/math.md §2):
///     G_λ(ν) = R(∫ Φ dν) + (λ/2) ‖ν‖²_TV.
/// A reduction (lifting, bilevel) turns it into an objective over probability measures.
public protocol SignedObjective: AnyObject {
  /// W.
  var domain: any Geometry { get }
  /// Φ on the training data.
  var features: any FeatureMap { get }
  /// y, one per data point.
  var labels: [Double] { get }
  var loss: any Loss { get }
  /// λ > 0.
  var lambda: Double { get }

  /// Extra quantities for the trace (test risk, alignment, matched spikes), from the signed measure
  /// ν = (1/m) Σ_i r_i δ_{w_i}.
  var observableNames: [String] { get }
  func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double]
}

extension SignedObjective {
  public var observableNames: [String] { [] }
  public func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] { [] }
}
