import SolverAPI

/// The integrators, schedules, metrics, domains and reference measures this module provides, for the registry.
public enum IntegratorComponents {
  public static let all: [Component] = integrators + schedules + MetricComponents.all + GeometryComponents.all

  /// Step size and temperature: every integrator takes them, as schedules (a number is a constant).
  static let dynamics: [Parameter] = [
    .part("step", .schedule, "step size η (a number, or a schedule)"),
    .part("temperature", .schedule, "temperature τ ≥ 0 (a number, or a schedule); 0 means no noise"),
  ]

  static func stepAndTemperature(_ args: Arguments) throws -> (any Schedule, any Schedule) {
    (try args.schedule("step", in: .positive), try args.schedule("temperature", in: .nonNegative))
  }

  static let countNote = "Steps count from 0: the schedules are evaluated at t = 0, 1, …, steps − 1, and the trace records the values in force."

  static let integrators: [Component] = [
    Component(.integrator, "euler-maruyama",
              summary: "Euler–Maruyama: X ← Retr(−η(∇V + τ∇U) + sqrt(2ητ) ξ); τ = 0 is gradient descent",
              parameters: dynamics, notes: countNote) { args in
      let (eta, tau) = try stepAndTemperature(args)
      return EulerMaruyama(stepSize: eta, temperature: tau) as any Integrator
    },
    Component(.integrator, "sgd",
              summary: "SGD-MFLD: Euler–Maruyama with ∇V on a minibatch of the data, without replacement per epoch",
              parameters: dynamics + [.integer("batch_size", in: 1...Int.max, "samples per minibatch (≥ n: the full batch, exactly Euler–Maruyama)")],
              notes: countNote + " Needs an objective with data (a signed objective through a reduction). The trace's objective is evaluated on the full data.",
              example: ["type": "sgd", "step": 0.1, "temperature": 1e-4, "batch_size": 32]) { args in
      let (eta, tau) = try stepAndTemperature(args)
      return EulerMaruyama(stepSize: eta, temperature: tau,
                           estimator: MinibatchGradient(batchSize: args.integer("batch_size"), random: args.random)) as any Integrator
    },
    Component(.integrator, "svrg",
              summary: "SVRG-MFLD: v = ∇V_B(X) − ∇V_B(X̃) + ∇V(X̃), with an anchor X̃ renewed every T steps",
              parameters: dynamics + [
                .integer("batch_size", in: 1...Int.max, "samples per minibatch"),
                .integer("anchor_period", default: 10, in: 1...Int.max, "T, steps between anchors (the full gradient is taken there)"),
              ],
              notes: countNote + " Needs an objective with data. Batches are drawn as for sgd.",
              example: ["type": "svrg", "step": 0.1, "temperature": 1e-4, "batch_size": 32, "anchor_period": 10]) { args in
      let (eta, tau) = try stepAndTemperature(args)
      return EulerMaruyama(stepSize: eta, temperature: tau,
                           estimator: VarianceReducedGradient(batchSize: args.integer("batch_size"), anchorPeriod: args.integer("anchor_period"),
                                                              random: args.random)) as any Integrator
    },
    Component(.integrator, "dual-averaging",
              summary: "particle dual averaging: Langevin on ḡ_k = Σ_j j V_{μ_j} / Σ_j j, outer iterates every inner_steps steps",
              parameters: dynamics + [
                .integer("inner_steps", default: 100, in: 1...Int.max, "Langevin steps per outer step (warm-started)"),
                .integer("window", default: 1000, in: 1...1_000_000,
                         "outer iterates kept (the last ones, with their weights j): memory is window copies of the cloud at most"),
              ],
              notes: countNote + " Keeps one snapshot of the particles per outer step, the last `window` of them.") { args in
      let (eta, tau) = try stepAndTemperature(args)
      return EulerMaruyama(stepSize: eta, temperature: tau,
                           estimator: DualAveragedGradient(innerSteps: args.integer("inner_steps"), window: args.integer("window"))) as any Integrator
    },
    Component(.integrator, "best-response",
              summary: "entropic best response: μ ← (1 − α)μ + αΨ(μ), Ψ(μ) ∝ exp(−V_μ/τ)ρ by an inner Langevin chain",
              parameters: dynamics + [
                .integer("inner_steps", default: 100, in: 1...1_000_000, "steps of the inner chain per outer step"),
                .real("fraction", default: 0.5, in: .positiveUnit, "α, the fraction of particles resampled per outer step"),
              ],
              notes: countNote + " The particles change only at the end of each outer step.") { args in
      let (eta, tau) = try stepAndTemperature(args)
      return BestResponse(stepSize: eta, temperature: tau, innerSteps: args.integer("inner_steps"),
                          fraction: args.real("fraction"), random: args.random) as any Integrator
    },
  ]

  /// Every schedule may end with a noiseless fraction of the run.
  static let tail = Parameter.real("noiseless_fraction", default: 0, in: Interval(lower: 0, included: true, upper: 1, included: false),
                                   "the last fraction of the steps runs at 0 (for a temperature: noise off)")

  static func withTail(_ args: Arguments, _ base: any Schedule) throws -> any Schedule {
    let f = args.real("noiseless_fraction")
    guard f > 0 else { return base }
    guard let steps = args.context.totalSteps else {
      throw args.error("noiseless_fraction", "needs the run's number of steps, which is not known here", fix: "set it to 0")
    }
    return NoiselessTail(base: base, zeroFrom: Int((Double(steps) * (1 - f)).rounded(.up)))
  }

  static let schedules: [Component] = [
    Component(.schedule, "constant", summary: "τ_t = value",
              parameters: [.real("value", "the value at every step"), tail], notes: countNote) { args in
      try withTail(args, ConstantSchedule(args.real("value")))
    },
    Component(.schedule, "logarithmic", summary: "τ_t = τ₀ / log(e + t) (Chizat 2022)",
              parameters: [.real("initial", in: .nonNegative, "τ₀"), tail], notes: countNote) { args in
      try withTail(args, LogarithmicSchedule(initial: args.real("initial")))
    },
    Component(.schedule, "inverse", summary: "τ_t = τ₀ / (1 + t)",
              parameters: [.real("initial", in: .nonNegative, "τ₀"), tail], notes: countNote) { args in
      try withTail(args, InverseSchedule(initial: args.real("initial")))
    },
    Component(.schedule, "geometric-stages", summary: "τ_t = τ₀ γ^⌊t/S⌋: stages of S steps, warm-started (Suzuki et al. 2023)",
              parameters: [
                .real("initial", in: .nonNegative, "τ₀, the first stage's value"),
                .real("factor", default: 0.5, in: .positive, "γ, the ratio between consecutive stages"),
                .integer("steps_per_stage", in: 1...Int.max, "S, steps in each stage"),
                tail,
              ], notes: countNote,
              example: ["type": "geometric-stages", "initial": 0.01, "factor": 0.5, "steps_per_stage": 500, "noiseless_fraction": 0.2]) { args in
      try withTail(args, GeometricStagesSchedule(initial: args.real("initial"), factor: args.real("factor"),
                                                 stepsPerStage: args.integer("steps_per_stage")))
    },
  ]
}
