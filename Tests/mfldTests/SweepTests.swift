import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `mfld compare` as a folder: planned, run here or on Slurm, resumed after a kill, collected.
@Suite(.serialized)
struct SweepTests {
  /// A small sweep of the exactly solvable example: 3 step sizes × 2 seeds.
  static func plan(_ dir: URL, steps: Int = 300, particles: Int = 200, extra: [String] = []) throws -> MFLD.Output {
    try MFLD.run(["compare", "examples/mckean-vlasov.json", "--set", "steps=\(steps)", "--set", "particles.count=\(particles)",
                  "--vary", "integrator.step=0.005,0.01,0.02", "--repeats", "2", "--plan", dir.path] + extra)
  }

  /// comparison.csv without the columns that hold wall-clock times (they differ between any two runs).
  static func deterministicCSV(_ dir: URL) throws -> [[String]] {
    let lines = try String(contentsOf: dir.appendingPathComponent("comparison.csv"), encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let timed: Set<String> = ["wall_seconds", "steps_per_second", "seconds_to_target", "objective_at_equal_time"]
    let keep = header.indices.filter { !timed.contains(header[$0]) }
    return lines.map { line in
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      return keep.map { cells[$0] }
    }
  }

  @Test("--plan writes a run folder per run with its resolved config, a manifest, and a Slurm array script; nothing runs")
  func planOnly() throws {
    let dir = try MFLD.temporaryDirectory().appendingPathComponent("sweep")
    let out = try Self.plan(dir, extra: ["--jobs", "2", "--partition", "short", "--time", "0:10:00", "--sbatch", "--mem=1G"])
    #expect(out.status == 0, "\(out.stderr)")
    let manifest = try String(contentsOf: dir.appendingPathComponent("manifest.csv"), encoding: .utf8).split(separator: "\n")
    #expect(manifest.first == "index,variant,seed,folder")
    #expect(manifest.count == 1 + 6)
    #expect(manifest[1].hasPrefix("0,integrator.step=0.005,7,runs/"))
    for line in manifest.dropFirst() {
      let folder = dir.appendingPathComponent(String(line.split(separator: ",").last!))
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path))
      #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("trace.csv").path), "nothing runs at --plan")
    }
    let script = try String(contentsOf: dir.appendingPathComponent("slurm.sbatch"), encoding: .utf8)
    for line in ["#SBATCH --array=0-5%2", "#SBATCH --partition=short", "#SBATCH --time=0:10:00", "#SBATCH --mem=1G",
                 "--task \"$SLURM_ARRAY_TASK_ID\""] {
      #expect(script.contains(line), "slurm.sbatch lacks \(line)")
    }
    #expect(script.contains(MFLD.executable.resolvingSymlinksInPath().path), "the script names this mfld")
    // Planning the same sweep again is harmless; a different one into the same folder is refused.
    #expect(try Self.plan(dir).status == 0)
    let other = try Self.plan(dir, steps: 301)
    #expect(other.status == 2 && other.stderr.contains("sweep.json") && other.stderr.contains("different sweep"), "\(other.stderr)")
  }

  @Test("--resume runs the sweep, --collect writes the table: swept values are numeric CSV columns; --task runs one run")
  func resumeAndCollect() throws {
    let dir = try MFLD.temporaryDirectory().appendingPathComponent("sweep")
    #expect(try Self.plan(dir).status == 0)
    let one = try MFLD.run(["compare", "--resume", dir.path, "--task", "4"])
    #expect(one.status == 0 && one.stdout.contains("run 4 (integrator.step=0.02, seed 7): completed"), "\(one.stdout)\(one.stderr)")
    let collectEarly = try MFLD.run(["compare", "--collect", dir.path])
    #expect(collectEarly.status == 0 && collectEarly.stderr.contains("5 of 6 runs have not finished"), "\(collectEarly.stderr)")
    let all = try MFLD.run(["compare", "--resume", dir.path, "--jobs", "2"])
    #expect(all.status == 0, "\(all.stderr)")
    #expect(all.stderr.contains("1 of 6 runs already finished; running 5"), "\(all.stderr)")
    let csv = try Self.deterministicCSV(dir)
    #expect(Array(csv[0].prefix(4)) == ["variant", "integrator.step", "seed", "status"])
    #expect(csv.dropFirst().map { Double($0[1]) } == [0.005, 0.005, 0.01, 0.01, 0.02, 0.02])
    #expect(csv.dropFirst().allSatisfy { $0[3] == "completed" })
    // Collecting again gives the same table.
    #expect(try MFLD.run(["compare", "--collect", dir.path]).status == 0)
    #expect(try Self.deterministicCSV(dir) == csv)
  }

  @Test("one diverging variant among three: exit 3 naming it, and the table, CSV and page for the other two are written")
  func divergedVariant() throws {
    let dir = try MFLD.temporaryDirectory().appendingPathComponent("cmp")
    let out = try MFLD.run(["compare", "examples/mckean-vlasov.json", "--set", "steps=200", "--set", "particles.count=100",
                            "--vary", "integrator.step=0.005,0.01,5", "--out", dir.path, "--quiet"])
    #expect(out.status == 3, "\(out.stderr)")
    #expect(out.stderr.contains("1 of 3 runs diverged or failed") && out.stderr.contains("integrator.step, now 5"), "\(out.stderr)")
    let csv = try Self.deterministicCSV(dir)
    #expect(csv.dropFirst().map { $0[3] } == ["completed", "completed", "diverged"])
    let md = try String(contentsOf: dir.appendingPathComponent("comparison.md"), encoding: .utf8)
    #expect(md.contains("| integrator.step=5 | — (1 of 1 diverged: diverged at step"), "\(md)")
    #expect(md.contains("| integrator.step=0.005 | 0."))
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("index.html").path))
    // The target is the worst *completed* mean, not the diverged run's astronomically large value.
    #expect(md.contains("Target: 0."), "\(md)")
  }

  @Test("kill -9 during `compare --resume --jobs 2`: running again runs only the unfinished runs, and the table equals an uninterrupted one's")
  func killAndResume() throws {
    let root = try MFLD.temporaryDirectory()
    let killed = root.appendingPathComponent("killed"), clean = root.appendingPathComponent("clean")
    for dir in [killed, clean] { #expect(try Self.plan(dir, steps: 3000, particles: 300, extra: ["--checkpoint-every", "500"]).status == 0) }
    #expect(try MFLD.run(["compare", "--resume", clean.path, "--jobs", "2", "--quiet"]).status == 0)
    let p = try MFLD.start(["compare", "--resume", killed.path, "--jobs", "2"])
    // Wait for the first run to finish, then kill -9 while the next ones run.
    try MFLD.waitFor(killed.appendingPathComponent("runs/integrator_step_0_005/seed-7/summary.json"))
    usleep(150_000)
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    let finished = try FileManager.default.subpathsOfDirectory(atPath: killed.path).filter { $0.hasSuffix("summary.json") }.count
    #expect(finished >= 1 && finished < 6, "killed with \(finished) runs finished")
    let again = try MFLD.run(["compare", "--resume", killed.path, "--jobs", "2"])
    #expect(again.status == 0, "\(again.stderr)")
    let started = again.stderr.split(separator: "\n").filter { $0.hasSuffix(", seed 7") || $0.hasSuffix(", seed 8") }.count
    #expect(started == 6 - finished, "ran \(started) runs with \(finished) already finished:\n\(again.stderr)")
    #expect(try Self.deterministicCSV(killed) == Self.deterministicCSV(clean))
    // …and every run's trace and particles are the uninterrupted ones, byte for byte.
    for sub in try FileManager.default.subpathsOfDirectory(atPath: clean.path) where sub.hasSuffix("trace.csv") || sub.hasSuffix("particles.csv") {
      #expect(try Data(contentsOf: killed.appendingPathComponent(sub)) == Data(contentsOf: clean.appendingPathComponent(sub)), "\(sub)")
    }
  }

  @Test("SIGTERM stops a local comparison: running runs checkpoint, exit 143, and --resume finishes it")
  func terminateAndResume() throws {
    let dir = try MFLD.temporaryDirectory().appendingPathComponent("sweep")
    #expect(try Self.plan(dir, steps: 6000, particles: 300).status == 0)
    let p = try MFLD.start(["compare", "--resume", dir.path, "--jobs", "2"])
    try MFLD.waitFor(dir.appendingPathComponent("runs/integrator_step_0_005/seed-7/trace.csv.partial"))
    usleep(300_000)
    kill(p.processIdentifier, SIGTERM)
    p.waitUntilExit()
    #expect(p.terminationStatus == 143)
    let checkpoints = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix("checkpoint.json") }
    #expect(!checkpoints.isEmpty, "running runs write a checkpoint when stopped")
    let again = try MFLD.run(["compare", "--resume", dir.path, "--jobs", "2", "--quiet"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try Self.deterministicCSV(dir).dropFirst().allSatisfy { $0[3] == "completed" })
  }

  /// Whether a Slurm cluster answers here (`sinfo` shows a usable node).
  static var slurmAvailable: (Bool, String) {
    guard let (status, text) = try? shell("sinfo -h -o %t") else { return (false, "sinfo cannot be started") }
    guard status == 0 else { return (false, "sinfo exited \(status): no Slurm installed, or no controller running") }
    guard text.contains("idle") || text.contains("mix") || text.contains("alloc") else { return (false, "no node is up (sinfo: \(text))") }
    return (true, "")
  }

  /// Runs a shell command line, returning its status and output.
  static func shell(_ command: String) throws -> (Int32, String) {
    try Subprocess.run("/bin/sh", ["-c", command], in: MFLD.packageRoot)
  }

  @Test("on Slurm: sbatch the planned array, wait for it, collect; the table equals a local --resume of the same plan")
  func slurmEndToEnd() throws {
    let (available, why) = Self.slurmAvailable
    if !available {
      // CI starts a one-node cluster (scripts/slurm-local.sh) and sets MFLD_REQUIRE_SLURM=1: there it must run.
      #expect(ProcessInfo.processInfo.environment["MFLD_REQUIRE_SLURM"] == nil, "Slurm is required here but \(why)")
      print("SweepTests.slurmEndToEnd: skipped — \(why). `scripts/slurm-local.sh start` starts a one-node cluster.")
      return
    }
    let root = try MFLD.temporaryDirectory()
    let onSlurm = root.appendingPathComponent("slurm"), local = root.appendingPathComponent("local")
    for dir in [onSlurm, local] { #expect(try Self.plan(dir, extra: ["--jobs", "2"]).status == 0) }
    let (status, submitted) = try Self.shell("sbatch --parsable '\(onSlurm.path)/slurm.sbatch'")
    let job = submitted.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(status == 0 && Int(job.split(separator: ";")[0]) != nil, "sbatch: \(submitted)")
    print("SweepTests.slurmEndToEnd: sbatch job \(job), array 0-5%2")
    let deadline = Date().addingTimeInterval(150)
    while true {
      let (_, queued) = try Self.shell("squeue -h -j \(job.split(separator: ";")[0]) -o '%i %t'")
      if queued.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
      guard Date() < deadline else {
        Issue.record("the array did not finish in 150 s: \(queued)")
        _ = try? Self.shell("scancel \(job)")
        return
      }
      usleep(500_000)
    }
    let logs = try FileManager.default.contentsOfDirectory(atPath: onSlurm.appendingPathComponent("slurm").path).sorted()
    print("SweepTests.slurmEndToEnd: task logs " + logs.joined(separator: " "))
    #expect(logs.count == 6, "one log per array task: \(logs)")
    let collected = try MFLD.run(["compare", "--collect", onSlurm.path])
    #expect(collected.status == 0, "\(collected.stderr)")
    #expect(try MFLD.run(["compare", "--resume", local.path, "--quiet"]).status == 0)
    let slurmTable = try Self.deterministicCSV(onSlurm)
    #expect(slurmTable.count == 7 && slurmTable.dropFirst().allSatisfy { $0[3] == "completed" })
    #expect(slurmTable == (try Self.deterministicCSV(local)))
  }
}
