import Foundation
import MFLD

enum PlotCommand: Command {
  static let name = "plot"
  static let summary = "draw SVG plots from run folders' traces"
  static let help = """
  USAGE: mfld plot RUN_DIR... [--out DIR] [--quantity NAME]...

  Draws every recorded quantity (or only the named ones) against the step, one line per run folder,
  as <quantity>.svg. With one run folder the plots go into it; with several, into DIR (default plots).
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--out", "--quantity"], flags: [])
    guard !a.positionals.isEmpty else { throw UsageError("plot needs at least one run folder; see `mfld plot --help`") }
    let runs = try a.positionals.map { try RunTrace(directory: $0) }
    let out = a.last("--out") ?? (runs.count == 1 ? a.positionals[0] : "plots")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let names = a.positionals.map { URL(fileURLWithPath: $0).lastPathComponent }
    let files = try RunPlots.write(runs, names: names, quantities: a.options["--quantity"], into: out)
    print("wrote \(files.count) plot\(files.count == 1 ? "" : "s") to \(out): " + files.joined(separator: ", "))
    return 0
  }
}
