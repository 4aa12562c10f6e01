import Foundation
import Testing

/// The random-batch interaction's stationary law against the exact interaction's (docs/math.md §6), with a
/// Gaussian kernel, where no closed form exists: m = 2000 particles confined by V = |x|²/2 and repelled by
/// W(z) = 2 e^{−|z|²/(2·0.5²)}, τ = 0.2, η = 0.02. Batches of p = 8 bias the law by O(η/(p − 1)) — about
/// 0.3% of the spread here, measured at η = 0.05 and scaled — well inside the tolerance.
///
/// Two statistics of the law, each averaged over the stationary part of a run (steps 300–2400, recorded every
/// 10): the spread (1/(md)) Σ|X^i − X̄|² and the interaction energy F_W (in the batch run, its unbiased batch
/// estimate). Their standard errors come from the samples themselves, by 12 batch means (the records are
/// correlated, lag-1 ≈ 0.5, which batch means of 17 records absorb); the runs use different seeds, and
/// the difference must be within 4 combined standard errors. The exact run is O(m²): the test uses the
/// release build that `.ci/run` makes first.
struct RandomBatchLawTests {
  static let release = AllocationTests.release

  func stationaryMeans(batch: Int, seed: Int) throws -> [(mean: Double, standardError: Double)] {
    let dir = try MFLD.temporaryDirectory()
    let config = try MFLD.write("""
      {"seed": \(seed), "domain": {"type": "euclidean", "dimension": 2},
       "objective": {"type": "sum", "terms": [
         {"type": "potential", "V": {"type": "quadratic", "a": 1}},
         {"type": "interaction", "W": {"type": "gaussian", "bandwidth": 0.5, "strength": 2}, "batch": \(batch)}]},
       "integrator": {"type": "euler-maruyama", "step": 0.02, "temperature": 0.2},
       "particles": {"count": 2000, "init": {"type": "gaussian", "std": 1}},
       "steps": 2400, "record": {"every": 10, "observers": ["variance"]}}
      """, to: "law.json", in: dir)
    let r = try Subprocess.run(Self.release.path, ["run", config, "--out", dir.appendingPathComponent("out").path, "--quiet"], in: dir)
    #expect(r.status == 0, "\(r.output)")
    let lines = try String(contentsOf: dir.appendingPathComponent("out/trace.csv"), encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",").map(String.init)
    let rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }.filter { $0[0] >= 300 }
    return try ["variance", "F_interaction"].map { name in
      let column = try #require(header.firstIndex(of: name))
      let samples = rows.map { $0[column] }
      let size = samples.count / 12
      let means = (0..<12).map { b in samples[(b * size)..<((b + 1) * size)].reduce(0, +) / Double(size) }
      let mean = means.reduce(0, +) / 12
      let variance = means.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 11
      return (mean, (variance / 12).squareRoot())
    }
  }

  @Test("with a Gaussian kernel, batches of 8 reach the exact interaction's stationary law at m = 2000 (release build)",
        .enabled(if: FileManager.default.isExecutableFile(atPath: release.path), "needs .build/release/mfld"))
  func gaussianBatchesMatchExact() throws {
    let exact = try stationaryMeans(batch: 0, seed: 3), batched = try stationaryMeans(batch: 8, seed: 4)
    for (name, (e, b)) in zip(["spread", "F_interaction"], zip(exact, batched)) {
      let tolerance = 4 * (e.standardError * e.standardError + b.standardError * b.standardError).squareRoot()
      #expect(abs(e.mean - b.mean) < tolerance, "\(name): exact \(e.mean), batches of 8 \(b.mean), tolerance \(tolerance)")
      // The tolerance is a fraction of a percent: it would see a law off by 1%.
      #expect(tolerance < 0.01 * abs(e.mean), "\(name): tolerance \(tolerance) for \(e.mean)")
    }
  }
}
