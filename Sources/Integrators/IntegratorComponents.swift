import SolverAPI

/// The integrators and schedules this module provides, for the registry.
public enum IntegratorComponents {
  public static let all: [Component] = [
    Component(.integrator, "euler-maruyama",
              summary: "Euler–Maruyama: X ← Retr(−η(∇V + τ∇U) + sqrt(2ητ) ξ); τ = 0 is gradient descent",
              parameters: [
                .part("step", .schedule, "step size η (a number, or a schedule)"),
                .part("temperature", .schedule, "temperature τ ≥ 0 (a number, or a schedule); 0 means no noise"),
              ],
              notes: "Steps count from 0: the schedules are evaluated at t = 0, 1, …, steps − 1.") { args in
      EulerMaruyama(stepSize: try args.schedule("step", in: .positive),
                    temperature: try args.schedule("temperature", in: .nonNegative))
    },
    Component(.schedule, "constant", summary: "a constant value: τ_t = value",
              parameters: [.real("value", "the value at every step")]) { args in
      ConstantSchedule(args.real("value")) as any Schedule
    },
  ]
}
