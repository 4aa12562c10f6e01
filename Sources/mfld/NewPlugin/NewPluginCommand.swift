import Foundation
import MFLD

/// `mfld new-plugin NAME [DIR] --kind KIND[,KIND…]`: a plugin package that builds and runs as written — the
/// dependency on this mfld, the two entry points, one sample part per kind asked for, a config for each that
/// uses it beside built-in parts, and a test that runs the laws `mfld check` runs.
enum NewPluginCommand: Command {
  static let name = "new-plugin"
  static let summary = "write a ready plugin package with a sample part of each kind asked for"
  static let help = """
  USAGE: mfld new-plugin NAME [DIR] [--kind KIND[,KIND...]] [--mfld PATH] [--force]

  Writes the Swift package DIR (default: ./NAME) of a plugin whose parts are named NAME:
    Package.swift                          depends on mfld at PATH (default: the mfld this binary was built from)
    Sources/<Name>Parts/<Name><Kind>.swift one sample part per kind: small, correct, documented — edit it
    Sources/<Name>Plugin/Plugin.swift      the two entry points of the plugin ABI (nothing to change)
    Tests/<Name>PartsTests/…               runs the laws of `mfld check` on every config below
    NAME.json (one kind) or NAME-KIND.json a config that runs each part beside built-in ones
    README.md                              the commands below
  then prints how to build, check and run it:
    swift build --package-path DIR
    mfld check DIR/NAME.json
    mfld run DIR/NAME.json

  OPTIONS:
    --kind KINDS  the kinds of the sample parts, comma-separated, or "all" (default: potential):
                  \(PartKind.allCases.map(\.rawValue).joined(separator: ", "))
    --mfld PATH   the mfld package to depend on (a folder with its Package.swift)
    --force       write into DIR even when it is not empty
    -h, --help    show this help
  """

  /// The mfld package this binary was built from (Sources/mfld/NewPlugin/ is three levels down).
  static let builtFrom = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--kind", "--mfld"], flags: ["--force"])
    guard (1...2).contains(a.positionals.count) else { throw UsageError("new-plugin takes a NAME and an optional DIR; see `mfld new-plugin --help`") }
    let name = a.positionals[0]
    guard let first = name.first, first.isLetter, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
      throw UsageError("the plugin name '\(name)' must start with a letter and hold only letters, digits, '-' and '_' (e.g. my-parts)")
    }
    let kinds = try parseKinds(a.last("--kind") ?? "potential")
    let mfld = URL(fileURLWithPath: a.last("--mfld") ?? builtFrom.path).standardizedFileURL
    guard let manifest = try? String(contentsOf: mfld.appendingPathComponent("Package.swift"), encoding: .utf8),
          manifest.contains("name: \"mfld\"") else {
      throw UsageError("'\(mfld.path)' is not the mfld package (no Package.swift naming \"mfld\"); give its folder with --mfld PATH")
    }
    let directory = URL(fileURLWithPath: a.positionals.count == 2 ? a.positionals[1] : name).standardizedFileURL
    let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    guard existing.isEmpty || a.flags.contains("--force") else {
      throw UsageError("'\(directory.path)' is not empty; choose another DIR, or --force to write into it")
    }
    let package = PluginPackage(name: name, kinds: kinds, mfld: mfld.path)
    for (path, text) in package.files {
      let url = directory.appendingPathComponent(path)
      do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
      } catch {
        throw RunError(.io, "cannot write \(url.path): \(error.localizedDescription)", fix: "check the folder's permissions")
      }
    }
    let shown = a.positionals.count == 2 ? a.positionals[1] : name
    print("""
    wrote \(shown)/: a plugin with \(kinds.count == 1 ? ("aeiou".contains(kinds[0].rawValue.first!) ? "an " : "a ") + kinds[0].rawValue : "\(kinds.count) parts") named '\(name)'
      \(package.files.map(\.path).sorted().joined(separator: "\n  "))
    next:
      swift build --package-path \(shown)
    \(package.configs.map { "  mfld check \(shown)/\($0)\n  mfld run \(shown)/\($0)" }.joined(separator: "\n"))
      swift test --package-path \(shown)     (the same laws, from Swift)
    """)
    return 0
  }

  static func parseKinds(_ text: String) throws -> [PartKind] {
    if text == "all" { return PartKind.allCases }
    var kinds: [PartKind] = []
    for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      guard let k = PartKind(rawValue: word) else {
        throw UsageError("unknown kind '\(word)'" + didYouMean(word, PartKind.allCases.map(\.rawValue)) + "; the kinds are "
                         + PartKind.allCases.map(\.rawValue).joined(separator: ", ") + ", or all")
      }
      if !kinds.contains(k) { kinds.append(k) }
    }
    guard !kinds.isEmpty else { throw UsageError("--kind needs at least one kind") }
    return kinds
  }
}
