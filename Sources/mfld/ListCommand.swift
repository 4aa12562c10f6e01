import MFLD

enum ListCommand: Command {
  static let name = "list"
  static let summary = "list the registered parts, by kind"
  static let help = """
  USAGE: mfld list [KIND] [--plugin PATH]...

  Lists every registered part with its one-line doc, grouped by kind; with KIND, only that kind.
  --plugin PATH loads a plugin library first, so its parts are listed too (repeatable).
  KINDS: \(PartKind.allCases.map(\.rawValue).joined(separator: ", "))
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--plugin"], flags: [])
    guard a.positionals.count <= 1 else { throw UsageError("list takes at most one kind") }
    let registry = Registry.standard()
    for p in a.options["--plugin"] ?? [] { try registry.loadPlugin(p) }
    var kinds = PartKind.allCases
    if let k = a.positionals.first {
      guard let kind = PartKind(rawValue: k) ?? PartKind(rawValue: String(k.dropLast())) else {
        throw UsageError("unknown kind '\(k)'" + didYouMean(k, PartKind.allCases.map(\.rawValue))
          + "; please provide one of " + PartKind.allCases.map(\.rawValue).joined(separator: ", "))
      }
      kinds = [kind]
    }
    print(Documentation.list(registry, kinds: kinds))
    return 0
  }
}
