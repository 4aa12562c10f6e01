import Foundation
import MFLD

/// What the NumPy reference answered (result.json).
public struct PeerResult: Sendable {
  public var numpyVersion: String
  /// Per case name: J at the initial particles and NumPy's steps/s.
  public var cases: [String: (objective: Double, stepsPerSecond: Double)]
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
      guard case .string(let name)? = c["name"], let rate = number(c["steps_per_second"]) else { throw PeerError("a case in result.json lacks name or steps_per_second") }
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
