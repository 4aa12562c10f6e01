import Foundation
import Testing

/// `mfld new-plugin` writes a package that builds and runs as written: the command it prints builds it, and
/// `mfld check` passes every law of every part its configs compose — for an integrator (the issue's example)
/// and for a package with a sample part of every kind.
@Suite(.serialized)
struct NewPluginTests {
  /// The lines of `output` that are commands to run, as words ("swift build --package-path DIR").
  func commands(_ output: String, starting prefix: String) -> [[String]] {
    output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix(prefix) }
      .map { String($0.split(separator: "(")[0]).split(separator: " ").map(String.init) }
  }

  func build(_ words: [String], in directory: URL) throws {
    var r = try Subprocess.run(words[0], Array(words.dropFirst()), in: directory)
    if r.status != 0 && r.output.contains("was modified during the build") { r = try Subprocess.run(words[0], Array(words.dropFirst()), in: directory) }
    let errors = r.output.split(separator: "\n").filter { $0.contains("error") }.prefix(10).joined(separator: "\n")
    #expect(r.status == 0, "\(words.joined(separator: " ")) failed:\n\(errors)")
  }

  @Test("new-plugin demo --kind integrator: the printed build command builds it, mfld check passes on its config, and it runs")
  func integrator() throws {
    let parent = try MFLD.temporaryDirectory()
    let made = try MFLD.run(["new-plugin", "demo", "--kind", "integrator"], in: parent)
    #expect(made.status == 0, "\(made.stderr)")
    let dir = parent.appendingPathComponent("demo")
    for file in ["Package.swift", "Sources/DemoParts/DemoIntegrator.swift", "Sources/DemoPlugin/Plugin.swift", "Tests/DemoPartsTests/DemoTests.swift",
                 "demo.json", "README.md"] {
      #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file) missing")
    }
    let builds = commands(made.stdout, starting: "swift build")
    #expect(builds == [["swift", "build", "--package-path", "demo"]], "\(made.stdout)")
    try build(try #require(builds.first), in: parent)
    for words in commands(made.stdout, starting: "mfld ") {
      let r = try MFLD.run(Array(words.dropFirst()) + (words[1] == "run" ? ["--out", parent.appendingPathComponent("out").path, "--quiet"] : []),
                           in: parent)
      #expect(r.status == 0, "\(words.joined(separator: " ")): \(r.stdout)\(r.stderr)")
      // The plugin integrator's nested schedules (built by mfld across the boundary) are checked too.
      if words[1] == "check" { #expect(r.stdout.contains("| integrator.step |") && r.stdout.contains("all pass"), "\(r.stdout)") }
    }
    let describe = try MFLD.run(["describe", "demo", "--plugin", dir.appendingPathComponent(".build/debug/libDemo.so").path])
    #expect(describe.status == 0 && describe.stdout.contains("demo (integrator)") && describe.stdout.contains("Heun"), "\(describe.stdout)")
  }

  @Test("new-plugin --kind all: twelve sample parts build together, and every config passes mfld check, runs, and passes the package's own test")
  func everyKind() throws {
    let parent = try MFLD.temporaryDirectory()
    let made = try MFLD.run(["new-plugin", "gallery", "g", "--kind", "all"], in: parent)
    #expect(made.status == 0, "\(made.stderr)")
    let dir = parent.appendingPathComponent("g")
    try build(["swift", "build", "--build-tests", "--package-path", "g"], in: parent)
    let configs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
    #expect(configs.count == 12)
    for c in configs {
      let check = try MFLD.run(["check", "g/\(c)"], in: parent)
      #expect(check.status == 0 && check.stdout.contains("all pass"), "\(c): \(check.stdout)\(check.stderr)")
      let run = try MFLD.run(["run", "g/\(c)", "--out", parent.appendingPathComponent("out-\(c)").path, "--quiet"], in: parent)
      #expect(run.status == 0, "\(c): \(run.stderr)")
    }
    let test = try Subprocess.run("swift", ["test", "--skip-build", "--package-path", "g"], in: parent)
    #expect(test.status == 0 && test.output.contains("passed"), "\(test.output.suffix(2000))")
  }

  @Test("bad arguments to new-plugin: one line, exit 2, nothing written")
  func badArguments() throws {
    let parent = try MFLD.temporaryDirectory()
    for (args, message) in [(["x", "--kind", "integrater"], "unknown kind 'integrater' (did you mean 'integrator'?)"),
                            (["9lives"], "must start with a letter"),
                            (["x", "--mfld", "/tmp"], "is not the mfld package"),
                            ([String](), "takes a NAME")] {
      let r = try MFLD.run(["new-plugin"] + args, in: parent)
      #expect(r.status == 2 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(message), "\(args): \(r.stderr)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
    try MFLD.write("{}", to: "keep.json", in: parent.appendingPathComponent("full").creatingDirectory())
    let full = try MFLD.run(["new-plugin", "x", "full"], in: parent)
    #expect(full.status == 2 && full.stderr.contains("is not empty") && full.stderr.contains("--force"), "\(full.stderr)")
  }
}

extension URL {
  func creatingDirectory() throws -> URL {
    try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
    return self
  }
}
