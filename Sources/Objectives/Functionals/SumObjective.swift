import LinearAlgebra
import SolverAPI

/// F = Σ_k F_k, so δF/δμ = Σ_k δF_k/δμ. Records each term's value as `F_<name>`. Randomized terms
/// (random batches) get each step's draw through it.
public final class SumObjective: StepRandomizedObjective {
  public let terms: [any Objective]
  public let termNames: [String]
  private var scratch: [Double] = [], scratchValues: [Double] = [], termValues: [Double] = [], termGradients: [Double] = []

  /// `names` label the terms in the trace (made unique by suffixes when repeated).
  public init(terms: [any Objective], names: [String]) {
    precondition(!terms.isEmpty && terms.count == names.count)
    self.terms = terms
    var seen: [String: Int] = [:]
    self.termNames = names.map { name in
      let n = seen[name, default: 0]
      seen[name] = n + 1
      return n == 0 ? name : "\(name)\(n + 1)"
    }
  }

  public var dimension: Int { terms[0].dimension }

  public var isRandomized: Bool { terms.contains { ($0 as? any StepRandomizedObjective)?.isRandomized == true } }
  public func randomize(step: Int?) { for case let term as any StepRandomizedObjective in terms { term.randomize(step: step) } }

  public var observableNames: [String] {
    termNames.map { "F_\($0)" } + terms.flatMap(\.observableNames)
  }

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                       parallel: Parallel) throws -> Double {
    if gradient == nil && values == nil {
      return try terms.reduce(0) { try $0 + $1.evaluate(cloud, gradient: nil, parallel: parallel) }
    }
    // Potentials add into the buffers in place (no scratch); a sum of a potential and one other term lets the
    // other write first — a + b = b + a in floating point, so the numbers are those of the order given.
    let first = terms.count == 2 && terms[0] is PotentialEnergy && !(terms[1] is PotentialEnergy) ? 1 : 0
    var total = try terms[first].evaluate(cloud, gradient: gradient, values: values, parallel: parallel)
    for (k, term) in terms.enumerated() where k != first {
      if let potential = term as? PotentialEnergy {
        total += potential.evaluate(cloud, adding: gradient, adding: values, parallel: parallel)
        continue
      }
      if let gradient, scratch.count != gradient.count { scratch = [Double](repeating: 0, count: gradient.count) }
      if let values, scratchValues.count != values.count { scratchValues = [Double](repeating: 0, count: values.count) }
      total += try scratch.withUnsafeMutableBufferPointer { s -> Double in
        try scratchValues.withUnsafeMutableBufferPointer { sv -> Double in
          let f = try term.evaluate(cloud, gradient: gradient == nil ? nil : s, values: values == nil ? nil : sv, parallel: parallel)
          if let gradient { for k in 0..<s.count { gradient[k] += s[k] } }
          if let values { for i in 0..<sv.count { values[i] += sv[i] } }
          return f
        }
      }
    }
    return total
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    try terms[0].firstVariation(of: cloud, at: points, values: values, gradients: gradients, parallel: parallel)
    let q = points.count
    if termValues.count != q { termValues = [Double](repeating: 0, count: q) }
    if let gradients, termGradients.count != gradients.count { termGradients = [Double](repeating: 0, count: gradients.count) }
    for term in terms.dropFirst() {
      try termValues.withUnsafeMutableBufferPointer { v in
        try termGradients.withUnsafeMutableBufferPointer { g in
          try term.firstVariation(of: cloud, at: points, values: v, gradients: gradients == nil ? nil : g, parallel: parallel)
          for p in 0..<q { values[p] += v[p] }
          if let gradients { for k in 0..<gradients.count { gradients[k] += g[k] } }
        }
      }
    }
  }

  public func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    try terms.map { try $0.evaluate(cloud, gradient: nil, parallel: parallel) }
      + terms.flatMap { try $0.observe(cloud, parallel: parallel) }
  }
}
