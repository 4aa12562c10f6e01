import Foundation
import MFLD

/// What the plugin boundary costs a run: plugin copies of built-in parts (the example plugin's
/// euler-maruyama-copy and two-layer-network-copy — the same code, built inside the plugin) against the
/// built-ins, on the same config, taking turns window by window over the same steps.
extension Benchmark {
  /// The example plugin's release library, when it has been built (`swift build -c release --package-path examples/plugin`).
  static let examplePlugin = "examples/plugin/.build/release/libExamplePlugin.so"

  public static func plugins(_ options: Options) throws -> [Row] {
    let library = options.pluginLibrary ?? examplePlugin
    guard FileManager.default.fileExists(atPath: library) else {
      return [Row(suite: "plugins", name: "plugin boundary", value: .nan, unit: "",
                  note: "skipped: no \(library); build it with swift build -c release --package-path examples/plugin, or give --plugin PATH")]
    }
    struct Case { var name: String; var config: ConfigValue; var copy: [String]; var target: Double }
    let m = options.quick ? 300 : 1000, (n, mn, d) = options.quick ? (500, 200, 10) : (1000, 1000, 20)
    let network = networkConfig("bilevel", n: n, m: mn, d: d)
    let data: ConfigValue = ["type": "teacher", "dimension": .integer(d), "samples": .integer(n)]
    let copyNetwork: ConfigValue = ["type": "two-layer-network-copy", "data": data, "lambda": 0.001]
    let cases = [
      Case(name: "Euler–Maruyama from a plugin, McKean–Vlasov m = \(m)", config: mckeanVlasovConfig(m: m),
           copy: ["integrator.type=euler-maruyama-copy"], target: 0.95),
      Case(name: "relu features from a plugin, bilevel " + sizeLabel(n, mn, d), config: network,
           copy: ["objective=" + copyNetwork.jsonText(pretty: false)], target: 0.90),
    ]
    var rows: [Row] = []
    for c in cases {
      options.progress("plugins: \(c.name)")
      let builtin = try Stepper(c.config, overrides: ["threads=2"], plugins: [library])
      let copy = try Stepper(c.config, overrides: ["threads=2"] + c.copy, plugins: [library])
      let (rb, rc, runs) = try builtin.pairedRates(copy, options.budget)
      let ratio = rc / rb, overhead = (1 / rc - 1 / rb) * 1e6
      rows.append(Row(suite: "plugins", name: c.name + ", built-in", value: rb, unit: "steps/s", note: stepNote(runs, builtin)))
      rows.append(Row(suite: "plugins", name: c.name + ", plugin copy", value: rc, unit: "steps/s",
                      note: String(format: "%.1f%% of the built-in's rate (", 100 * ratio)
                        + target("≥ \(Int((100 * c.target).rounded()))%", met: ratio >= c.target)
                        + String(format: "); %+.0f µs/step across the boundary; ", overhead) + stepNote(runs, copy)))
    }
    return rows
  }
}
