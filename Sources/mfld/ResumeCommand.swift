import MFLD

enum ResumeCommand: Command {
  static let name = "resume"
  static let summary = "continue a checkpointed or interrupted run"
  static let help = """
  USAGE: mfld resume RUN_DIR [--checkpoint-every N] [--quiet]

  Continues the run in RUN_DIR from its checkpoint.json (written every --checkpoint-every steps, and
  whenever a run is interrupted), with the resolved config.json beside it. The trace is kept up to the
  checkpoint and appended to; the finished trace.csv and particles.csv are byte-identical to those of
  an uninterrupted run.
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--checkpoint-every", "--plugin"], flags: ["--quiet"])
    guard a.positionals.count == 1 else { throw UsageError("resume takes one run folder; see `mfld resume --help`") }
    let experiment = try Experiment.resume(directory: a.positionals[0], plugins: a.options["--plugin"] ?? [])
    return try RunCommand.execute(consume experiment, out: a.positionals[0], quiet: a.flags.contains("--quiet"),
                                  checkpointEvery: try RunCommand.checkpointEvery(a))
  }
}
