import Foundation
import MFLD

extension Benchmark {
  /// The floating-point work of one step of a network case, from its shapes (docs/math.md §2), counted as
  /// the dense products that dominate it (2 flops per multiply–add):
  ///   features W X̃ᵀ and the pullback: 2 · 2mnD; predictions f = Φᵀr/m and the first variation Φ∇R: 2 · 2mn;
  ///   bilevel adds its inner solve: 2s² per CG iteration on the s × s system (s = min(m, n)) and, per
  ///   factorization, the Gram product 2s²·max(m, n) and Cholesky s³/3 (amortized over the timed steps).
  /// Element-wise work (the activation, the noise, the retraction) is left out: a lower bound.
  static func flopsPerStep(n: Int, m: Int, d: Int, stepper: Stepper, steps: Int) -> Double {
    let (nn, mm, D) = (Double(n), Double(m), Double(d + 1))
    var flops = 4 * mm * nn * D + 4 * mm * nn
    if stepper.bilevel != nil {
      let s = min(mm, nn), iterations = stepper.innerIterations
      let meanIterations = iterations.isEmpty ? 0 : Double(iterations.reduce(0, +)) / Double(iterations.count)
      let factorizations = Double(stepper.innerFactorizations) / Double(max(steps, 1))
      flops += meanIterations * 2 * s * s + factorizations * (2 * s * s * max(mm, nn) + s * s * s / 3)
    }
    return flops
  }

  /// The machine's dense product rate on 2 threads, measured now (the feature product W X̃ᵀ at the largest
  /// network shape): the roof the network steps are held against.
  static func productRate(_ options: Options) -> (gflops: Double, name: String)? {
    guard let k = kernels(quick: options.quick).last(where: { $0.name.hasPrefix("features W X̃ᵀ") }) else { return nil }
    options.progress("steps: the machine's product rate, \(k.name), 2 threads")
    let (s, _) = medianSeconds(options.budget, prepare: k.prepare) { k.call(Parallel(threads: 2)) }
    return (k.flops / s / 1e9, k.name)
  }

  /// "≈ 1.23 GFLOP/step, 45.6 GFLOP/s = 78% of the product rate (58.4 GFLOP/s, features W X̃ᵀ …, this run)".
  static func rooflineNote(flops: Double, stepsPerSecond: Double, roof: (gflops: Double, name: String)?) -> String {
    let achieved = flops * stepsPerSecond / 1e9
    var note = String(format: "≈ %.3g GFLOP/step, %.3g GFLOP/s", flops / 1e9, achieved)
    if let roof { note += String(format: " = %.0f%% of the machine's product rate (%.3g GFLOP/s, measured in this run)", 100 * achieved / roof.gflops, roof.gflops) }
    return note
  }
}
