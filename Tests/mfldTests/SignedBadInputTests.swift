import Foundation
import Testing

/// Bad input for signed objectives: each refused before the run with the key path and a fix.
struct SignedBadInputTests {
  static let network = """
  {
    "objective": {"type": "two-layer-network", "data": {"type": "teacher", "dimension": 3, "samples": 20}, "lambda": 0.01},
    "reduction": "bilevel",
    "integrator": {"type": "euler-maruyama", "step": 0.1, "temperature": 0},
    "particles": {"count": 10, "init": "uniform"},
    "steps": 5
  }
  """

  func validate(_ config: String, files: [String: String] = [:]) throws -> MFLD.Output {
    let dir = try MFLD.temporaryDirectory()
    for (name, text) in files { try MFLD.write(text, to: name, in: dir) }
    return try MFLD.run(["validate", try MFLD.write(config, to: "config.json", in: dir), "--quiet"])
  }

  func expectError(_ r: MFLD.Output, _ parts: [String]) {
    #expect(r.status == 2, "status \(r.status): \(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("mfld: error: "), "\(r.stderr)")
    for p in parts { #expect(r.stderr.contains(p), "'\(p)' not in: \(r.stderr)") }
  }

  @Test("the network config is valid as written")
  func valid() throws {
    #expect(try validate(Self.network).status == 0)
  }

  @Test("λ ≤ 0 is refused", arguments: ["0", "-1"])
  func nonPositiveLambda(_ value: String) throws {
    expectError(try validate(Self.network.replacingOccurrences(of: "\"lambda\": 0.01", with: "\"lambda\": \(value)")),
                ["objective.lambda: must be > 0, found \(value)"])
  }

  static let csvConfig = Self.network.replacingOccurrences(of: "{\"type\": \"teacher\", \"dimension\": 3, \"samples\": 20}",
                                                           with: "{\"type\": \"csv\", \"file\": \"data.csv\"}")

  @Test("a CSV with a missing cell names its row and column")
  func csvMissingCell() throws {
    let r = try validate(Self.csvConfig, files: ["data.csv": "a,b,y\n1,2,3\n4,,6\n"])
    expectError(r, ["objective.data.file", "data.csv", "row 3, column 2 ('b'): empty cell"])
  }

  @Test("a CSV with a non-numeric cell names its row and column")
  func csvNonNumeric() throws {
    let r = try validate(Self.csvConfig, files: ["data.csv": "a,b,y\n1,2,3\n4,5,six\n"])
    expectError(r, ["objective.data.file", "row 3, column 3 ('y'): 'six' is not a number"])
  }

  @Test("a ragged CSV names the row")
  func csvRagged() throws {
    let r = try validate(Self.csvConfig, files: ["data.csv": "a,b,y\n1,2,3\n4,5\n"])
    expectError(r, ["objective.data.file", "row 3 has 2 cells, expected 3"])
  }

  @Test("an unknown target column is named, with the columns there are")
  func csvUnknownTarget() throws {
    let config = Self.csvConfig.replacingOccurrences(of: "\"file\": \"data.csv\"", with: "\"file\": \"data.csv\", \"target\": \"z\"")
    expectError(try validate(config, files: ["data.csv": "a,b,y\n1,2,3\n"]), ["objective.data.target: no column 'z'", "columns: a, b, y"])
  }

  @Test("initial particles whose dimension does not match W are refused")
  func dimensionMismatch() throws {
    let config = Self.network.replacingOccurrences(of: "\"init\": \"uniform\"", with: "\"init\": {\"type\": \"file\", \"file\": \"w.csv\"}")
    let rows = (0..<10).map { _ in "0.5,0.5,0.5" }.joined(separator: "\n")
    expectError(try validate(config, files: ["w.csv": rows + "\n"]), ["particles.init.file", "has 3 columns, but points on S^3 have 4 coordinates"])
  }

  @Test("logistic loss with labels that are not ±1 is refused")
  func logisticLabels() throws {
    let config = Self.network.replacingOccurrences(of: "\"lambda\": 0.01", with: "\"lambda\": 0.01, \"loss\": \"logistic\"")
    expectError(try validate(config), ["objective.loss: the logistic loss needs labels ±1"])
  }

  @Test("a minibatch integrator is refused for an objective without data, naming both")
  func minibatchNeedsData() throws {
    let potential = """
    {"domain": {"type": "euclidean", "dimension": 1}, "objective": {"type": "potential", "V": "quadratic"},
     "integrator": {"type": "sgd", "step": 0.1, "temperature": 0, "batch_size": 8},
     "particles": {"count": 3}, "steps": 1}
    """
    expectError(try validate(potential), ["integrator.type: 'sgd' cannot serve 'potential': a minibatch needs data"])
  }

  @Test("a reduction that cannot serve the objective is refused, naming both")
  func incompatibleReduction() throws {
    let potential = """
    {"domain": {"type": "euclidean", "dimension": 1}, "objective": {"type": "potential", "V": "quadratic"},
     "reduction": "bilevel", "integrator": {"type": "euler-maruyama", "step": 0.1, "temperature": 0},
     "particles": {"count": 3}, "steps": 1}
    """
    expectError(try validate(potential), ["reduction.type: 'bilevel' reduces signed objectives; 'potential' is already over probability measures"])
    expectError(try validate(Self.network.replacingOccurrences(of: "\"reduction\": \"bilevel\"", with: "\"reduction\": \"identity\"")),
                ["reduction.type: 'identity' cannot serve 'two-layer-network'"])
    expectError(try validate(Self.network.replacingOccurrences(of: "\"reduction\": \"bilevel\",", with: "")),
                ["reduction: 'two-layer-network' is an objective over signed measures and needs a reduction"])
    expectError(try validate(Self.network.replacingOccurrences(of: "\"reduction\": \"bilevel\",", with: "\"reduction\": \"bilevel\", \"domain\": {\"type\": \"torus\", \"dimension\": 1},")),
                ["domain: 'two-layer-network' defines its own domain (W = S^3)"])
  }
}
