import MFLD

/// Two built-in parts built inside this plugin under new names: the same code, called across the plugin
/// boundary. `mfld bench plugins` runs them beside the built-ins to measure what the boundary costs, and the
/// tests check that they give the built-ins' numbers.
public enum BoundaryCopies {
  /// Euler–Maruyama from the plugin's own copy of the integrators: each step calls the host's objective and
  /// metric back across the boundary.
  public static let eulerMaruyama = Component(
    .integrator, "euler-maruyama-copy",
    summary: "the built-in euler-maruyama, built inside the plugin (to measure the plugin boundary)",
    parameters: [
      .part("step", .schedule, "step size η (a number, or a schedule)"),
      .part("temperature", .schedule, "temperature τ ≥ 0 (a number, or a schedule)"),
    ]
  ) { args in
    EulerMaruyama(stepSize: try args.schedule("step", in: .positive), temperature: try args.schedule("temperature", in: .nonNegative))
      as any Integrator
  }

  /// The two-layer network from the plugin's own copy of the objectives: its features and their pullback
  /// cross the boundary as whole matrices.
  public static let twoLayerNetwork = Component(
    .objective, "two-layer-network-copy",
    summary: "the built-in two-layer-network with relu, built inside the plugin (to measure the plugin boundary)",
    parameters: [
      .part("data", .dataset, "training (and test) data"),
      .real("lambda", default: 1e-3, in: .positive, "λ"),
    ]
  ) { args in
    TwoLayerNetwork(data: try args.part("data", as: Dataset.self), activation: try Activation("relu"), loss: SquareLoss(),
                    lambda: args.real("lambda"), sphere: true, recordsAlignment: false) as any SignedObjective
  }

  public static let all = [eulerMaruyama, twoLayerNetwork]
}
