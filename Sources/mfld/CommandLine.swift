import MFLD
/// A parsed command line: positional words, repeated options, flags.
/// Options take their value as the next word or after `=` (`--out DIR`, `--out=DIR`).
struct ParsedArguments {
  var positionals: [String] = []
  var options: [String: [String]] = [:]
  var flags: Set<String> = []

  /// Parses `words` knowing which `--options` take a value and which are `--flags`.
  init(_ words: [String], options valued: Set<String>, flags known: Set<String>) throws {
    var i = 0
    while i < words.count {
      let w = words[i]
      i += 1
      if w == "--" { positionals += words[i...]; break }
      guard w.hasPrefix("-"), w.count > 1 else { positionals.append(w); continue }
      var name = w, inline: String?
      if let eq = w.firstIndex(of: "=") { name = String(w[..<eq]); inline = String(w[w.index(after: eq)...]) }
      if valued.contains(name) {
        if let inline { options[name, default: []].append(inline); continue }
        guard i < words.count else { throw UsageError("\(name) needs a value") }
        options[name, default: []].append(words[i])
        i += 1
      } else if known.contains(name), inline == nil {
        flags.insert(name)
      } else {
        let all = Array(valued) + Array(known)
        throw UsageError("unknown option '\(name)'" + didYouMean(name, all))
      }
    }
  }

  func last(_ option: String) -> String? { options[option]?.last }
}

func didYouMean(_ word: String, _ candidates: [String]) -> String { Suggestion.didYouMean(word, in: candidates) }
