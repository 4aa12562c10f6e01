import Formats
import Registry
import SolverAPI
import Testing

/// Config resolution: defaults filled from the declarations, shorthands expanded, and every bad input
/// refused with the key path and a fix.
struct ResolverTests {
  static let valid: ConfigValue = [
    "domain": ["type": "euclidean", "dimension": 2],
    "objective": ["type": "potential", "V": ["type": "quadratic"]],
    "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.5],
    "particles": ["count": 10],
    "steps": 5,
  ]

  func error(_ config: ConfigValue, overrides: [String] = []) -> ConfigError? {
    do { _ = try Composition.compose(config, file: "test.json", overrides: overrides); return nil } catch let e as ConfigError {
      return e
    } catch { Issue.record("unexpected error \(error)"); return nil }
  }

  func with(_ path: String, _ value: ConfigValue) -> ConfigValue {
    var c = Self.valid
    if case .object(var o) = c {
      let keys = path.split(separator: ".").map(String.init)
      func set(_ node: inout ConfigValue, _ keys: ArraySlice<String>) {
        guard let k = keys.first, case .object(var obj) = node else { node = value; return }
        var child = obj[k] ?? .object([:])
        set(&child, keys.dropFirst())
        obj[k] = child
        node = .object(obj)
      }
      var node = ConfigValue.object(o)
      set(&node, keys[...])
      if case .object(let n) = node { o = n }
      c = .object(o)
    }
    return c
  }

  @Test("a valid config resolves with every default filled in, and resolving that changes nothing")
  func resolvedIsAFixedPoint() throws {
    let e = try Composition.compose(Self.valid)
    guard case .object(let o) = e.config else { Issue.record("not an object"); return }
    #expect(o.keys == ["description", "plugins", "seed", "threads", "domain", "reference", "objective", "reduction", "metric", "integrator", "particles", "steps", "record", "output"])
    #expect(o["integrator"] == ["type": "euler-maruyama", "step": ["type": "constant", "value": 0.01, "noiseless_fraction": 0.0],
                                "temperature": ["type": "constant", "value": 0.5, "noiseless_fraction": 0.0]])
    #expect(o["objective"] == ["type": "potential", "V": ["type": "quadratic", "a": 1.0, "center": []]])
    let again = try Composition.compose(e.config)
    #expect(again.config == e.config)
    // And it survives the JSON text round trip.
    #expect(try JSONParser.parse(e.config.jsonText()) == e.config)
  }

  @Test("an unknown key names its path and suggests the closest valid key")
  func unknownKey() {
    let e = error(with("integrator.stepp", 0.1))
    #expect(e?.path == "integrator.stepp")
    #expect(e?.description.contains("did you mean 'step'?") == true)
    #expect(e?.description.hasPrefix("test.json: integrator.stepp: unknown key") == true)
  }

  @Test("an unknown part name lists the valid names")
  func unknownPart() {
    let e = error(with("objective.V", "quadratc"))
    #expect(e?.path == "objective.V.type")
    #expect(e?.description.contains("unknown potential 'quadratc' (did you mean 'quadratic'?)") == true)
    #expect(e?.description.contains("double-well, expression, gaussian-wells, quadratic") == true)
  }

  @Test("a name of the wrong kind says what it is")
  func wrongKindOfPart() {
    let e = error(with("objective.V", "gaussian"))
    #expect(e?.description.contains("'gaussian' is a reference/kernel/cloud, not a potential") == true)
  }

  @Test("a wrong type says what was expected and found", arguments: [
    ("particles.count", ConfigValue.string("many"), "expected a whole number, found the string \"many\""),
    ("steps", ConfigValue.real(2.5), "expected a whole number, found 2.5"),
    ("integrator.temperature", ConfigValue.bool(true), "expected a schedule"),
    ("objective.V.a", ConfigValue.array([]), "expected a number, found an array"),
  ])
  func wrongType(path: String, value: ConfigValue, message: String) {
    let e = error(with(path, value))
    #expect(e?.path.hasPrefix(path) == true, "\(String(describing: e))")
    #expect(e?.description.contains(message) == true, "\(String(describing: e))")
  }

  @Test("out-of-range values are refused with the admissible range", arguments: [
    ("integrator.step", ConfigValue.real(0), "integrator.step", "must be > 0, found 0"),
    ("integrator.step", ConfigValue.real(-0.1), "integrator.step", "must be > 0, found -0.1"),
    ("particles.count", ConfigValue.integer(0), "particles.count", "must be between 1 and"),
    ("integrator.temperature", ConfigValue.real(-1), "integrator.temperature", "must be ≥ 0"),
    ("objective.V.a", ConfigValue.real(-2), "objective.V.a", "must be > 0, found -2"),
  ])
  func outOfRange(path: String, value: ConfigValue, errorPath: String, message: String) {
    let e = error(with(path, value))
    #expect(e?.path == errorPath, "\(String(describing: e))")
    #expect(e?.description.contains(message) == true, "\(String(describing: e))")
  }

  @Test("a missing required key names it")
  func missingRequired() {
    guard case .object(var o) = Self.valid else { return }
    o["steps"] = nil
    let e = error(.object(o))
    #expect(e?.path == "steps")
    #expect(e?.description.contains("is required") == true)
  }

  @Test("a dimension mismatch in a vector parameter names the key")
  func dimensionMismatch() {
    let e = error(with("objective.V", ["type": "quadratic", "center": [1.0, 2.0, 3.0]]))
    #expect(e?.path == "objective.V.center")
    #expect(e?.description.contains("has 3 entries, the domain has dimension 2") == true)
  }

  @Test("a missing data file is reported with its key path")
  func missingFile() {
    let e = error(with("particles.init", ["type": "file", "file": "no/such/points.csv"]))
    #expect(e?.path == "particles.init.file")
    #expect(e?.description.contains("no/such/points.csv") == true)
  }

  @Test("--set overrides reach nested keys, through shorthands too")
  func overrides() throws {
    let e = try Composition.compose(Self.valid, overrides: ["integrator.temperature.value=0.25", "particles.count=3", "objective.V.a=2"])
    #expect(e.plan.integrator.temperature.value(at: 0) == 0.25)
    #expect(e.plan.state.cloud.count == 3)
    let bad = error(Self.valid, overrides: ["integrator.step=-1"])
    #expect(bad?.path == "integrator.step")
  }
}
