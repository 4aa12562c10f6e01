import Foundation
import MFLD

enum PlotCommand: Command {
  static let name = "plot"
  static let summary = "draw SVG plots from run folders: traces, and the particles"
  static let help = """
  USAGE: mfld plot RUN_DIR... [--out DIR] [--quantity NAME]... [--particles]

  Draws every recorded quantity (or only the named ones) against the step, one line per run folder,
  as <quantity>.svg; a single run whose temperature varies gets the schedule on a second axis. With one
  run folder the plots go into it; with several, into DIR (default plots).

  --particles draws each run's particles instead, as particles.svg: up to six panels from
  particles/step-N.csv (written every record.particles_every steps) to the final particles.csv. 2-D
  clouds as points; higher dimensions projected on their two leading principal axes; a signed measure
  coloured by its weights r (in 1-D, r against w); a 1-D cloud as histograms.
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--out", "--quantity"], flags: ["--particles"])
    guard !a.positionals.isEmpty else { throw UsageError("plot needs at least one run folder; see `mfld plot --help`") }
    if a.flags.contains("--particles") {
      if a.options["--quantity"] != nil { throw UsageError("--quantity does not apply with --particles") }
      for run in a.positionals {
        var out = a.last("--out")
        if let o = out, a.positionals.count > 1 { out = o + "/" + URL(fileURLWithPath: run).lastPathComponent }
        if let o = out { try FileManager.default.createDirectory(atPath: o, withIntermediateDirectories: true) }
        print("wrote " + (try ParticlePlots.write(runDirectory: run, into: out)))
      }
      return 0
    }
    let runs = try a.positionals.map { try RunTrace(directory: $0) }
    let out = a.last("--out") ?? (runs.count == 1 ? a.positionals[0] : "plots")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let names = a.positionals.map { URL(fileURLWithPath: $0).lastPathComponent }
    let files = try RunPlots.write(runs, names: names, quantities: a.options["--quantity"], into: out)
    print("wrote \(files.count) plot\(files.count == 1 ? "" : "s") to \(out): " + files.joined(separator: ", "))
    return 0
  }
}
