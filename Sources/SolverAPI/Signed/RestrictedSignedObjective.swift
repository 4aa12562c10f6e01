/// A signed objective with its data term restricted to some samples: R_B = (1/|B|) Σ_{k∈B} ℓ_k.
public final class RestrictedSignedObjective: SignedObjective {
  public let base: any SignedObjective
  public let features: any FeatureMap
  public let labels: [Double]
  public init(base: any SignedObjective, samples: [Int]) {
    self.base = base
    self.features = base.features.subset(samples)
    self.labels = samples.map { base.labels[$0] }
  }
  public var domain: any Geometry { base.domain }
  public var loss: any Loss { base.loss }
  public var lambda: Double { base.lambda }
}
