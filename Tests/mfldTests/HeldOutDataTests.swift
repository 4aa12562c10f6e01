import Foundation
import Testing

/// The research loop on real data: a held-out test file, chosen and standardized columns, accuracy for
/// labels ±1, and `mfld predict` applying a finished run to new rows from its folder alone.
struct HeldOutDataTests {
  /// Labels ±1 from the sign of a + 2b (c is noise the model may ignore); the test file's columns come in
  /// another order, with an extra column, to show that columns are taken by name.
  static let train = "a,b,c,label\n" + (0..<40).map { k -> String in
    let a = Double(k % 7) - 3, b = Double((k * 5) % 11) / 2 - 2.5, c = Double((k * 3) % 5) * 10
    return "\(a),\(b),\(c),\(a + 2 * b > 0 ? 1 : -1)"
  }.joined(separator: "\n") + "\n"
  static let test = "label,extra,c,b,a\n" + (0..<15).map { k -> String in
    let a = Double(k % 5) - 2.2, b = Double((k * 3) % 7) / 2 - 1.4, c = Double(k % 3) * 10
    return "\(a + 2 * b > 0 ? 1 : -1),99,\(c),\(b),\(a)"
  }.joined(separator: "\n") + "\n"

  static func config(data: String, steps: Int = 60) -> String {
    """
    {
      "seed": 2,
      "objective": {"type": "two-layer-network", "data": \(data), "lambda": 0.001},
      "reduction": "bilevel",
      "integrator": {"type": "euler-maruyama", "step": 0.2, "temperature": 1e-5},
      "particles": {"count": 30, "init": "uniform"},
      "steps": \(steps),
      "record": {"every": 20}
    }
    """
  }

  static let data = #"{"type": "csv", "file": "train.csv", "test_file": "test.csv", "target": "label", "features": ["a", "b", "c"], "standardize": true}"#

  func folder() throws -> URL {
    let dir = try MFLD.temporaryDirectory()
    try MFLD.write(Self.train, to: "train.csv", in: dir)
    try MFLD.write(Self.test, to: "test.csv", in: dir)
    return dir
  }

  /// The last row of a run's trace, by column.
  func finalRow(_ run: URL) throws -> [String: Double] {
    let lines = try String(contentsOf: run.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",").map(String.init)
    let last = lines.last!.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan }
    return Dictionary(uniqueKeysWithValues: zip(header, last))
  }

  @Test("a run on a test file records test_risk, accuracy and test_accuracy; predict on the test file reproduces them to 1e-12")
  func predictReproducesTheRecordedTestRisk() throws {
    let dir = try folder()
    let config = try MFLD.write(Self.config(data: Self.data), to: "net.json", in: dir)
    let run = dir.appendingPathComponent("run")
    let r = try MFLD.run(["run", config, "--out", run.path, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let final = try finalRow(run)
    let testRisk = try #require(final["test_risk"]), accuracy = try #require(final["accuracy"]), testAccuracy = try #require(final["test_accuracy"])
    #expect(testRisk > 0 && (0...1).contains(accuracy) && (0...1).contains(testAccuracy))
    let p = try MFLD.run(["predict", run.path, dir.appendingPathComponent("test.csv").path])
    #expect(p.status == 0, "\(p.stderr)")
    // "15 rows: risk = R (square), accuracy = A"
    let risk = try #require(Double(p.stdout.components(separatedBy: "risk = ")[1].prefix { $0 != " " }))
    #expect(abs(risk - testRisk) <= 1e-12 * max(1, abs(testRisk)), "predict \(risk) vs recorded \(testRisk)")
    let predicted = try #require(Double(p.stdout.components(separatedBy: "accuracy = ")[1].prefix { !$0.isWhitespace }))
    #expect(abs(predicted - testAccuracy) < 1e-6)
    // The predictions file: one row per test row, with the target beside.
    let rows = try String(contentsOf: run.appendingPathComponent("predictions-test.csv"), encoding: .utf8).split(separator: "\n")
    #expect(rows.first == "prediction,label" && rows.count == 1 + 15)
  }

  @Test("standardize uses the training split's mean and population standard deviation, recorded in model.json")
  func standardization() throws {
    let dir = try folder()
    let run = dir.appendingPathComponent("run")
    #expect(try MFLD.run(["run", try MFLD.write(Self.config(data: Self.data, steps: 1), to: "net.json", in: dir), "--out", run.path, "--quiet"]).status == 0)
    let model = try String(contentsOf: run.appendingPathComponent("model.json"), encoding: .utf8)
    // Expected statistics straight from the training rows, column by column.
    let rows = Self.train.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
    for (k, name) in ["a", "b", "c"].enumerated() {
      let x = rows.map { $0[k] }
      let mean = x.reduce(0, +) / Double(x.count)
      let sd = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)).squareRoot()
      let json = try JSONSerialization.jsonObject(with: Data(model.utf8)) as! [String: Any]
      let s = json["standardization"] as! [String: [Double]]
      #expect(abs(s["mean"]![k] - mean) <= 1e-12 * max(1, abs(mean)), "\(name)")
      #expect(abs(s["scale"]![k] - sd) <= 1e-12 * sd, "\(name)")
      #expect((json["inputs"] as! [String])[k] == name)
    }
  }

  @Test("features select and order the inputs: dropping the noise column c changes the model's inputs to a, b")
  func featureSelection() throws {
    let dir = try folder()
    let run = dir.appendingPathComponent("run")
    let data = Self.data.replacingOccurrences(of: #"["a", "b", "c"]"#, with: #"["b", "a"]"#)
    #expect(try MFLD.run(["run", try MFLD.write(Self.config(data: data, steps: 1), to: "net.json", in: dir), "--out", run.path, "--quiet"]).status == 0)
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("model.json"))) as! [String: Any]
    #expect(json["inputs"] as! [String] == ["b", "a"] && json["dimension"] as! Int == 2)
    // particles.csv: r and w ∈ S^2 ⊂ ℝ^3 (two inputs and the bias).
    let header = try String(contentsOf: run.appendingPathComponent("particles.csv"), encoding: .utf8).prefix { $0 != "\n" }
    #expect(header == "r,w1,w2,w3")
  }

  @Test("real-valued labels record no accuracy")
  func regressionHasNoAccuracy() throws {
    let dir = try MFLD.temporaryDirectory()
    let run = dir.appendingPathComponent("run")
    #expect(try MFLD.run(["run", "examples/csv-regression.json", "--set", "steps=2", "--out", run.path, "--quiet"]).status == 0)
    #expect(try finalRow(run)["accuracy"] == nil)
  }

  func validate(_ data: String) throws -> MFLD.Output {
    let dir = try folder()
    return try MFLD.run(["validate", try MFLD.write(Self.config(data: data), to: "net.json", in: dir), "--quiet"])
  }

  @Test("bad data settings are refused on one line naming the key path", arguments: [
    (#""features": ["a", "b", "c"]"#, #""features": ["a", "bb"]"#, ["objective.data.features[1]", "no column 'bb'", "did you mean 'b'"]),
    (#""features": ["a", "b", "c"]"#, #""features": ["a", "label"]"#, ["objective.data.features", "lists the target 'label'"]),
    (#""features": ["a", "b", "c"]"#, #""features": ["a", "a"]"#, ["objective.data.features", "'a' is listed twice"]),
    (#""features": ["a", "b", "c"]"#, #""features": "a,b""#, ["objective.data.features", "expected an array of strings"]),
    (#""test_file": "test.csv""#, #""test_file": "none.csv""#, ["objective.data.test_file", "none.csv"]),
    (#""test_file": "test.csv""#, #""test_file": "test.csv", "test_fraction": 0.2"#, ["objective.data.test_fraction", "beside a test_file"]),
    (#""test_file": "test.csv""#, #""test_file": "train.csv""#, []),
  ])
  func badData(_ replaced: String, _ with: String, _ expected: [String]) throws {
    let r = try validate(Self.data.replacingOccurrences(of: replaced, with: with))
    guard !expected.isEmpty else {
      #expect(r.status == 0, "\(r.stderr)")
      return
    }
    #expect(r.status == 2 && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    for e in expected { #expect(r.stderr.contains(e), "'\(e)' not in \(r.stderr)") }
  }

  @Test("a test file without a model input column is refused naming the column")
  func testFileMissingColumn() throws {
    let dir = try folder()
    try MFLD.write(Self.test.replacingOccurrences(of: "label,extra,c,b,a", with: "label,extra,c,b,z"), to: "test.csv", in: dir)
    let r = try MFLD.run(["validate", try MFLD.write(Self.config(data: Self.data), to: "net.json", in: dir), "--quiet"])
    #expect(r.status == 2 && r.stderr.contains("objective.data.test_file") && r.stderr.contains("no column 'a'"), "\(r.stderr)")
  }

  @Test("predict refuses a folder without a model, and a data file without the model's inputs, on one line")
  func predictBadInput() throws {
    let dir = try folder()
    let run = dir.appendingPathComponent("run")
    #expect(try MFLD.run(["run", try MFLD.write(Self.config(data: Self.data, steps: 1), to: "net.json", in: dir), "--out", run.path, "--quiet"]).status == 0)
    let noModel = try MFLD.run(["predict", dir.path, dir.appendingPathComponent("test.csv").path])
    #expect(noModel.status == 2 && noModel.stderr.contains("model.json") && noModel.stderr.contains("no model here"), "\(noModel.stderr)")
    try MFLD.write("a,b\n1,2\n", to: "short.csv", in: dir)
    let short = try MFLD.run(["predict", run.path, dir.appendingPathComponent("short.csv").path])
    #expect(short.status == 2 && short.stderr.contains("no column 'c'") && short.stderr.split(separator: "\n").count == 1, "\(short.stderr)")
    // Rows without the target: predictions only.
    try MFLD.write("c,b,a\n0,1,2\n10,-1,0\n", to: "unlabelled.csv", in: dir)
    let unlabelled = try MFLD.run(["predict", run.path, dir.appendingPathComponent("unlabelled.csv").path])
    #expect(unlabelled.status == 0 && unlabelled.stdout.hasPrefix("2 rows\n"), "\(unlabelled.stdout)\(unlabelled.stderr)")
  }

  @Test("a formula feature map on the same data records the same accuracy columns as the built-in network it spells out")
  func formulaObjectiveRecordsAccuracy() throws {
    let dir = try folder()
    let builtin = dir.appendingPathComponent("builtin"), formula = dir.appendingPathComponent("formula")
    #expect(try MFLD.run(["run", try MFLD.write(Self.config(data: Self.data), to: "a.json", in: dir), "--out", builtin.path, "--quiet"]).status == 0)
    let spelled = Self.config(data: Self.data).replacingOccurrences(
      of: #""type": "two-layer-network","#,
      with: #""type": "feature-formula", "feature": "relu(dot(w, x))", "bias": true, "domain": {"type": "sphere", "dimension": 3},"#)
    let r = try MFLD.run(["run", try MFLD.write(spelled, to: "b.json", in: dir), "--out", formula.path, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let a = try finalRow(builtin), b = try finalRow(formula)
    for column in ["test_risk", "accuracy", "test_accuracy"] {
      let x = try #require(a[column]), y = try #require(b[column], "\(column) not recorded by feature-formula")
      #expect(abs(x - y) <= 1e-9, "\(column): \(x) vs \(y)")
    }
  }
}
