import Formats
import Foundation
import Plugins
import Registry
import SolverAPI
import Testing

/// The JSON half of the plugin ABI, in-process: declarations, errors and build contexts survive the
/// trip, and what ABI 1 cannot carry is refused with a reason. (The loading half, with real shared
/// libraries, is in Tests/mfldTests/PluginTests.swift.)
struct PluginBridgeTests {
  static func hasNestedParts(_ ps: [Parameter]) -> Bool {
    ps.contains { p in
      switch p.type {
      case .part, .parts: return true
      case .group(let members): return hasNestedParts(members)
      default: return false
      }
    }
  }

  static func signature(_ ps: [Parameter]) -> [String] {
    ps.map { p in
      var s = "\(p.name)|\(p.type.description)|\(p.defaultValue?.jsonText(pretty: false) ?? "required")|\(p.doc)"
      if case .group(let members) = p.type { s += "{" + signature(members).joined(separator: ";") + "}" }
      return s
    }
  }

  @Test("every built-in declaration a plugin could make survives the JSON round trip; nested parts are refused")
  func declarations() throws {
    var carried = 0
    for c in Registry.standard().components where PluginABI.supportedKinds.contains(c.kind) {
      if Self.hasNestedParts(c.parameters) {
        #expect(throws: PluginFailure.self) { try PluginJSON.declaration(of: c) }
        continue
      }
      let d = try PluginJSON.decodeDeclaration(try PluginJSON.declaration(of: c).jsonText(pretty: false))
      #expect(d.kind == c.kind && d.name == c.name && d.summary == c.summary && d.notes == c.notes && d.example == c.example)
      #expect(Self.signature(d.parameters) == Self.signature(c.parameters), "\(c.name)")
      carried += 1
    }
    #expect(carried >= 6)
    let integrator = try #require(Registry.standard().component(.integrator, "euler-maruyama"))
    #expect(throws: PluginFailure.self) { try PluginJSON.declaration(of: integrator) }
  }

  @Test("required parameters, intervals and integer ranges keep their meaning")
  func parameterTypes() throws {
    let c = Component(.potential, "p", summary: "s", parameters: [
      .real("a", in: Interval(lower: -1, included: false, upper: 2, included: true), "a"),
      .integer("n", default: 3, in: 1...9, "n"),
      .choice("how", ["x", "y"], default: "y", "how"),
      .group("g", [.boolean("flag", default: false, "f"), .path("file", "p")], "g"),
      .paths("libs", default: ["a.so"], "l"),
    ]) { _ in 0 }
    let d = try PluginJSON.decodeDeclaration(try PluginJSON.declaration(of: c).jsonText(pretty: false))
    #expect(d.parameters[0].isRequired && d.parameters[0].type.description == "number in (-1, 2]")
    #expect(d.parameters[1].type.description == "integer in [1, 9]" && d.parameters[1].defaultValue == .integer(3))
    #expect(d.parameters[3].isRequired, "a group with a required member is required")
    #expect(d.parameters[4].defaultValue == ["a.so"])
  }

  @Test("errors cross back as the same ConfigError or RunError")
  func errors() throws {
    let config = ConfigError(file: "/x/c.json", path: "objective.V.nu", "must be > 0", fix: "use 3")
    let back = try #require(PluginJSON.decodeError(PluginJSON.error(config).jsonText(pretty: false)) as? ConfigError)
    #expect(back.description == config.description)
    let run = try #require(PluginJSON.decodeError(PluginJSON.error(RunError(.diverged, "NaN", step: 7)).jsonText(pretty: false)) as? RunError)
    #expect(run.kind == .diverged && run.message == "NaN" && run.step == 7)
    #expect(PluginJSON.decodeError("garbage") is PluginFailure)
    #expect(PluginJSON.decodeError(nil) is PluginFailure)
  }

  @Test("a declaration the host cannot read is refused with the reason")
  func malformedDeclarations() {
    for (text, reason) in [("{", "not valid JSON"), (#"{"kind": "wizard", "name": "x"}"#, "unknown kind 'wizard'"),
                           (#"{"kind": "potential", "name": "x", "summary": "s"}"#, "no \"parameters\""),
                           (#"{"kind": "potential", "name": "x", "summary": "s", "parameters": [{"name": "a", "type": {"type": "part"}}]}"#,
                            "type 'part'")] {
      #expect(throws: PluginFailure.self) { try PluginJSON.decodeDeclaration(text) }
      do { _ = try PluginJSON.decodeDeclaration(text) } catch { #expect("\(error)".contains(reason), "\(error)") }
    }
  }

  @Test("the build context carries the key path, files, domain and the exact random stream")
  func context() throws {
    let registry = Registry.standard()
    for domain in [Euclidean(dimension: 3), Sphere(intrinsicDimension: 2), Torus(dimension: 1)] as [any Geometry] {
      let root = RandomStream(seed: 42).split("parts")
      let args = Arguments(kind: .potential, name: "p", path: "objective.V", values: [:], parameters: [],
                           context: BuildContext(file: "/x/c.json", baseDirectory: "/x", random: root, domain: domain, builder: registry))
      let (path, context) = try PluginJSON.decodeContext(PluginJSON.context(of: args).jsonText(pretty: false))
      #expect(path == "objective.V" && context.file == "/x/c.json" && context.baseDirectory == "/x")
      #expect(context.random == root)
      #expect(context.domain?.name == domain.name && context.domain?.dimension == domain.dimension)
    }
  }
}
