import Formats
import Foundation
@testable import Plugins
import Registry
import SolverAPI
import Testing

/// The whole plugin ABI within one process: every built-in part is registered "from a plugin" (its
/// declaration as JSON, built through the ops table, its product an object behind the vtable), and every
/// object crossing either way is called through its proxy — the host's objective and metric inside an
/// integrator's step, nested parts through the host's builder, schedules, domains, references, clouds,
/// data sets, observers, feature maps and reductions. A part behind the boundary must compute exactly what
/// it computes in place: each example runs to the same bits.
struct LoopbackTests {
  /// The built-in parts, registered as a plugin named "loopback".
  static let registry: Result<Registry, Error> = Result {
    BridgeExport.unwrapsOwnObjects = false  // proxies both ways, even for this process's own objects
    Loopback.components = Registry.standard().components
    let loaded = try PluginLoader.register(using: Loopback.register, library: "loopback", owner: { _, _ in nil })
    let registry = Registry()
    for c in loaded { try registry.register(c) }
    return registry
  }

  static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

  /// Each example with a few steps, recorded at every step.
  static let configs: [String] = ["mckean-vlasov", "double-well", "annealing", "mmd-descent", "single-neuron", "bilevel-2nn",
                                  "lift-2nn", "deconvolution-1d", "csv-regression", "dead-neurons"]

  func run(_ name: String, registry: Registry, overrides: [String]) throws -> (TraceTable, ParticleCloud) {
    let c = try Composition.load(file: Self.examples.appendingPathComponent(name + ".json").path, overrides: overrides, registry: registry)
    if registry.component(.integrator, "euler-maruyama")?.notes?.contains("loopback") == true {
      #expect(c.plan.integrator is BridgedIntegrator && c.plan.problem.metric is BridgedMetric && c.plan.problem.objective is BridgedObjective,
              "\(name): \(type(of: c.plan.integrator)), \(type(of: c.plan.problem.metric)), \(type(of: c.plan.problem.objective))")
    }
    let sink = TraceTable()
    let outcome = try Solver.run(c.plan, sink: sink)
    #expect(outcome.failure == nil, "\(name): \(outcome.failure.map { "\($0)" } ?? "")")
    return (sink, outcome.state.cloud)
  }

  /// Each example, and two with a Gaussian reference measure (its potential's gradient enters every move).
  static let cases: [(String, [String])] = configs.map { ($0, []) } + [
    ("mckean-vlasov", [#"reference={"type": "gaussian", "scale": 2}"#]),
    ("double-well", [#"reference={"type": "gaussian", "scale": 0.5}"#, "metric=wasserstein-fisher-rao"]),
  ]

  @Test("every example, with every part behind the plugin boundary, runs to the same bits", arguments: cases)
  func sameBits(_ name: String, _ extra: [String]) throws {
    let loopback = try Self.registry.get()
    let overrides = ["steps=6", "record.every=1", "particles.count=40"] + extra
    let (a, x) = try run(name, registry: .standard(), overrides: overrides)
    let (b, y) = try run(name, registry: loopback, overrides: overrides)
    #expect(a.columns == b.columns)
    #expect(a.rows.count == b.rows.count && a.rows.count == 7)
    // The one exception: in place, MMD with a Gaussian kernel takes the SIMD Gaussian sums (PairwiseSum), which
    // a kernel from a plugin — an opaque function — cannot; the pair sums then round differently, and only that.
    let tolerance = name == "mmd-descent" ? 1e-13 : 0
    func same(_ u: [Double], _ v: [Double]) -> Bool {
      u.count == v.count && zip(u, v).allSatisfy { tolerance == 0 ? $0.bitPattern == $1.bitPattern : abs($0 - $1) <= tolerance * max(1, abs($0)) }
    }
    for (r, s) in zip(a.rows, b.rows) {
      #expect(same(r, s), "\(name): in place \(r), through the boundary \(s)")
    }
    #expect(same(x.coordinates, y.coordinates), "\(name): final particles differ")
  }

  @Test("the loopback registry declares and describes every built-in part, from JSON")
  func declarations() throws {
    let loopback = try Self.registry.get()
    let standard = Registry.standard()
    #expect(loopback.components.count == standard.components.count)
    for c in standard.components {
      let d = try #require(loopback.component(c.kind, c.name), "\(c.kind.rawValue) '\(c.name)' missing")
      #expect(d.summary == c.summary && d.parameters.map(\.name) == c.parameters.map(\.name) && d.example == c.example)
      #expect(d.notes?.hasSuffix("From the plugin loopback.") == true)
    }
  }

  @Test("an error thrown behind the boundary comes back as the same error, with the file, the key path and the fix")
  func buildErrors() throws {
    let loopback = try Self.registry.get()
    let file = Self.examples.appendingPathComponent("mckean-vlasov.json").path
    func error(_ registry: Registry, _ override: String) -> String {
      do {
        let c = try Composition.load(file: file, overrides: [override], registry: registry)
        _ = try Solver.run(c.plan, sink: TraceTable())
        return "no error"
      } catch {
        return "\(error)"
      }
    }
    for override in [#"particles.init={"type": "file", "file": "no/such.csv"}"#, #"particles.init={"type": "uniform"}"#] {
      let inPlace = error(.standard(), override), behind = error(loopback, override)
      #expect(inPlace == behind && inPlace.contains("particles.init"), "in place: \(inPlace); through the boundary: \(behind)")
    }
  }
}

/// The register function of the loopback "plugin": `PluginExport.register` with the built-in parts.
enum Loopback {
  nonisolated(unsafe) static var components: [Component] = []
  static let register: PluginABI.RegisterFunction = { host in PluginExport.register(Loopback.components, host: host) }
}
