import SolverAPI
import Formats

/// The JSON texts of the plugin ABI (docs/plugins.md, "JSON formats"), encoded and decoded by the
/// same code on both sides of the boundary: declarations (plugin → host), build contexts
/// (host → plugin), product infos (plugin → host) and errors (plugin → host).
public enum PluginJSON {
  // MARK: Declarations

  /// What a plugin declares about one component: everything of `Component` but its build closure.
  public struct Declaration: Sendable {
    public var kind: PartKind
    public var name: String
    public var summary: String
    public var notes: String?
    public var example: ConfigValue?
    public var parameters: [Parameter]
  }

  /// A component's declaration as JSON.
  public static func declaration(of c: Component) throws -> ConfigValue {
    var o: ConfigObject = ["kind": .string(c.kind.rawValue), "name": .string(c.name), "summary": .string(c.summary)]
    o["notes"] = c.notes.map(ConfigValue.string) ?? .null
    o["example"] = c.example ?? .null
    o["parameters"] = .array(try c.parameters.map { try encode($0, owner: c.name) })
    return .object(o)
  }

  static func encode(_ p: Parameter, owner: String) throws -> ConfigValue {
    var o: ConfigObject = ["name": .string(p.name), "type": try encode(p.type, parameter: p.name, owner: owner)]
    o["required"] = .bool(p.isRequired)
    o["default"] = p.defaultValue ?? .null
    o["doc"] = .string(p.doc)
    return .object(o)
  }

  static func encode(_ t: ParameterType, parameter: String, owner: String) throws -> ConfigValue {
    func interval(_ name: String, _ r: Interval) -> ConfigValue {
      ["type": .string(name), "lower": r.lower.map(ConfigValue.real) ?? .null, "lower_included": .bool(r.lowerIncluded),
       "upper": r.upper.map(ConfigValue.real) ?? .null, "upper_included": .bool(r.upperIncluded)]
    }
    switch t {
    case .real(let r): return interval("real", r)
    case .reals(let r): return interval("reals", r)
    case .integer(let r): return ["type": "integer", "min": .integer(r.lowerBound), "max": .integer(r.upperBound)]
    case .boolean: return ["type": "boolean"]
    case .string: return ["type": "string"]
    case .path: return ["type": "path"]
    case .paths: return ["type": "paths"]
    case .strings: return ["type": "strings"]
    case .matrix: return ["type": "matrix"]
    case .constants: return ["type": "constants"]
    case .choice(let c): return ["type": "choice", "choices": .array(c.map(ConfigValue.string))]
    case .group(let members): return ["type": "group", "parameters": .array(try members.map { try encode($0, owner: owner) })]
    case .part(let k): return ["type": "part", "kind": .string(k.rawValue)]
    case .parts(let k): return ["type": "parts", "kind": .string(k.rawValue)]
    }
  }

  /// Reads a declaration sent by a plugin; throws `PluginFailure` naming what is malformed.
  public static func decodeDeclaration(_ text: String) throws -> Declaration {
    let value: ConfigValue
    do { value = try JSONParser.parse(text) } catch { throw PluginFailure("its declaration is not valid JSON (\(error))") }
    let o = try object(value, "the declaration")
    let kindName = try string(o, "kind", in: "the declaration")
    guard let kind = PartKind(rawValue: kindName) else { throw PluginFailure("its declaration has an unknown kind '\(kindName)'") }
    let name = try string(o, "name", in: "the declaration")
    guard !name.isEmpty else { throw PluginFailure("it declares a \(kindName) with an empty name") }
    let notes: String? = o["notes"].flatMap { if case .string(let s) = $0 { return s } else { return nil } }
    var example: ConfigValue?  // (ConfigValue is ExpressibleByNilLiteral: spell out Optional.none)
    if let e = o["example"], e != .null { example = e }
    guard case .array(let ps)? = o["parameters"] else { throw PluginFailure("the declaration of '\(name)' has no \"parameters\" array") }
    let parameters = try ps.map { try decodeParameter($0, owner: name) }
    return Declaration(kind: kind, name: name, summary: try string(o, "summary", in: "'\(name)'"), notes: notes, example: example,
                       parameters: parameters)
  }

  static func decodeParameter(_ value: ConfigValue, owner: String) throws -> Parameter {
    let o = try object(value, "a parameter of '\(owner)'")
    let name = try string(o, "name", in: "a parameter of '\(owner)'")
    let where_ = "parameter '\(name)' of '\(owner)'"
    let t = try object(o["type"] ?? .null, "the type of \(where_)")
    let type: ParameterType
    func interval() throws -> Interval {
      func bound(_ key: String) throws -> Double? {
        switch t[key] {
        case nil, .null?: return nil
        case let v?: guard let x = v.doubleValue else { throw PluginFailure("\(where_): '\(key)' is not a number") }; return x
        }
      }
      func flag(_ key: String) -> Bool { if case .bool(let b)? = t[key] { return b } else { return true } }
      return Interval(lower: try bound("lower"), included: flag("lower_included"), upper: try bound("upper"), included: flag("upper_included"))
    }
    switch try string(t, "type", in: where_) {
    case "real": type = .real(try interval())
    case "reals": type = .reals(try interval())
    case "integer":
      guard case .integer(let lo)? = t["min"], case .integer(let hi)? = t["max"], lo <= hi else {
        throw PluginFailure("\(where_): an integer type needs integers \"min\" ≤ \"max\"")
      }
      type = .integer(lo...hi)
    case "boolean": type = .boolean
    case "string": type = .string
    case "path": type = .path
    case "paths": type = .paths
    case "strings": type = .strings
    case "matrix": type = .matrix
    case "constants": type = .constants
    case "choice":
      guard case .array(let items)? = t["choices"] else { throw PluginFailure("\(where_): a choice needs \"choices\"") }
      type = .choice(try items.map { v in
        guard case .string(let s) = v else { throw PluginFailure("\(where_): choices must be strings") }
        return s
      })
    case "group":
      guard case .array(let members)? = t["parameters"] else { throw PluginFailure("\(where_): a group needs \"parameters\"") }
      type = .group(try members.map { try decodeParameter($0, owner: owner) })
    case "part", "parts":
      guard case .string(let k)? = t["kind"], let kind = PartKind(rawValue: k) else {
        throw PluginFailure("\(where_): a nested part needs a known \"kind\"")
      }
      type = t["type"] == "part" ? .part(kind) : .parts(kind)
    case let other:
      throw PluginFailure("\(where_) has a type '\(other)' that ABI \(PluginABI.version) does not know")
    }
    var defaultValue: ConfigValue? = Optional.none
    if let v = o["default"], v != .null { defaultValue = v }
    if case .bool(true)? = o["required"] { defaultValue = Optional.none }
    if case .bool(false)? = o["required"], o["default"] == .null { defaultValue = .null }  // an optional part, left out
    return Parameter(name, type, default: defaultValue, (try? string(o, "doc", in: where_)) ?? "")
  }

  // MARK: Build contexts

  /// The build context of `args`, for the plugin: the part's key path, the config file, the base directory,
  /// the key of the context's random stream, the run's steps, the domain (by name when it is ℝ^d, S^n, T^d
  /// or a lift of one; an object otherwise) and the reference measure (an object).
  public static func context(of args: Arguments) -> ConfigValue {
    var o: ConfigObject = ["path": .string(args.path)]
    o["file"] = args.context.file.map(ConfigValue.string) ?? .null
    o["base_directory"] = .string(args.context.baseDirectory)
    o["random_key"] = .integer(Int(Int64(bitPattern: args.context.random.key)))
    o["total_steps"] = args.context.totalSteps.map(ConfigValue.integer) ?? .null
    o["domain"] = args.context.domain.map(domain) ?? .null
    return .object(o)
  }

  /// A geometry as `{"type": "euclidean" | "sphere" | "torus" | "lifted" | "other", "dimension": n, "base": …}`,
  /// with `dimension` the coordinates per particle (n + 1 on S^n).
  static func domain(_ g: any Geometry) -> ConfigValue {
    switch g {
    case is Euclidean: return ["type": "euclidean", "dimension": .integer(g.dimension)]
    case is Sphere: return ["type": "sphere", "dimension": .integer(g.dimension)]
    case is Torus: return ["type": "torus", "dimension": .integer(g.dimension)]
    case let l as LiftedDomain:
      let base = domain(l.base)
      return nativeDomain(base) == nil ? ["type": "other", "dimension": .integer(g.dimension)] : ["type": "lifted", "base": base]
    default: return ["type": "other", "dimension": .integer(g.dimension)]
    }
  }

  /// The native geometry a domain description names, or nil for "other".
  static func nativeDomain(_ v: ConfigValue?) -> (any Geometry)? {
    guard case .object(let d)? = v, case .string(let type)? = d["type"] else { return nil }
    if type == "lifted" { return nativeDomain(d["base"]).map { LiftedDomain(base: $0) } }
    guard case .integer(let n)? = d["dimension"], n >= 1 else { return nil }
    switch type {
    case "euclidean": return Euclidean(dimension: n)
    case "sphere" where n >= 2: return Sphere(intrinsicDimension: n - 1)
    case "torus": return Torus(dimension: n)
    default: return nil
    }
  }

  /// The three objects that go with a build context: the domain (only when it has no name), the reference
  /// measure and the builder of nested parts. Each is retained for the receiver, who adopts it.
  static func contextObjects(of context: BuildContext) -> [BridgeObject?] {
    [context.domain.flatMap { nativeDomain(domain($0)) == nil ? BridgeExport.geometry($0) : nil },
     context.reference.map(BridgeExport.reference),
     BridgeExport.builder(context)]
  }

  /// Reads a build context on the other side: the JSON and the objects `contextObjects` made (adopted).
  public static func decodeContext(_ text: String, objects: [BridgeObject?]) throws -> (path: String, context: BuildContext) {
    let o: ConfigObject
    do { o = try object(try JSONParser.parse(text), "the build context") } catch let e as PluginFailure { throw e } catch {
      throw PluginFailure("the build context is not valid JSON (\(error))")
    }
    let path = try string(o, "path", in: "the build context")
    let file: String? = { if case .string(let s)? = o["file"] { return s } else { return nil } }()
    let base = (try? string(o, "base_directory", in: "")) ?? "."
    guard case .integer(let k)? = o["random_key"] else { throw PluginFailure("the build context has no \"random_key\"") }
    var domain = nativeDomain(o["domain"])
    if domain == nil, objects.count > 0, let g = objects[0] { domain = try BridgeImport.product(g, kind: .domain) as? any Geometry }
    guard objects.count > 2, let builder = objects[2] else { throw PluginFailure("the build context has no builder") }
    var context = BuildContext(file: file, baseDirectory: base, random: RandomStream(key: UInt64(bitPattern: Int64(k))), domain: domain,
                               builder: BridgedBuilder(BridgeReference(adopting: builder)))
    if objects.count > 1, let r = objects[1] { context.reference = try BridgeImport.product(r, kind: .reference) as? ReferenceMeasure }
    if case .integer(let steps)? = o["total_steps"] { context.totalSteps = steps }
    return (path, context)
  }

  // MARK: Checkpoint states

  /// A part's checkpoint state as JSON text, `{"name": [numbers…]}` with the names sorted.
  static func state(_ state: [String: [Double]]) -> String {
    var o: ConfigObject = [:]
    for (k, v) in state.sorted(by: { $0.key < $1.key }) { o[k] = .array(v.map(ConfigValue.real)) }
    return ConfigValue.object(o).jsonText(pretty: false)
  }

  /// The state `state(_:)` wrote (empty for no text).
  static func decodeState(_ text: String?) throws -> [String: [Double]] {
    guard let text, case .object(let o) = try JSONParser.parse(text) else { return [:] }
    var state: [String: [Double]] = [:]
    for (k, v) in o { if case .array(let a) = v { state[k] = a.map { $0.doubleValue ?? .nan } } }
    return state
  }

  // MARK: Errors

  /// An error as JSON: `{"kind": "config", "file", "path", "message", "fix"}`,
  /// `{"kind": "run", "run_kind", "message", "step"}` or `{"kind": "error", "message", "origin"}`.
  public static func error(_ e: Error) -> ConfigValue {
    switch e {
    case let c as ConfigError:
      return ["kind": "config", "file": c.file.map(ConfigValue.string) ?? .null, "path": .string(c.path),
              "message": .string(c.message), "fix": c.fix.map(ConfigValue.string) ?? .null]
    case let r as RunError:
      let kind: String
      switch r.kind { case .diverged: kind = "diverged"; case .numerical: kind = "numerical"; case .io: kind = "io"; case .interrupted: kind = "interrupted"; case .reused: kind = "reused" }
      return ["kind": "run", "run_kind": .string(kind), "message": .string(r.message), "step": r.step.map(ConfigValue.integer) ?? .null]
    case let f as PluginFailure:
      return ["kind": "error", "message": .string(f.message), "origin": (f.origin ?? PluginFailure.origin).map(ConfigValue.string) ?? .null]
    default:
      return ["kind": "error", "message": .string("\(e)"), "origin": PluginFailure.origin.map(ConfigValue.string) ?? .null]
    }
  }

  /// The error a plugin reported (a `PluginFailure` when the text is not an error report).
  public static func decodeError(_ text: String?) -> Error {
    guard let text, case .object(let o)? = try? JSONParser.parse(text), case .string(let message)? = o["message"] else {
      return PluginFailure(text.map { "failed: \($0)" } ?? "failed without a message")
    }
    func str(_ k: String) -> String? { if case .string(let s)? = o[k] { return s } else { return nil } }
    switch str("kind") {
    case "config"?:
      return ConfigError(file: str("file"), path: str("path") ?? "", message, fix: str("fix"))
    case "run"?:
      let kind: RunError.Kind
      switch str("run_kind") { case "diverged"?: kind = .diverged; case "io"?: kind = .io; case "interrupted"?: kind = .interrupted; case "reused"?: kind = .reused; default: kind = .numerical }
      var step: Int?
      if case .integer(let s)? = o["step"] { step = s }
      return RunError(kind, message, step: step)
    default:
      return PluginFailure(message, origin: str("origin"))
    }
  }

  // MARK: Helpers

  static func object(_ v: ConfigValue, _ what: String) throws -> ConfigObject {
    guard case .object(let o) = v else { throw PluginFailure("\(what) is not a JSON object") }
    return o
  }

  static func string(_ o: ConfigObject, _ key: String, in what: String) throws -> String {
    guard case .string(let s)? = o[key] else { throw PluginFailure("\(what) has no string \"\(key)\"") }
    return s
  }
}
