import Foundation
import MFLD

/// What the NumPy reference answered (result.json).
public struct PeerResult: Sendable {
  public var numpyVersion: String
  /// Per case name: J at the initial particles and NumPy's steps/s (NaN for a trajectory case).
  public var cases: [String: (objective: Double, stepsPerSecond: Double)]
  /// Per trajectory case (`mfld bench accuracy`): [step, seconds, G_λ] rows.
  public var trajectories: [String: [(step: Int, seconds: Double, value: Double)]] = [:]
  /// GFLOP/s per [M, N, K].
  public var matmul: [[Int]: Double]
  /// GFLOP/s (2·M²·K flops) of A @ A.T per [M, K].
  public var gram: [[Int]: Double]
  /// GFLOP/s per Cholesky order n (n³/3 flops).
  public var cholesky: [Int: Double]

  public init(json: ConfigValue) throws {
    guard case .object(let o) = json else { throw PeerError("result.json is not an object") }
    func number(_ v: ConfigValue?) -> Double? { v?.doubleValue }
    func objects(_ key: String) -> [ConfigObject] {
      guard case .array(let a)? = o[key] else { return [] }
      return a.compactMap { if case .object(let e) = $0 { return e } else { return nil } }
    }
    if case .string(let v)? = o["numpy"] { numpyVersion = v } else { numpyVersion = "?" }
    cases = [:]
    for c in objects("cases") {
      guard case .string(let name)? = c["name"] else { throw PeerError("a case in result.json lacks its name") }
      if case .array(let rows)? = c["trajectory"] {
        trajectories[name] = try rows.map { row in
          guard case .array(let v) = row, v.count == 3, let t = v[0].doubleValue, let s = v[1].doubleValue, let g = v[2].doubleValue else {
            throw PeerError("a trajectory row of \(name) in result.json is not [step, seconds, value]")
          }
          return (Int(t), s, g)
        }
        cases[name] = (number(c["objective"]) ?? .nan, .nan)
        continue
      }
      guard let rate = number(c["steps_per_second"]) else { throw PeerError("a case in result.json lacks steps_per_second") }
      cases[name] = (number(c["objective"]) ?? .nan, rate)
    }
    matmul = [:]
    for e in objects("matmul") {
      guard case .array(let s)? = e["shape"], let g = number(e["gflops"]) else { throw PeerError("a matmul entry in result.json lacks shape or gflops") }
      matmul[s.compactMap { $0.doubleValue.map { Int($0) } }] = g
    }
    gram = [:]
    for e in objects("gram") {
      guard case .array(let s)? = e["shape"], let g = number(e["gflops"]) else { throw PeerError("a gram entry in result.json lacks shape or gflops") }
      gram[s.compactMap { $0.doubleValue.map { Int($0) } }] = g
    }
    cholesky = [:]
    for e in objects("cholesky") {
      guard let n = number(e["n"]), let g = number(e["gflops"]) else { throw PeerError("a cholesky entry in result.json lacks n or gflops") }
      cholesky[Int(n)] = g
    }
  }
}
