import Foundation
import MFLD

/// Kinetic (underdamped) Langevin dynamics on ℝ^d, a new integrator with state of its own — the velocities:
///     v ← (1 − γη) v − η(∇V_μ(X) + τ∇U(X)) + sqrt(2γητ) ξ,      X ← X + η v,
/// with ξ = noise.normals(step, i). As η → 0 it follows dX = v dt, dv = −(∇V + τ∇U) dt − γ v dt + sqrt(2γτ) dB,
/// whose X-marginal at equilibrium is the same Gibbs law as Euler–Maruyama's, reached along smoother paths.
/// For V = (a/2)|x|² the scheme is linear: z = (x, v) ← A z + b ξ, and its exact stationary covariance Σ solves
/// Σ = A Σ Aᵀ + b bᵀ (what the tests check).
///
/// The velocities are `Checkpointable` state, so a stopped run resumes bit for bit. A speed above
/// `max_speed` stops the run with an error (the particles escaped: the step is too large).
public final class KineticLangevin: Integrator, Checkpointable {
  public let stepSize: any Schedule
  public let temperature: any Schedule
  public let friction: Double
  public let maxSpeed: Double
  private var velocity: [Double] = []
  private var gradient: [Double] = []
  private var noise: [Double] = []

  public init(stepSize: any Schedule, temperature: any Schedule, friction: Double, maxSpeed: Double) {
    self.stepSize = stepSize
    self.temperature = temperature
    self.friction = friction
    self.maxSpeed = maxSpeed
  }

  public func incompatibility(with problem: Problem) -> String? {
    problem.metric.geometry is Euclidean ? nil
      : "kinetic-langevin moves particles with velocities on ℝ^d; the domain is \(problem.metric.geometry.name)"
  }

  public func step(_ state: inout SolverState, problem: Problem, noise stream: RandomStream, parallel: Parallel) throws -> Double {
    let m = state.cloud.count, d = state.cloud.dimension, t = state.step
    if velocity.count != m * d { velocity = [Double](repeating: 0, count: m * d) }
    if gradient.count != m * d { gradient = [Double](repeating: 0, count: m * d); noise = gradient }
    let f = try gradient.withUnsafeMutableBufferPointer { g in
      try problem.objective.evaluate(state.cloud, gradient: g, parallel: parallel)
    }
    let eta = stepSize.value(at: t), tau = temperature.value(at: t), gamma = friction
    let damping = 1 - gamma * eta, scale = (2 * gamma * eta * tau).squareRoot()
    let u = problem.metric.reference.potential
    var fastest = 0.0
    state.cloud.coordinates.withUnsafeMutableBufferPointer { xp in
      velocity.withUnsafeMutableBufferPointer { vp in
        gradient.withUnsafeMutableBufferPointer { gp in
          noise.withUnsafeMutableBufferPointer { np in
            let x = xp.baseAddress!, v = vp.baseAddress!, g = gp.baseAddress!, xi = np.baseAddress!
            // Each particle's update reads only its own gradient and noise: the same bits on any thread count.
            parallel.forEachChunk(m, grain: 256) { range in
              withUnsafeTemporaryAllocation(of: Double.self, capacity: (range.count + 1) * (d + 1)) { scratch in
                // ∇U for the whole chunk in one call (one crossing when U comes from across the plugin boundary).
                let du = scratch.baseAddress!, values = du + range.count * d
                u?.evaluate(batch: x + range.lowerBound * d, count: range.count, values: values, gradients: du)
                for i in range {
                  if tau > 0 { stream.normals(step: t, index: i, into: xi + i * d, count: d) }
                  for k in 0..<d {
                    let drift = g[i * d + k] + (u == nil ? 0 : tau * du[(i - range.lowerBound) * d + k])
                    v[i * d + k] = damping * v[i * d + k] - eta * drift + (tau > 0 ? scale * xi[i * d + k] : 0)
                    x[i * d + k] += eta * v[i * d + k]
                  }
                }
              }
            }
            for j in 0..<(m * d) { fastest = max(fastest, abs(v[j])) }
          }
        }
      }
    }
    if fastest > maxSpeed {
      throw Escaped(speed: fastest, limit: maxSpeed)
    }
    state.step += 1
    state.time += eta
    return f
  }

  public func checkpointState() -> [String: [Double]] { ["velocity": velocity] }

  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    guard let v = state["velocity"] else { throw RunError(.io, "the checkpoint has no velocities for kinetic-langevin") }
    velocity = v
  }

  /// Particles faster than the limit: the step is too large for the potential's curvature.
  struct Escaped: Error, CustomStringConvertible {
    var speed: Double, limit: Double
    var description: String {
      "kinetic-langevin: a particle reached speed \(speed), above max_speed \(limit); use a smaller step or a larger friction"
    }
  }

  public static let component = Component(
    .integrator, "kinetic-langevin",
    summary: "underdamped Langevin: v ← (1 − γη)v − η(∇V + τ∇U) + sqrt(2γητ) ξ, X ← X + ηv (velocities are checkpointed)",
    parameters: [
      .part("step", .schedule, "step size η (a number, or a schedule — built by mfld, or by any plugin)"),
      .part("temperature", .schedule, "temperature τ ≥ 0 (a number, or a schedule)"),
      .real("friction", default: 1, in: .positive, "γ, the friction"),
      .real("max_speed", default: 1e6, in: .positive, "a speed above it stops the run (the particles escaped)"),
    ],
    notes: "On ℝ^d. Uses the metric's domain and reference measure, not its move (velocities need their own update).",
    example: ["type": "kinetic-langevin", "step": 0.05, "temperature": 1, "friction": 1]
  ) { args in
    KineticLangevin(stepSize: try args.schedule("step", in: .positive), temperature: try args.schedule("temperature", in: .nonNegative),
                    friction: args.real("friction"), maxSpeed: args.real("max_speed")) as any Integrator
  }
}
