import Foundation
import MFLD
import Testing

/// Plugins (docs/plugins.md): the example plugin built as a separate package, loaded by the
/// unmodified `mfld`, listed and described; the second route (a custom runner); the plugin's parts
/// through the host bridge passing the finite-difference check; and every bad library refused on
/// one line with exit status 2.
struct PluginTests {
  /// examples/plugin, built once per test process (debug, into its own git-ignored .build).
  static let example: Result<URL, PluginBuildError> = {
    let package = MFLD.packageRoot.appendingPathComponent("examples/plugin")
    do {
      var build = try Subprocess.run("swift", ["build", "--package-path", package.path], in: MFLD.packageRoot)
      // A source edited while it compiled, or a source file added to mfld since the plugin's last build (SwiftPM
      // notices new files of a path dependency on the next build), is worth one more try.
      for _ in 0..<2 where build.status != 0 && (build.output.contains("was modified during the build") || build.output.contains("in scope")) {
        build = try Subprocess.run("swift", ["build", "--package-path", package.path], in: MFLD.packageRoot)
      }
      guard build.status == 0 else {
        let lines = build.output.split(separator: "\n")
        let errors = lines.filter { $0.contains("error") }.prefix(10)
        let shown = errors.isEmpty ? Array(lines.suffix(15)) : Array(errors)
        return .failure(PluginBuildError(message: "swift build --package-path examples/plugin failed (status \(build.status)):\n"
                                           + shown.joined(separator: "\n")))
      }
      let bin = try Subprocess.run("swift", ["build", "--package-path", package.path, "--show-bin-path"], in: MFLD.packageRoot)
      let path = bin.output.split(separator: "\n").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
      guard bin.status == 0, !path.isEmpty else { return .failure(PluginBuildError(message: "no bin path: " + bin.output)) }
      return .success(URL(fileURLWithPath: path))
    } catch {
      return .failure(PluginBuildError(message: "\(error)"))
    }
  }()

  struct PluginBuildError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
  }

  static func library() throws -> String { try example.get().appendingPathComponent("libExamplePlugin.so").path }

  /// Tiny C libraries for the bad-plugin cases, compiled once with gcc.
  static let cLibraries: Result<URL, PluginBuildError> = {
    do {
      let dir = try MFLD.temporaryDirectory()
      for (name, source, flags) in [("noentry", noEntrySource, [String]()), ("wrongabi", wrongABISource, []),
                                    ("cbowl", cPluginSource, []), ("clash", cPluginSource, ["-DCLASH"]),
                                    ("cwrongsign", cPluginSource, ["-DGRADIENT_FACTOR=-1"]), ("coffby1", cPluginSource, ["-DGRADIENT_FACTOR=1.01"]),
                                    ("old", cPluginSource, ["-DVERSION=1"]), ("cnan", cPluginSource, ["-DVALUE_NAN"]), ("unknownkind", cPluginSource, ["-DUNKNOWN_KIND"]),
                                    ("mallocs", mallocCounterSource, [])] {
        let c = try MFLD.write(source, to: name + ".c", in: dir)
        let r = try Subprocess.run("gcc", ["-shared", "-fPIC", "-O1"] + flags + ["-o", dir.appendingPathComponent("lib\(name).so").path, c], in: dir)
        guard r.status == 0 else { return .failure(PluginBuildError(message: "gcc failed for \(name): \(r.output)")) }
      }
      try MFLD.write(String(repeating: "this is not a shared library\n", count: 20), to: "libtext.so", in: dir)
      return .success(dir)
    } catch {
      return .failure(PluginBuildError(message: "\(error)"))
    }
  }()

  static func cLibrary(_ name: String) throws -> String { try cLibraries.get().appendingPathComponent("lib\(name).so").path }

  // MARK: The first route: the unmodified mfld loads the library

  @Test("mfld runs the example config, which names the plugin, and the trace has the plugin's columns")
  func endToEnd() throws {
    _ = try Self.library()
    let out = try MFLD.temporaryDirectory()
    let r = try MFLD.run(["run", "examples/plugin/student-t.json", "--out", out.path, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let trace = try String(contentsOf: out.appendingPathComponent("trace.csv"), encoding: .utf8)
    let rows = trace.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    #expect(rows.first == ["step", "time", "temperature", "step_size", "objective", "t_energy", "mean_offset", "mean_1", "mean_2"])
    let last = try #require(rows.last).compactMap(Double.init)
    #expect(last.count == 9 && last.allSatisfy(\.isFinite) && last[0] == 400)
    // The cloud's mean settles at the Student-t center (1, -0.5), which is also the pull's target.
    #expect(abs(last[7] - 1) < 0.2 && abs(last[8] + 0.5) < 0.2, "mean (\(last[7]), \(last[8]))")
    #expect(abs(last[4] - last[5] - 0.25 * last[6] * last[6]) < 1e-9, "objective = t_energy + (κ/2) mean_offset²")

    // The resolved config names the library by its absolute path, so it reruns from anywhere,
    // bit for bit; and the run does not depend on the thread count.
    let config = try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8)
    #expect(config.contains("\"" + MFLD.packageRoot.path + "/examples/plugin/.build/debug/libExamplePlugin.so\""), "\(config)")
    let again = try MFLD.temporaryDirectory()
    let rerun = try MFLD.run(["run", out.appendingPathComponent("config.json").path, "--out", again.path, "--quiet", "--threads", "1"],
                             in: again)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    #expect(try String(contentsOf: again.appendingPathComponent("trace.csv"), encoding: .utf8) == trace)
  }

  @Test("mfld list and describe show the plugin's parts; --plugin naming the config's own library is harmless")
  func listAndDescribe() throws {
    let lib = try Self.library()
    let plain = try MFLD.run(["list"])
    #expect(!plain.stdout.contains("student-t"))
    let list = try MFLD.run(["list", "--plugin", lib])
    #expect(list.status == 0, "\(list.stderr)")
    #expect(list.stdout.contains("Student-t negative log-likelihood") && list.stdout.contains("heavy-tailed attraction"))
    #expect(list.stdout.contains("Student-t energy with a mean-field pull"))
    let potentials = try MFLD.run(["list", "potential", "--plugin", lib])
    #expect(potentials.stdout.contains("student-t") && potentials.stdout.contains("quadratic") && !potentials.stdout.contains("KERNELS"))

    let d = try MFLD.run(["describe", "student-t", "--plugin", lib])
    #expect(d.status == 0, "\(d.stderr)")
    for s in ["student-t (objective)", "student-t (potential)", "student-t (kernel)", "PARAMETERS", "nu", "number in (0, ∞)",
              "default 3.0", "degrees of freedom", "target_mean", "From the plugin"] {
      #expect(d.stdout.contains(s), "'\(s)' missing from describe")
    }
    let kernel = try MFLD.run(["describe", "student-t", "--kind", "kernel", "--plugin", lib])
    #expect(kernel.stdout.contains("strength") && !kernel.stdout.contains("(objective)"))
    let unknown = try MFLD.run(["describe", "student-t"])
    #expect(unknown.status == 2 && unknown.stderr.contains("no part named 'student-t'"))

    let both = try MFLD.run(["validate", "examples/plugin/student-t.json", "--plugin", lib, "--quiet"])
    #expect(both.status == 0, "the same library from the config and --plugin: \(both.stderr)")
    let config = try MFLD.run(["describe", "config"])
    #expect(config.stdout.contains("plugins") && config.stdout.contains("array of file paths"))
  }

  @Test("plugin parts are validated from their declarations like built-in ones")
  func validation() throws {
    let lib = try Self.library()
    let dir = try MFLD.temporaryDirectory()
    let config = """
    {"plugins": ["\(lib)"], "domain": {"type": "euclidean", "dimension": 2},
     "objective": {"type": "potential", "V": {"type": "student-t", "nu": -1}},
     "integrator": {"type": "euler-maruyama", "step": 0.01, "temperature": 1}, "particles": {"count": 10}, "steps": 5}
    """
    let bad = try MFLD.run(["validate", try MFLD.write(config, to: "c.json", in: dir)])
    expectOneLine(bad, contains: ["c.json: objective.V.nu: must be > 0, found -1"])
    let typo = try MFLD.run(["validate", try MFLD.write(config.replacingOccurrences(of: "\"nu\"", with: "\"nuu\""), to: "t.json", in: dir)])
    expectOneLine(typo, contains: ["objective.V.nuu: unknown key for potential 'student-t'", "did you mean 'nu'?"])
    // An error thrown by the plugin's build closure crosses back with its key path.
    let center = config.replacingOccurrences(of: "\"nu\": -1", with: "\"center\": [1, 2, 3]")
    let wrong = try MFLD.run(["validate", try MFLD.write(center, to: "w.json", in: dir)])
    expectOneLine(wrong, contains: ["w.json: objective.V.center: has 3 numbers, the domain has 2 coordinates"])
    let ok = try MFLD.run(["validate", try MFLD.write(config.replacingOccurrences(of: "-1", with: "2"), to: "ok.json", in: dir)])
    #expect(ok.status == 0 && ok.stdout.contains("\"scale\": 1.0"), "\(ok.stderr)")
  }

  // MARK: The second route: a runner that registers the parts itself

  @Test("the custom runner registers the same parts directly and gets the same trace")
  func customRunner() throws {
    let runner = try Self.example.get().appendingPathComponent("example-runner").path
    let viaRunner = try MFLD.temporaryDirectory(), viaPlugin = try MFLD.temporaryDirectory()
    let r = try Subprocess.run(runner, ["examples/plugin/runner.json", "--out", viaRunner.path], in: MFLD.packageRoot)
    #expect(r.status == 0, "\(r.output)")
    let p = try MFLD.run(["run", "examples/plugin/student-t.json", "--out", viaPlugin.path, "--quiet"])
    #expect(p.status == 0, "\(p.stderr)")
    func rows(_ dir: URL) throws -> [[Double]] {
      try String(contentsOf: dir.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        .map { $0.split(separator: ",").compactMap { Double($0) } }
    }
    let a = try rows(viaRunner), b = try rows(viaPlugin)
    #expect(a.count == b.count && a.count == 11)
    for (x, y) in zip(a, b) {
      for (u, v) in zip(x, y) { #expect(abs(u - v) <= 1e-9 * max(1, abs(u)), "runner \(u), plugin \(v)") }
    }
  }

  // MARK: The bridge in-process: the finite-difference check

  static let bridgeSamples: [(String, ConfigValue)] = [
    ("ℝ^2", ["type": "student-t", "nu": 3.0, "center": [0.3, -0.2], "pull": 0.7, "target_mean": [0.1, 0.4]]),
    ("ℝ^2", ["type": "potential", "V": ["type": "student-t", "nu": 1.5, "scale": 0.8, "center": [0.2, 0.1]]]),
    ("ℝ^2", ["type": "interaction", "W": ["type": "student-t", "nu": 4.0, "strength": 0.6]]),
    ("S^2", ["type": "student-t", "nu": 2.0, "pull": 1.5]),
    ("T^2", ["type": "sum", "terms": [["type": "potential", "V": ["type": "student-t"]], ["type": "interaction", "W": "student-t"]]]),
  ]

  @Test("the plugin's objective, potential and kernel pass FirstVariationCheck through the host bridge", arguments: bridgeSamples)
  func firstVariation(domain: String, objective: ConfigValue) throws {
    let registry = Registry.standard()
    let added = try registry.loadPlugin(try Self.library())
    #expect(Set(added.map(\.kind)) == Set(PartKind.allCases), "the example plugin has a part of every kind")
    let domains: [String: ConfigValue] = [
      "ℝ^2": ["type": "euclidean", "dimension": 2], "S^2": ["type": "sphere", "dimension": 2], "T^2": ["type": "torus", "dimension": 2],
    ]
    let e = try Experiment.compose([
      "domain": domains[domain]!,
      "objective": objective,
      "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.0],
      "particles": ["count": 5, "init": ["type": "gaussian", "std": 0.7]],
      "steps": 0,
    ], registry: registry)
    let f = e.plan.problem.objective
    if case .object(let o) = objective, o["type"] == "student-t" {
      #expect("\(type(of: f))".contains("BridgedObjective"), "expected the bridge, got \(type(of: f))")
      #expect(f.observableNames == ["t_energy", "mean_offset"])
      let observed = try f.observe(e.plan.state.cloud, parallel: .serial)
      #expect(observed.count == 2 && observed.allSatisfy(\.isFinite))
    }
    let failures = try FirstVariationCheck().check(f, on: e.plan.state.cloud, geometry: e.domain, random: RandomStream(seed: 5))
    #expect(failures.isEmpty, "\(failures)")
    // Loading the same file into the same registry again is a no-op.
    #expect(try registry.loadPlugin(try Self.library()).isEmpty)
  }

  @Test("a plugin part's random stream is the host's: the key survives the boundary")
  func randomKeys() {
    var g = RandomStream(seed: 99).generator()
    for _ in 0..<200 {
      let s = RandomStream(seed: g.next()).split("parts").split("objective.V")
      #expect(RandomStream(key: s.key) == s)
    }
  }

  // MARK: Bad plugins: one line, exit status 2, no crash

  func expectOneLine(_ r: MFLD.Output, contains parts: [String]) {
    #expect(r.status == 2, "status \(r.status): \(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("mfld: error: "), "\(r.stderr)")
    for p in parts { #expect(r.stderr.contains(p), "'\(p)' not in: \(r.stderr)") }
  }

  @Test("a library that does not exist")
  func missingLibrary() throws {
    for command in [["list"], ["describe", "quadratic"]] {
      expectOneLine(try MFLD.run(command + ["--plugin", "no/such/libX.so"]), contains: ["cannot load plugin 'no/such/libX.so': no such file"])
    }
    let dir = try MFLD.temporaryDirectory()
    let config = try MFLD.write(BadInputTests.base.replacingOccurrences(of: "{\n", with: "{\n  \"plugins\": [\"lib/libX.so\"],\n"),
                                to: "config.json", in: dir)
    expectOneLine(try MFLD.run(["run", config, "--quiet"]),
                  contains: ["config.json: plugins[0]: cannot load plugin '\(dir.path)/lib/libX.so': no such file"])
    expectOneLine(try MFLD.run(["validate", config, "--set", "plugins=[]"]), contains: ["plugins: cannot be set with --set", "--plugin"])
    let notArray = try MFLD.write(BadInputTests.base.replacingOccurrences(of: "{\n", with: "{\n  \"plugins\": \"libX.so\",\n"),
                                  to: "scalar.json", in: dir)
    expectOneLine(try MFLD.run(["validate", notArray]), contains: ["scalar.json: plugins: expected an array of file paths"])
  }

  @Test("a file that is not a library")
  func notALibrary() throws {
    let text = try Self.cLibrary("text")
    expectOneLine(try MFLD.run(["list", "--plugin", text]), contains: ["cannot load plugin", "not a loadable shared library (invalid ELF header)"])
    expectOneLine(try MFLD.run(["list", "--plugin", NSTemporaryDirectory()]), contains: ["is a folder, not a library"])
  }

  @Test("a library without the entry point")
  func noEntryPoint() throws {
    expectOneLine(try MFLD.run(["describe", "quadratic", "--plugin", try Self.cLibrary("noentry")]),
                  contains: ["not an mfld plugin: it does not export mfld_plugin_abi_version", "@_cdecl"])
  }

  @Test("a library built for another ABI version (its register function is never called)")
  func wrongVersion() throws {
    expectOneLine(try MFLD.run(["list", "--plugin", try Self.cLibrary("wrongabi")]),
                  contains: ["built for plugin ABI version 99, this mfld uses version \(PluginABI.version)", "rebuild the plugin"])
  }

  @Test("a plugin built for the previous ABI (version 1) is refused before anything of it runs")
  func previousVersion() throws {
    expectOneLine(try MFLD.run(["list", "--plugin", try Self.cLibrary("old")]),
                  contains: ["built for plugin ABI version 1, this mfld uses version 2", "rebuild the plugin against this mfld"])
  }

  @Test("a plugin that declares a kind of part mfld does not know is refused, and nothing of it is registered")
  func unknownKind() throws {
    expectOneLine(try MFLD.run(["list", "--plugin", try Self.cLibrary("unknownkind")]),
                  contains: ["cannot load plugin", "unknown kind 'optimizer'", "fix the plugin's declaration"])
    let registry = Registry.standard()
    #expect(throws: ConfigError.self) { try registry.loadPlugin(try Self.cLibrary("unknownkind")) }
    #expect(registry.component(.potential, "c-bowl") == nil)
  }

  @Test("a plugin that registers a name already taken: a built-in, or another copy of the same plugin")
  func nameTaken() throws {
    expectOneLine(try MFLD.run(["list", "--plugin", try Self.cLibrary("clash")]),
                  contains: ["it registers a potential named 'quadratic', which is already registered"])
    let copy = try MFLD.temporaryDirectory().appendingPathComponent("libExamplePluginCopy.so")
    try FileManager.default.copyItem(atPath: try Self.library(), toPath: copy.path)
    expectOneLine(try MFLD.run(["run", "examples/plugin/student-t.json", "--plugin", copy.path, "--quiet"]),
                  contains: ["cannot load plugin '\(copy.path)'", "an objective named 'student-t', which is already registered by the plugin"])
    // Nothing of a refused plugin is registered (cbowl's potential comes before the clash).
    let registry = Registry.standard()
    #expect(throws: ConfigError.self) { try registry.loadPlugin(try Self.cLibrary("clash")) }
    #expect(registry.component(.potential, "c-bowl") == nil && registry.pluginLibraries.isEmpty)
  }

  @Test("a plugin written in C against the documented layout works (the ABI is plain C)")
  func cPlugin() throws {
    let lib = try Self.cLibrary("cbowl")
    let dir = try MFLD.temporaryDirectory()
    let config = try MFLD.write(BadInputTests.base.replacingOccurrences(of: "{\"type\": \"quadratic\", \"a\": 1}", with: "{\"type\": \"c-bowl\", \"a\": 2}")
      .replacingOccurrences(of: "\"steps\": 20", with: "\"steps\": 20, \"record\": {\"observers\": [\"variance\"]}"), to: "c.json", in: dir)
    let r = try MFLD.run(["run", config, "--plugin", lib, "--out", dir.appendingPathComponent("out").path])
    #expect(r.status == 0, "\(r.stderr)")
    let registry = Registry.standard()
    try registry.loadPlugin(lib)
    let e = try Experiment.load(file: config, registry: registry)
    #expect(try FirstVariationCheck().check(e.plan.problem.objective, on: e.plan.state.cloud, geometry: e.domain,
                                            random: RandomStream(seed: 1)).isEmpty)
    let f = try e.plan.problem.objective.value(ParticleCloud(count: 1, dimension: 2, coordinates: [1, 2]))
    #expect(abs(f - 5) < 1e-12, "V(1, 2) = (2/2)·5")
  }

  @Test("mfld check fails a plugin potential whose gradient has the wrong sign or is 1% off, naming part, key path and law; run --check refuses it",
        arguments: ["cwrongsign", "coffby1"])
  func checkCatchesWrongGradient(_ name: String) throws {
    let dir = try MFLD.temporaryDirectory()
    let config = try MFLD.write(BadInputTests.base.replacingOccurrences(of: "{\"type\": \"quadratic\", \"a\": 1}",
                                                                         with: "{\"type\": \"c-bowl\", \"a\": 2}"), to: "c.json", in: dir)
    let good = try MFLD.run(["check", config, "--plugin", try Self.cLibrary("cbowl")])
    #expect(good.status == 0 && good.stdout.contains("all pass"), "\(good.stdout)\(good.stderr)")
    let bad = try MFLD.run(["check", config, "--plugin", try Self.cLibrary(name)])
    #expect(bad.status == 4, "\(bad.stdout)\(bad.stderr)")
    #expect(bad.stdout.contains("| potential 'c-bowl' | objective.V | ∇f(x)·v = d/dh f(x + hv) |") && bad.stdout.contains("| FAIL |"), "\(bad.stdout)")
    let run = try MFLD.run(["run", config, "--plugin", try Self.cLibrary(name), "--check", "--out", dir.appendingPathComponent("out").path])
    #expect(run.status == 4 && run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("law(s) failed"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/trace.csv").path), "the run started")
  }

  @Test("a plugin part that returns NaN stops the run on one line that points at mfld check (not at the step size), which fails it")
  func returnsNaN() throws {
    let dir = try MFLD.temporaryDirectory()
    let config = try MFLD.write(BadInputTests.base.replacingOccurrences(of: "{\"type\": \"quadratic\", \"a\": 1}",
                                                                         with: "{\"type\": \"c-bowl\", \"a\": 2}"), to: "c.json", in: dir)
    let run = try MFLD.run(["run", config, "--plugin", try Self.cLibrary("cnan"), "--out", dir.appendingPathComponent("out").path])
    #expect(run.status == 3, "\(run.stderr)")
    let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("mfld: error: ") }
    #expect(lines.count == 1 && run.stderr.contains("the objective is nan at the initial particles") && run.stderr.contains("mfld check")
            && !run.stderr.contains("step size"), "\(run.stderr)")
    let summary = try String(contentsOf: dir.appendingPathComponent("out/summary.json"), encoding: .utf8)
    #expect(summary.contains("\"failed\""))
    let check = try MFLD.run(["check", config, "--plugin", try Self.cLibrary("cnan")])
    #expect(check.status == 4 && check.stdout.contains("| potential 'c-bowl' | objective.V |") && check.stdout.contains("FAIL"), "\(check.stdout)")
  }

  @Test("evaluating a plugin objective allocates nothing per step on either side of the boundary")
  func noAllocationPerStep() throws {
    let counter = try Self.cLibrary("mallocs"), lib = try Self.library()
    let dir = try MFLD.temporaryDirectory()
    /// malloc/calloc/realloc calls of a whole `mfld run` (the counter prints them at exit).
    func mallocs(_ objective: String, steps: Int) throws -> Int {
      let config = try MFLD.write("""
        {"plugins": ["\(lib)"], "domain": {"type": "euclidean", "dimension": 2}, "objective": \(objective),
         "integrator": {"type": "euler-maruyama", "step": 0.01, "temperature": 1}, "particles": {"count": 200},
         "steps": \(steps), "record": {"every": 100000}}
        """, to: "c\(steps).json", in: dir)
      let out = try MFLD.temporaryDirectory().appendingPathComponent("out")  // a folder per run: each is a different config
      let r = try Subprocess.run(MFLD.executable.path, ["run", config, "--out", out.path, "--quiet", "--threads", "1"],
                                 in: dir, environment: ["LD_PRELOAD": counter])
      #expect(r.status == 0, "\(r.output)")
      let line = r.output.split(separator: "\n").first { $0.hasPrefix("MALLOC_CALLS ") }
      return try #require(line.flatMap { Int($0.dropFirst(13)) }, "\(r.output)")
    }
    // A step slowed past 0.5 s by a loaded machine (the process descheduled) makes the next ones guarded, and a
    // guard saves the parts' state (about 19 allocations each, measured with SIGSTOP pauses): noise that only
    // adds, to either run. So each count is the least of three runs.
    func extra(_ objective: String) throws -> Int {
      func least(_ steps: Int) throws -> Int { try (0..<3).map { _ in try mallocs(objective, steps: steps) }.min()! }
      return try least(1100) - least(100)
    }
    let plugin = try extra(#"{"type": "student-t"}"#)
    let builtin = try extra(#"{"type": "potential", "V": "quadratic"}"#)
    // 1000 more steps cost the plugin objective no more allocations than a built-in one (the host's
    // own, a couple per step), up to noise: one allocation per evaluate would add 1000.
    #expect(plugin <= builtin + 100, "1000 steps: \(plugin) allocations with the plugin objective, \(builtin) with a built-in")
  }

  // MARK: C sources

  /// An LD_PRELOAD shim counting malloc, calloc and realloc calls, printed at exit.
  static let mallocCounterSource = """
  #include <stdatomic.h>
  #include <stddef.h>
  #include <stdio.h>
  extern void *__libc_malloc(size_t);
  extern void *__libc_calloc(size_t, size_t);
  extern void *__libc_realloc(void *, size_t);
  static atomic_long calls;
  void *malloc(size_t n) { atomic_fetch_add(&calls, 1); return __libc_malloc(n); }
  void *calloc(size_t a, size_t b) { atomic_fetch_add(&calls, 1); return __libc_calloc(a, b); }
  void *realloc(void *p, size_t n) { atomic_fetch_add(&calls, 1); return __libc_realloc(p, n); }
  __attribute__((destructor)) static void report(void) { fprintf(stderr, "MALLOC_CALLS %ld\\n", atomic_load(&calls)); }
  """

  static let noEntrySource = "int not_a_plugin(void) { return 1; }\n"

  static let wrongABISource = """
  #include <stdint.h>
  int32_t mfld_plugin_abi_version(void) { return 99; }
  int32_t mfld_plugin_register(const void *host) { return *(volatile int *)0; }  /* must never be called */
  """

  /// A potential V(x) = (a/2)|x|² in C, against the plugin ABI as docs/plugins.md lays it out: the host table,
  /// the ops table, and the product as an object whose vtable answers `describe` (0) and `field_evaluate` (20).
  /// With -DCLASH it also registers a potential named "quadratic"; with -DUNKNOWN_KIND, a part of a kind
  /// the host does not know; -DGRADIENT_FACTOR makes its gradient wrong.
  static let cPluginSource = """
  #include <stdint.h>
  #include <stdio.h>
  #include <stdlib.h>
  #include <string.h>

  /* Every table is an array of pointer-sized slots (docs/plugins.md, "The ABI"). */
  typedef int32_t (*register_component_fn)(void *context, const char *declaration, const void *const *ops, int64_t id);

  #ifndef GRADIENT_FACTOR
  #define GRADIENT_FACTOR 1  /* -DGRADIENT_FACTOR=-1 or 1.01: a wrong gradient for `mfld check` to catch */
  #endif

  typedef struct { long references; int d; double a; } bowl;

  static char *text(const char *s) { return strdup(s); }

  /* An object's one entry: method 0 describes it, 20 evaluates the field. Slot 30 carries text, 31 an error. */
  static int32_t call(void *handle, int32_t method, intptr_t *frame) {
    bowl *b = handle;
    if (method == 0) {
      char s[96];
      snprintf(s, sizeof s, "{\\"kind\\":\\"field\\",\\"dimension\\":%d}", b->d);
      frame[30] = (intptr_t)text(s);
      return 0;
    }
    if (method == 20) {
      const double *x = (const double *)frame[0];
      double *g = (double *)frame[1], s = 0;
      for (int k = 0; k < b->d; k++) { s += x[k] * x[k]; if (g) g[k] = GRADIENT_FACTOR * b->a * x[k]; }
      double v = 0.5 * b->a * s;
  #ifdef VALUE_NAN
      v = 0.0 / 0.0;
  #endif
      memcpy(&frame[2], &v, sizeof v);
      return 0;
    }
    frame[31] = (intptr_t)text("{\\"kind\\":\\"error\\",\\"message\\":\\"c-bowl has no such method\\"}");
    return 1;
  }
  static void retain(void *h) { __atomic_add_fetch(&((bowl *)h)->references, 1, __ATOMIC_RELAXED); }
  static void release(void *h) { if (__atomic_sub_fetch(&((bowl *)h)->references, 1, __ATOMIC_ACQ_REL) == 0) free(h); }
  static void free_buffer(void *p) { free(p); }
  static void *const vtable[5] = {(void *)2, (void *)call, (void *)retain, (void *)release, (void *)free_buffer};

  static void free_string(char *s) { free(s); }

  /* The context's three objects (domain, reference, builder) come with a reference each: release them. */
  static int32_t build(int64_t id, const char *args, const char *context, const intptr_t *objects, intptr_t *product, char **error) {
    for (int k = 0; k < 3; k++)
      if (objects[2 * k]) ((void (*)(void *))((void *const *)objects[2 * k + 1])[3])((void *)objects[2 * k]);
    const char *p = strstr(context, "\\"dimension\\":"), *q = strstr(args, "\\"a\\":");
    if (!p) { *error = text("{\\"kind\\":\\"config\\",\\"path\\":\\"\\",\\"message\\":\\"needs a domain\\"}"); return 1; }
    bowl *b = malloc(sizeof *b);
    b->references = 1;
    b->d = atoi(p + 12);
    b->a = q ? strtod(q + 4, NULL) : 1.0;
    product[0] = (intptr_t)b;
    product[1] = (intptr_t)vtable;
    return 0;
  }

  static void *const ops[3] = {(void *)2, (void *)free_string, (void *)build};

  #ifndef VERSION
  #define VERSION 2
  #endif
  int32_t mfld_plugin_abi_version(void) { return VERSION; }

  int32_t mfld_plugin_register(void *const *host) {
    if ((intptr_t)host[0] != 2) return 1;
    register_component_fn register_component = (register_component_fn)host[2];
    const char *bowl_declaration =
      "{\\"kind\\":\\"potential\\",\\"name\\":\\"c-bowl\\",\\"summary\\":\\"V(x) = (a/2)|x|^2, written in C\\","
      "\\"parameters\\":[{\\"name\\":\\"a\\",\\"type\\":{\\"type\\":\\"real\\",\\"lower\\":0,\\"lower_included\\":false},"
      "\\"default\\":1.0,\\"doc\\":\\"curvature\\"}]}";
    if (register_component(host[1], bowl_declaration, ops, 0) != 0) return 1;
  #ifdef CLASH
    if (register_component(host[1], "{\\"kind\\":\\"potential\\",\\"name\\":\\"quadratic\\",\\"summary\\":\\"clash\\",\\"parameters\\":[]}", ops, 1) != 0)
      return 1;
  #endif
  #ifdef UNKNOWN_KIND
    if (register_component(host[1], "{\\"kind\\":\\"optimizer\\",\\"name\\":\\"adam\\",\\"summary\\":\\"s\\",\\"parameters\\":[]}", ops, 1) != 0)
      return 1;
  #endif
    return 0;
  }
  """
}

/// Runs any executable (found on PATH when not a path), capturing stdout and stderr together.
enum Subprocess {
  static func run(_ executable: String, _ arguments: [String], in directory: URL,
                  environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let p = Process()
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    if executable.contains("/") {
      p.executableURL = URL(fileURLWithPath: executable)
      p.arguments = arguments
    } else {
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = [executable] + arguments
    }
    p.currentDirectoryURL = directory
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
