import Formats
import Foundation
import Registry
import TestSupport
import SolverAPI
import Testing

/// No input crashes or hangs mfld: thousands of mutated versions of every shipped example are
/// validated and run for two steps; every failure must be a config error naming its key path (or a JSON
/// error naming line and column), or a diverged run naming the step size.
struct ConfigFuzzTests {
  static let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

  static let extremes: [ConfigValue] = [
    0, -1, 1, .real(1e308), .real(-1e308), .real(.leastNonzeroMagnitude), .integer(Int.max), .integer(Int.min), .real(1e30), .real(0.5),
    "x", "", .string(String(repeating: "y", count: 100_000)), true, false, .null, [], [:], [1.0, 2.0], ["type": "nope"],
  ]

  /// Every path to a value in the tree.
  static func paths(_ v: ConfigValue, _ prefix: [String] = []) -> [[String]] {
    switch v {
    case .object(let o): return [prefix] + o.flatMap { paths($0.value, prefix + [$0.key]) }
    case .array(let a): return [prefix] + a.indices.flatMap { paths(a[$0], prefix + ["\($0)"]) }
    default: return [prefix]
    }
  }

  static func update(_ v: inout ConfigValue, _ path: ArraySlice<String>, _ f: (inout ConfigValue?) -> Void) {
    guard let k = path.first else { var x: ConfigValue? = v; f(&x); v = x ?? .null; return }
    switch v {
    case .object(var o):
      if path.count == 1 { var x = o[k]; f(&x); o[k] = x } else if var child = o[k] { update(&child, path.dropFirst(), f); o[k] = child }
      v = .object(o)
    case .array(var a):
      guard let i = Int(k), a.indices.contains(i) else { return }
      if path.count == 1 { var x: ConfigValue? = a[i]; f(&x); if let x { a[i] = x } else { a.remove(at: i) } } else { update(&a[i], path.dropFirst(), f) }
      v = .array(a)
    default: break
    }
  }

  /// One mutated config: a tree mutation, or (for text-level ones) the text to parse.
  static func mutate(_ base: ConfigValue, _ rng: inout SplitMix64) -> (ConfigValue?, String?) {
    var v = base
    for _ in 0..<Int.random(in: 1...3, using: &rng) {
      let all = paths(v).filter { !$0.isEmpty }
      guard let path = all.randomElement(using: &rng) else { break }
      switch Int.random(in: 0..<6, using: &rng) {
      case 0: update(&v, path[...]) { $0 = nil }                                  // delete a key
      case 1, 2: update(&v, path[...]) { $0 = extremes.randomElement(using: &rng)! } // swap type / extreme value
      case 3:                                                                       // deep nesting
        update(&v, path[...]) { x in var n = x ?? .null; for _ in 0..<300 { n = .array([n]) }; x = n }
      case 4: update(&v, path.dropLast()[...]) { x in                               // an unknown key
        if case .object(var o)? = x { o["unknown_\(Int.random(in: 0..<9, using: &rng))"] = 1; x = .object(o) } }
      default:                                                                      // text level
        let text = v.jsonText(pretty: true)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return (nil, String(text.prefix(Int.random(in: 0..<max(1, text.count), using: &rng))))
        case 1: return (nil, text.replacingOccurrences(of: "0.", with: ["NaN", "Infinity", "-Infinity", "1e999"].randomElement(using: &rng)!))
        default: return (nil, text.replacingOccurrences(of: ",", with: ",,"))
        }
      }
    }
    // Keep the fuzz about validation, not about long runs: at most 2 steps, small clouds and data.
    func cap(_ path: [String], _ limit: Int) {
      update(&v, path[...]) { x in if case .integer(let i)? = x, i > limit { x = .integer(limit) } }
    }
    cap(["steps"], 2); cap(["particles", "count"], 40); cap(["objective", "target_count"], 40)
    cap(["objective", "data", "samples"], 60); cap(["objective", "samples"], 60); cap(["objective", "grid"], 32)
    return (v, nil)
  }

  /// The longest one mutated config may take (validate, compose and at most 2 steps of at most 40 particles,
  /// in a debug build: milliseconds); longer is reported as a hang, with the config.
  static let perConfigLimit: Duration = .seconds(5)

  @Test("5,000 mutated configs: zero crashes, zero hangs (5 s each, 3 min in all), every failure a one-line error naming its key path",
        .timeLimit(.minutes(3)))
  func fuzz() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.examplesDirectory.path).filter { $0.hasSuffix(".json") }.sorted()
    var bases: [(String, ConfigValue)] = []
    for f in files {
      let path = Self.examplesDirectory.appendingPathComponent(f).path
      bases.append((path, try JSONParser.parse(try String(contentsOfFile: path, encoding: .utf8))))
    }
    var rng = SplitMix64(seed: 2026)
    var outcomes: [String: Int] = [:]
    let start = ContinuousClock.now
    for i in 0..<5000 {
      let (file, base) = bases[i % bases.count]
      let (tree, text) = Self.mutate(base, &rng)
      let began = ContinuousClock.now
      defer {
        let took = ContinuousClock.now - began
        #expect(took < Self.perConfigLimit, "config \(i) (from \(file)) took \(took): \(text ?? tree?.jsonText(pretty: false) ?? "")")
      }
      do {
        let config: ConfigValue
        if let text {
          do { config = try JSONParser.parse(text) } catch { outcomes["json error", default: 0] += 1; continue }
        } else {
          config = tree!
        }
        let e = try Composition.compose(config, file: file, baseDirectory: Self.examplesDirectory.path, name: "fuzz")
        let outcome = try Solver.run(e.plan, sink: TraceTable())
        if let failure = outcome.failure {
          // Diverged particles name the step size; a part that failed mid-run (an inner solve) says what failed.
          #expect(failure.kind == .diverged ? failure.message.contains("integrator.step") : failure.kind == .numerical, "\(failure)")
          #expect(!failure.description.contains("\n"), "not one line: \(failure)")
          outcomes[failure.kind == .diverged ? "diverged" : "numerical", default: 0] += 1
        } else {
          outcomes["ran", default: 0] += 1
        }
      } catch let e as ConfigError {
        #expect(!e.path.isEmpty || e.message.contains("line"), "no key path: \(e)")
        #expect(!e.description.contains("\n"), "not one line: \(e)")
        outcomes["config error", default: 0] += 1
      } catch let e as RunError {
        #expect(e.kind == .numerical || e.kind == .diverged, "\(e)")
        outcomes["numerical", default: 0] += 1
      } catch {
        Issue.record("unexpected error type \(type(of: error)): \(error)")
      }
    }
    let seconds = (ContinuousClock.now - start).components.seconds
    #expect(outcomes["config error", default: 0] > 1000 && outcomes["ran", default: 0] > 100, "\(outcomes)")
    print("config fuzz: \(outcomes) in \(seconds) s")
  }
}
