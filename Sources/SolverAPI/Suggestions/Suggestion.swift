/// "Did you mean" suggestions for misspelled names (keys, part names, functions).
///
/// A candidate is suggested when its edit distance to the given word is at most
/// one third of the word's length (at least 1, at most 3), which catches typos
/// and transpositions without proposing unrelated names.
public enum Suggestion {
  /// The candidate closest to `word`, if any is close enough to be a likely typo.
  public static func closest<S: Sequence>(to word: String, in candidates: S) -> String?
  where S.Element == String {
    let limit = min(3, max(1, word.count / 3))
    let lowered = word.lowercased(), length = word.count
    var best: (name: String, distance: Int)?
    // The distance is at least the difference in length: a candidate too long or short is skipped
    // without the quadratic comparison (a pasted paragraph is not compared with every key).
    for candidate in candidates where abs(candidate.count - length) <= limit {
      let d = editDistance(lowered, candidate.lowercased())
      if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
    }
    return best?.name
  }

  /// `" (did you mean 'x'?)"`, or the empty string when nothing is close.
  public static func didYouMean<S: Sequence>(_ word: String, in candidates: S) -> String
  where S.Element == String {
    closest(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
  }

  /// Optimal-string-alignment distance: insertions, deletions, substitutions and
  /// transpositions of adjacent characters each cost 1.
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          d = min(d, previous2[j - 2] + 1)
        }
        current[j] = d
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
  }
}
