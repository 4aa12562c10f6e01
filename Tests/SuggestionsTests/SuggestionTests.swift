import Suggestions
import Testing

/// "Did you mean": the optimal-string-alignment distance, and the rule that decides when a name is close
/// enough to suggest (at most a third of the word's length, between 1 and 3 edits).
struct SuggestionTests {
  @Test("the distance counts insertions, deletions, substitutions and adjacent transpositions as one edit each")
  func editDistance() {
    #expect(Suggestion.editDistance("step", "step") == 0)
    #expect(Suggestion.editDistance("step", "stepp") == 1)      // insertion
    #expect(Suggestion.editDistance("step", "stp") == 1)        // deletion
    #expect(Suggestion.editDistance("step", "stap") == 1)       // substitution
    #expect(Suggestion.editDistance("step", "setp") == 1)       // transposition (Levenshtein says 2)
    #expect(Suggestion.editDistance("", "abc") == 3)
    #expect(Suggestion.editDistance("kitten", "sitting") == 3)
  }

  @Test("a close name is suggested, case-insensitively; an unrelated one is not")
  func closest() {
    let names = ["euler-maruyama", "sgd", "svrg", "dual-averaging", "best-response"]
    #expect(Suggestion.closest(to: "euler-maruyma", in: names) == "euler-maruyama")
    #expect(Suggestion.closest(to: "SVRG", in: names) == "svrg")
    #expect(Suggestion.closest(to: "adam", in: names) == nil)
    #expect(Suggestion.didYouMean("sgdd", in: names) == " (did you mean 'sgd'?)")
    #expect(Suggestion.didYouMean("newton", in: names) == "")
  }

  @Test("the nearest of several candidates wins")
  func nearest() {
    #expect(Suggestion.closest(to: "tempreature", in: ["temperature", "tempered"]) == "temperature")
  }
}
