import Foundation
import Formats
import Registry
import SolverAPI

/// A composed config and the run folder it writes: what `mfld run` and `mfld resume` do, as a library.
///
///     let experiment = try Experiment.load(file: "examples/mckean-vlasov.json")
///     let result = try experiment.run()          // writes runs/mckean-vlasov/
///
/// The folder holds config.json (the resolved config), trace.csv, timing.csv, summary.json,
/// particles.csv, plots, and checkpoint.json when asked; `Experiment.resume(directory:)` continues a
/// stopped run from its checkpoint, bit for bit.
///
/// Like its composition, an experiment runs once: its plan's parts keep state. Load or compose it
/// again to run the same config again.
public struct Experiment {
  /// The config, resolved and composed.
  public var composition: Composition
  /// The run folder the config asks for (`output`, with `{name}` expanded).
  public var outputPath: String
  /// Set by `resume`: the checkpoint's step and the wall-clock seconds already spent.
  public var resumeFrom: (step: Int, wallSeconds: Double)?

  public init(_ composition: Composition) {
    self.composition = composition
    var output = "runs/{name}"
    if case .object(let o) = composition.config, case .string(let s)? = o["output"] { output = s }
    outputPath = output.replacingOccurrences(of: "{name}", with: composition.name)
  }

  /// Reads, overrides, resolves and composes a config file (`Composition.load`).
  public static func load(file: String, overrides: [String] = [], plugins: [String] = [],
                          registry: Registry = .standard()) throws -> Experiment {
    Experiment(try Composition.load(file: file, overrides: overrides, plugins: plugins, registry: registry))
  }

  /// Overrides, resolves and composes a config value (`Composition.compose`).
  public static func compose(_ raw: ConfigValue, file: String? = nil, baseDirectory: String = ".", name: String = "run",
                             overrides: [String] = [], plugins: [String] = [], registry: Registry = .standard()) throws -> Experiment {
    Experiment(try Composition.compose(raw, file: file, baseDirectory: baseDirectory, name: name, overrides: overrides,
                                       plugins: plugins, registry: registry))
  }

  /// The config file (nil for configs given in code).
  public var file: String? { composition.file }
  /// The resolved config, written beside the results as `config.json`.
  public var config: ConfigValue { composition.config }
  /// The parts, composed.
  public var plan: RunPlan {
    get { composition.plan }
    set { composition.plan = newValue }
  }
  /// The domain the problem is posed on.
  public var domain: any Geometry { composition.domain }
  /// The folder relative paths in the config were resolved against.
  public var baseDirectory: String { composition.baseDirectory }
}
