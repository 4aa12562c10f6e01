import Foundation
import MFLD
import ExampleParts
import Testing

/// How to test a plugin's parts: the laws `mfld check` runs — first variations and feature-map Jacobians
/// against finite differences, metrics' moves and noise, schedules' ranges — on every part each example
/// config composes, with the parts registered directly (no library to load). mfld's own tests run the same
/// configs through the shared library (Tests/mfldTests/ExamplePluginTests.swift).
struct ExamplePartsTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  @Test("every law of every part the example configs compose passes",
        arguments: ["student-t.json", "kinetic.json", "box.json", "rbf-moons.json", "runner.json"])
  func laws(_ config: String) throws {
    let registry = Registry.standard()
    for c in ExampleParts.all { try registry.register(c) }
    let file = Self.root.appendingPathComponent(config).path
    guard case .object(var o) = try ConfigFile.read(file) else { Issue.record("\(config) is not an object"); return }
    _ = o.removeValue(forKey: "plugins")  // the parts are registered above
    let composition = try Composition.compose(.object(o), file: file, baseDirectory: Self.root.path, registry: registry)
    let failed = try ConfigCheck.laws(composition, registry: registry).filter { !$0.passed }
    #expect(failed.isEmpty, "\(failed)")
  }
}
