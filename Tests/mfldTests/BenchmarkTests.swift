import Foundation
import MFLD
@testable import mfld
import Testing

/// The pure parts of `mfld bench`: the NumPy peer's problem files, its answer, the table.
struct BenchmarkTests {
  func temporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-benchmark-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }

  @Test("problem.json names every array file; the arrays round-trip as little-endian float64")
  func problemFiles() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let lift = PeerProblem.Case(name: "lift-2-3-1", reduction: "lift", n: 2, m: 3, D: 2, inputs: [0.5, 1, -0.25, 1], labels: [1, -1],
                                positions: [1, 0, 0, 1, -1, 0], weights: [1, -1, 1], lambda: 1e-3, eta: 0.1, tau: 1e-4, ratio: 2, seconds: 0.5,
                                windows: 5)
    var bilevel = lift
    bilevel.name = "bilevel-2-3-1"
    bilevel.reduction = "bilevel"
    bilevel.weights = nil
    let problem = PeerProblem(cases: [bilevel, lift], matmul: [[4, 5, 6]], gram: [[8, 9]], cholesky: [7], kernelSeconds: 0.25)
    try problem.write(to: dir)

    let json = try JSONParser.parse(String(contentsOfFile: dir + "/problem.json", encoding: .utf8))
    guard case .object(let o) = json, case .array(let cases)? = o["cases"], cases.count == 2,
          case .object(let b) = cases[0], case .object(let l) = cases[1] else { Issue.record("bad problem.json: \(json)"); return }
    #expect(o["matmul"] == [[4, 5, 6]])
    #expect(o["gram"] == [[8, 9]])
    #expect(o["cholesky"] == [7])
    #expect(o["matmul_seconds"] == 0.25)
    #expect(b["reduction"] == "bilevel" && b["X"] == "bilevel-2-3-1.X.bin" && b["r"] == nil)
    #expect(l["n"] == 2 && l["m"] == 3 && l["D"] == 2)
    #expect(l["lambda"] == 1e-3 && l["eta"] == 0.1 && l["tau"] == 1e-4 && l["ratio"] == 2.0 && l["seconds"] == 0.5
            && l["windows"] == 5)
    #expect(l["r"] == "lift-2-3-1.r.bin" && l["W"] == "lift-2-3-1.W.bin" && l["y"] == "lift-2-3-1.y.bin")

    #expect(try PeerProblem.readDoubles(dir + "/lift-2-3-1.X.bin") == [0.5, 1, -0.25, 1])
    #expect(try PeerProblem.readDoubles(dir + "/lift-2-3-1.W.bin") == [1, 0, 0, 1, -1, 0])
    #expect(try PeerProblem.readDoubles(dir + "/lift-2-3-1.r.bin") == [1, -1, 1])
    let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/lift-2-3-1.y.bin"))
    #expect(Array(raw) == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0xF0, 0xBF], "1.0 and −1.0, little-endian")
  }

  @Test("result.json: steps/s per case, GFLOP/s per product shape, per Gram shape and per Cholesky order")
  func resultParsing() throws {
    let text = """
    {"numpy": "2.0.0", "cases": [{"name": "bilevel-2-3-1", "objective": 0.5, "steps_per_second": 12.5}],
     "matmul": [{"shape": [4, 5, 6], "gflops": 40.0}], "gram": [{"shape": [8, 9], "gflops": 50.0}],
     "cholesky": [{"n": 7, "gflops": 3.5}]}
    """
    let r = try PeerResult(json: try JSONParser.parse(text))
    #expect(r.numpyVersion == "2.0.0")
    #expect(r.cases["bilevel-2-3-1"]?.stepsPerSecond == 12.5 && r.cases["bilevel-2-3-1"]?.objective == 0.5)
    #expect(r.matmul[[4, 5, 6]] == 40)
    #expect(r.gram[[8, 9]] == 50)
    #expect(r.cholesky[7] == 3.5)
    #expect(throws: PeerError.self) { try PeerResult(json: try JSONParser.parse(#"{"cases": [{"name": "x"}]}"#)) }
  }

  @Test("the table pastes into Markdown: five columns, '|' escaped, tiny values in scientific form, no figure as —")
  func table() {
    let t = Benchmark.table([
      Benchmark.Row(suite: "peers", name: "max |Δ|", value: 2.2e-16, unit: "", note: "agrees"),
      Benchmark.Row(suite: "steps", name: "a", value: 1234.5, unit: "steps/s", note: ""),
      Benchmark.Row(suite: "peers", name: "NumPy", value: .nan, unit: "", note: "skipped"),
    ])
    let lines = t.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 5)
    #expect(lines[2] == #"| peers | max \|Δ\| | 2.2e-16 |  | agrees |"#)
    #expect(lines[3] == "| steps | a | 1234 | steps/s |  |")
    #expect(lines[4] == "| peers | NumPy | — |  | skipped |")
    let json = Benchmark.json([Benchmark.Row(suite: "s", name: "n", value: .nan, unit: "", note: "", failed: true)])
    #expect(json.contains("\"value\": null") && json.contains("\"failed\": true"))
  }

  @Test("a target not met is a warning, not a failure: only a failed row (peer mismatch or error) exits 3")
  func outcome() {
    let met = Benchmark.Row(suite: "peers", name: "ratio a", value: 6, unit: "× NumPy", note: "target ≥ 5×: met")
    let unmet = Benchmark.Row(suite: "peers", name: "ratio b", value: 1, unit: "× NumPy", note: "target ≥ 5×: NOT MET")
    let mismatch = Benchmark.Row(suite: "peers", name: "step b", value: 1, unit: "", note: "MISMATCH: more than 1e-9 apart", failed: true)
    let clean = Benchmark.outcome([met])
    #expect(clean.status == 0 && clean.warning == nil && clean.error == nil)
    let slow = Benchmark.outcome([met, unmet])
    #expect(slow.status == 0 && slow.error == nil)
    #expect(slow.warning == "1 performance target not met (not a failure): ratio b")
    let wrong = Benchmark.outcome([met, unmet, mismatch])
    #expect(wrong.status == 3 && wrong.warning != nil)
    #expect(wrong.error == "1 check failed (see the table): step b")
    #expect(Benchmark.unmetTargets([met, unmet, mismatch]).map(\.name) == ["ratio b"])
  }
}
