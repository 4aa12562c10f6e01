import Formats
import Foundation
@testable import Plugins
import Registry
import SolverAPI
import Testing

/// The JSON half of the plugin ABI, in-process: declarations, errors and build contexts survive the
/// trip, and a declaration the host cannot read is refused with a reason. (The objects half is in
/// LoopbackTests; the loading half, with real shared libraries, in Tests/mfldTests/PluginTests.swift.)
struct PluginBridgeTests {
  static func signature(_ ps: [Parameter]) -> [String] {
    ps.map { p in
      var s = "\(p.name)|\(p.type.description)|\(p.defaultValue?.jsonText(pretty: false) ?? "required")|\(p.doc)"
      if case .group(let members) = p.type { s += "{" + signature(members).joined(separator: ";") + "}" }
      return s
    }
  }

  @Test("every built-in declaration survives the JSON round trip, nested parts included")
  func declarations() throws {
    let components = Registry.standard().components
    for c in components {
      let d = try PluginJSON.decodeDeclaration(try PluginJSON.declaration(of: c).jsonText(pretty: false))
      #expect(d.kind == c.kind && d.name == c.name && d.summary == c.summary && d.notes == c.notes && d.example == c.example)
      #expect(Self.signature(d.parameters) == Self.signature(c.parameters), "\(c.name)")
    }
    #expect(Set(components.map(\.kind)) == Set(PartKind.allCases), "a plugin can declare a part of every kind")
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
                            "a nested part needs a known \"kind\"")] {
      #expect(throws: PluginFailure.self) { try PluginJSON.decodeDeclaration(text) }
      do { _ = try PluginJSON.decodeDeclaration(text) } catch { #expect("\(error)".contains(reason), "\(error)") }
    }
  }

  @Test("the build context carries the key path, files, steps, the exact random stream, the domain (by name when native) and the reference")
  func context() throws {
    let registry = Registry.standard()
    let domains: [any Geometry] = [Euclidean(dimension: 3), Sphere(intrinsicDimension: 2), Torus(dimension: 1),
                                   LiftedDomain(base: Sphere(intrinsicDimension: 1)), Box(dimension: 2)]
    for domain in domains {
      let root = RandomStream(seed: 42).split("parts")
      var built = BuildContext(file: "/x/c.json", baseDirectory: "/x", random: root, domain: domain, builder: registry)
      built.totalSteps = 250
      built.reference = ReferenceMeasure(name: "flat", potential: nil)
      let args = Arguments(kind: .potential, name: "p", path: "objective.V", values: [:], parameters: [], context: built)
      let objects = PluginJSON.contextObjects(of: built)
      #expect((objects[0] == nil) == !(domain is Box), "only a domain without a name goes as an object")
      let (path, context) = try PluginJSON.decodeContext(PluginJSON.context(of: args).jsonText(pretty: false), objects: objects)
      #expect(path == "objective.V" && context.file == "/x/c.json" && context.baseDirectory == "/x" && context.totalSteps == 250)
      #expect(context.random == root)
      #expect(context.domain?.name == domain.name && context.domain?.dimension == domain.dimension)
      #expect(type(of: context.domain!) == type(of: domain) || domain is Box, "native domains arrive as themselves")
      #expect(context.reference?.name == "flat")
      // Nested parts go through the builder object.
      let resolved = try Resolver(registry: registry, file: nil).resolvePart("quadratic", kind: .potential, path: "objective.V.inner")
      let q = try context.builder.build(resolved, kind: .potential, path: "objective.V.inner", context: context)
      #expect(q is any ScalarField)
    }
  }
}

/// A domain no name describes: the box [0, 1]^d, reflected at its faces (a stand-in for a plugin's domain).
struct Box: Geometry {
  let dimension: Int
  var name: String { "[0,1]^\(dimension)" }
  var isCompact: Bool { true }
  func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) {}
  func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) {
    for k in 0..<dimension { x[k] += v[k] }
    _ = canonicalize(x)
  }
  func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool {
    for k in 0..<dimension {
      var y = x[k].truncatingRemainder(dividingBy: 2)
      if y < 0 { y += 2 }
      x[k] = y > 1 ? 2 - y : y
    }
    return true
  }
  func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) {
    for k in 0..<dimension { x[k] = random.uniform() }
  }
  func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
    var s = 0.0
    for k in 0..<dimension { s += (a[k] - b[k]) * (a[k] - b[k]) }
    return s.squareRoot()
  }
  func difference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>) {
    for k in 0..<dimension { z[k] = a[k] - b[k] }
  }
}
