import Foundation
import Testing

/// What a run leaves for people who were not watching: a log a cluster can keep, and particle snapshots.
struct RunOutputTests {
  @Test("stderr not a terminal (a batch log): the header comes first, then a plain timestamped progress line every --progress-every seconds")
  func batchLog() throws {
    let out = try MFLD.temporaryDirectory()
    let r = try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=3000", "--out", out.path, "--progress-every", "0.05"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("2000 particles on ℝ^2, 3000 steps, "), "the header is the first line: \(r.stdout)")
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count >= 2, "progress lines: \(r.stderr)")
    for line in lines {
      // 2026-12-06T03:50:01Z step 1200/3000 40% 3210 steps/s F = 0.12345 left 0:01 — no escape sequences.
      #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ step \d+/3000 \d+% \d+ steps/s F = \S+ left \d+:\d\d$"#,
                         options: .regularExpression) != nil, "\(line)")
    }
    // Quiet: nothing at all on stderr.
    let quiet = try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=300", "--out", out.appendingPathComponent("quiet").path, "--quiet",
                              "--progress-every", "0.01"])
    #expect(quiet.status == 0 && quiet.stderr.isEmpty && quiet.stdout.isEmpty)
    let bad = try MFLD.run(["run", "examples/mckean-vlasov.json", "--progress-every", "0"])
    #expect(bad.status == 2 && bad.stderr.contains("--progress-every must be a number of seconds > 0"))
  }

  @Test("record.particles_every writes particles/step-N.csv in particles.csv's format without changing the run (bilevel, off the record grid)")
  func snapshots() throws {
    let root = try MFLD.temporaryDirectory()
    let plain = root.appendingPathComponent("plain"), snapshots = root.appendingPathComponent("snapshots")
    #expect(try MFLD.run(["run", "examples/bilevel-2nn.json", "--set", "steps=60", "--out", plain.path, "--quiet"]).status == 0)
    #expect(try MFLD.run(["run", "examples/bilevel-2nn.json", "--set", "steps=60", "--set", "record.particles_every=25",
                          "--out", snapshots.path, "--quiet"]).status == 0)
    for name in ["trace.csv", "particles.csv"] {
      #expect(try Data(contentsOf: plain.appendingPathComponent(name)) == Data(contentsOf: snapshots.appendingPathComponent(name)), "\(name)")
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: snapshots.appendingPathComponent("particles").path).sorted()
    #expect(files == ["step-0.csv", "step-25.csv", "step-50.csv"])
    let header = try String(contentsOf: snapshots.appendingPathComponent("particles/step-25.csv"), encoding: .utf8).prefix { $0 != "\n" }
    #expect(header == "r,w1,w2,w3,w4,w5,w6")
    // …and `mfld plot --particles` draws them with the final cloud.
    let plot = try MFLD.run(["plot", snapshots.path, "--particles"])
    #expect(plot.status == 0 && plot.stdout.contains("particles.svg"), "\(plot.stderr)")
    let svg = try String(contentsOf: snapshots.appendingPathComponent("particles.svg"), encoding: .utf8)
    for title in ["step 0", "step 25", "step 50", "step 60 (final)"] { #expect(svg.contains(">\(title)</text>"), "\(title)") }
  }
}
