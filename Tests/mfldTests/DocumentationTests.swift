import Foundation
import Testing

/// `mfld list`, `describe` and the help texts document every part from its declaration.
struct DocumentationTests {
  @Test("list shows every kind and part with its doc line")
  func list() throws {
    let r = try MFLD.run(["list"])
    #expect(r.status == 0)
    for line in ["euler-maruyama", "Euler–Maruyama", "potential", "interaction", "mmd", "double-well", "gaussian-wells",
                 "constant", "euclidean", "sphere", "torus", "lebesgue", "variance"] {
      #expect(r.stdout.contains(line), "\(line) missing from mfld list")
    }
    let kernels = try MFLD.run(["list", "kernel"])
    #expect(kernels.stdout.contains("KERNELS") && !kernels.stdout.contains("INTEGRATORS"))
  }

  @Test("describe euler-maruyama lists its parameters with types, defaults and ranges")
  func describeIntegrator() throws {
    let r = try MFLD.run(["describe", "euler-maruyama"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("PARAMETERS"))
    #expect(r.stdout.contains("step") && r.stdout.contains("temperature") && r.stdout.contains("required"))
    let c = try MFLD.run(["describe", "constant"])
    #expect(c.stdout.contains("value"))
    let q = try MFLD.run(["describe", "quadratic"])
    #expect(q.stdout.contains("quadratic (potential)") && q.stdout.contains("quadratic (kernel)"))
    #expect(q.stdout.contains("number in (0, ∞)") && q.stdout.contains("default 1.0"))
    let config = try MFLD.run(["describe", "config"])
    #expect(config.stdout.contains("particles.count") && config.stdout.contains("record.every"))
  }

  @Test("help is available for the tool and for every command it lists")
  func help() throws {
    let top = try MFLD.run(["--help"])
    #expect(top.status == 0 && top.stdout.contains("COMMANDS"))
    // The commands the overview lists: the indented lines between "COMMANDS:" and the next blank line.
    let lines = top.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex { $0.hasPrefix("COMMANDS") })
    let commands = lines[(start + 1)...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
      .map { String($0.split(separator: " ").first!) }
    #expect(Set(commands).isSuperset(of: ["run", "validate", "list", "describe", "resume", "compare", "plot", "bench"]), "\(commands)")
    for command in commands {
      let r = try MFLD.run([command, "--help"])
      #expect(r.status == 0 && r.stdout.contains("USAGE: mfld \(command)"), "mfld \(command) --help: \(r.status) \(r.stdout.prefix(80))")
      let viaHelp = try MFLD.run(["help", command])
      #expect(viaHelp.status == 0 && viaHelp.stdout == r.stdout, "mfld help \(command)")
    }
  }
}
