import Foundation

/// A Slurm job array that runs a planned sweep, one run per array task (`sbatch DIR/slurm.sbatch`).
///
/// Each task runs `mfld compare --resume DIR --task $SLURM_ARRAY_TASK_ID`: it skips a finished run and
/// resumes an interrupted one, so resubmitting the script (after a time limit, a node failure, or a
/// scancel) only does what is left. Slurm's SIGTERM at the time limit makes the run checkpoint and stop.
public struct SlurmArray: Equatable {
  /// The mfld executable the tasks run (absolute; the cluster's nodes must see it at this path).
  public var mfld: String
  /// At most this many tasks at once (`%P`); nil: as many as Slurm gives.
  public var parallel: Int?
  /// Threads per run (`--cpus-per-task`); the numbers do not depend on it.
  public var threads: Int
  public var partition: String?
  /// Wall-time limit per task, in Slurm's format (`1:00:00`).
  public var time: String?
  /// Extra `#SBATCH` lines, as given (`--mem=4G`, `--account=proj`).
  public var extra: [String]

  public init(mfld: String, parallel: Int? = nil, threads: Int = 1, partition: String? = nil, time: String? = nil, extra: [String] = []) {
    self.mfld = mfld
    self.parallel = parallel
    self.threads = threads
    self.partition = partition
    self.time = time
    self.extra = extra
  }

  /// The script for `sweep` (written to DIR/slurm.sbatch); task logs go to DIR/slurm/<job>_<task>.out.
  public func script(for sweep: Sweep) -> String {
    let dir = URL(fileURLWithPath: sweep.directory).standardizedFileURL.path
    let name = URL(fileURLWithPath: dir).lastPathComponent
    var lines = ["#!/bin/bash",
                 "# mfld sweep '\(name)': \(sweep.runs.count) runs, one per array task (DIR/manifest.csv lists them).",
                 "# Submit with: sbatch \(Self.quote(dir + "/slurm.sbatch"))   Collect with: mfld compare --collect \(Self.quote(dir))",
                 "#SBATCH --job-name=" + Self.sanitized("mfld-" + name),
                 "#SBATCH --array=0-\(max(0, sweep.runs.count - 1))" + (parallel.map { "%\($0)" } ?? ""),
                 "#SBATCH --ntasks=1",
                 "#SBATCH --cpus-per-task=\(threads)",
                 "#SBATCH --output=" + dir + "/slurm/%A_%a.out"]
    if let partition { lines.append("#SBATCH --partition=" + Self.sanitized(partition)) }
    if let time { lines.append("#SBATCH --time=" + Self.sanitized(time)) }
    lines += extra.map { "#SBATCH " + Self.sanitized($0) }
    lines += ["", "exec \(Self.quote(mfld)) compare --resume \(Self.quote(dir)) --task \"$SLURM_ARRAY_TASK_ID\" --threads \(threads)", ""]
    return lines.joined(separator: "\n")
  }

  /// Single-quoted for the shell.
  static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
  /// One line: control characters become spaces (an #SBATCH line cannot span two).
  static func sanitized(_ s: String) -> String { Comparison.oneLine(s) }
}
