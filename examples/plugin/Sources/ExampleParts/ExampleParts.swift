import MFLD

/// Every part this package provides — one of every kind, declared exactly as built-in parts are.
public enum ExampleParts {
  public static let all: [Component] = StudentT.all + [
    KineticLangevin.component,      // integrator (with state: velocities)
    PreconditionedMetric.component, // metric
    CosineSchedule.component,       // schedule
    Box.component,                  // domain
    LaplaceReference.component,     // reference
    RingCloud.component,            // cloud
    TwoMoons.component,             // dataset
    PairwiseDistance.component,     // observer
    RBFNetwork.component,           // objective over signed measures, with its feature map
    GaussianLift.component,         // reduction
  ] + BoundaryCopies.all
}
