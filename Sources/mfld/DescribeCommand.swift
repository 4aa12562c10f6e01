import MFLD

enum DescribeCommand: Command {
  static let name = "describe"
  static let summary = "show a part's parameters: types, defaults, ranges, docs"
  static let help = """
  USAGE: mfld describe NAME [--kind KIND] [--plugin PATH]...
         mfld describe KIND
         mfld describe config

  Shows the part NAME (every kind that has one, or only KIND) with its parameters, their types,
  defaults and ranges — the same declarations that validate configs. `describe KIND` (e.g.
  `describe metric`) shows every part of that kind; `describe config` the top-level keys of a config
  file. --plugin PATH loads a plugin library first (repeatable).
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--kind", "--plugin"], flags: [])
    guard a.positionals.count == 1 else { throw UsageError("describe takes one name; see `mfld describe --help`") }
    let registry = Registry.standard()
    for p in a.options["--plugin"] ?? [] { try registry.loadPlugin(p) }
    let name = a.positionals[0]
    if name == "config" {
      print(Documentation.describeConfig())
      return 0
    }
    if let kind = PartKind(rawValue: name), registry.components(named: name).isEmpty {
      print(registry.names(kind).compactMap { registry.component(kind, $0) }.map(Documentation.describe).joined(separator: "\n\n"))
      return 0
    }
    var found = registry.components(named: name)
    if let k = a.last("--kind") {
      guard let kind = PartKind(rawValue: k) else {
        throw UsageError("unknown kind '\(k)'; please provide one of " + PartKind.allCases.map(\.rawValue).joined(separator: ", "))
      }
      found = found.filter { $0.kind == kind }
    }
    guard !found.isEmpty else {
      let all = registry.components.map(\.name)
      throw UsageError("no part named '\(name)'" + didYouMean(name, all) + "; `mfld list` shows them all")
    }
    print(found.map(Documentation.describe).joined(separator: "\n\n"))
    return 0
  }
}
