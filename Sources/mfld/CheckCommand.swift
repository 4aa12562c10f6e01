import Foundation
import MFLD

enum CheckCommand: Command {
  static let name = "check"
  static let summary = "run the library's laws on every part a config composes, built-in or plugin"
  static let help = """
  USAGE: mfld check CONFIG [--set key.path=value]... [--plugin PATH]... [--quiet]

  Composes CONFIG and checks every part it uses against the laws its kind must satisfy:
    objective    ∂F/∂X^i = (1/m)∇V(X^i), ∇V against finite differences of V, V against a mixture's
                 derivative, and evaluate's V and ∇V equal to firstVariation's — after the reduction, for
                 a signed objective, whose feature map's Jacobian is checked too
    potential, kernel, reference   the gradient against finite differences of the value
    metric       a move keeps particles on the domain; at τ > 0 it injects noise of variance 2ητ per coordinate
    schedule     finite and ≥ 0 (> 0 for a step size) at every step of the run
  Prints one row per law (part, key path, law, largest error, tolerance, pass/FAIL), and exits 0 when all
  pass, 4 when one fails, 2 for a config that does not compose. `mfld run --check` runs the same laws first.

  OPTIONS:
    --set key.path=value  override a key (repeatable)
    --plugin PATH         load the plugin library PATH first (repeatable; see docs/plugins.md)
    --quiet               print only the failing laws
    -h, --help            show this help
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--set", "--plugin"], flags: ["--quiet"])
    guard a.positionals.count == 1 else { throw UsageError("check takes one config file; see `mfld check --help`") }
    let results = try laws(file: a.positionals[0], overrides: a.options["--set"] ?? [], plugins: a.options["--plugin"] ?? [])
    let failed = results.filter { !$0.passed }
    let shown = a.flags.contains("--quiet") ? failed : results
    if !shown.isEmpty { print(table(shown)) }
    if !a.flags.contains("--quiet") { print("\n\(results.count) laws on \(Set(results.map(\.path)).count) parts: "
                                            + (failed.isEmpty ? "all pass" : "\(failed.count) FAIL")) }
    return failed.isEmpty ? 0 : 4
  }

  /// The laws of the config's parts, on a composition of its own (so a run that follows starts fresh).
  static func laws(file: String, overrides: [String], plugins: [String]) throws -> [LawResult] {
    let registry = Registry.standard()
    let composition = try Composition.load(file: file, overrides: overrides, plugins: plugins, registry: registry)
    return try ConfigCheck.laws(composition, registry: registry)
  }

  /// A Markdown table of the laws, one row each.
  static func table(_ results: [LawResult]) -> String {
    func number(_ x: Double) -> String { x.isFinite ? String(format: "%.2g", x) : String(x) }
    let rows = results.map { r in [r.part, r.path, r.law, number(r.error), number(r.tolerance), r.passed ? "pass" : "FAIL"] }
    let header = ["part", "key path", "law", "max error", "tolerance", "result"]
    return (["| " + header.joined(separator: " | ") + " |", "| --- | --- | --- | ---: | ---: | --- |"]
      + rows.map { "| " + $0.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" })
      .joined(separator: "\n")
  }
}
