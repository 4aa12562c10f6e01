import Foundation
import MFLD
import ExampleParts

// The second route: a small runner of our own. It builds the standard registry, registers the
// example parts directly (no shared library, no dlopen), and runs a config through the public
// Registry API.
//
//   swift run --package-path examples/plugin example-runner examples/plugin/runner.json [--out DIR]

func main() -> Int32 {
  var words = Array(CommandLine.arguments.dropFirst())
  var out: String?
  if let i = words.firstIndex(of: "--out"), i + 1 < words.count {
    out = words[i + 1]
    words.removeSubrange(i...(i + 1))
  }
  guard words.count == 1 else {
    FileHandle.standardError.write(Data("usage: example-runner CONFIG [--out DIR]\n".utf8))
    return 2
  }
  do {
    let registry = Registry.standard()
    for component in ExampleParts.all { try registry.register(component) }
    let experiment = try Experiment.load(file: words[0], registry: registry)
    let result = try experiment.run(outputPath: out)
    if let failure = result.outcome.failure {
      FileHandle.standardError.write(Data("example-runner: \(failure.message)\n".utf8))
      return failure.exitCode
    }
    let final = zip(experiment.plan.columns, result.outcome.finalRow).dropFirst(4).map { "\($0) = \($1)" }
    print("final: " + final.joined(separator: ", "))
    print("wrote \(result.directory.url.path)")
    return 0
  } catch {
    FileHandle.standardError.write(Data("example-runner: error: \(error)\n".utf8))
    return 2
  }
}

exit(main())
