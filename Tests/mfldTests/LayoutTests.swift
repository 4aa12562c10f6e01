import Foundation
import Testing

/// The house rules, checked against the package itself: README.md's module layers are Package.swift's
/// modules, every dependency points to a lower layer, no source file imports a first-party module its
/// target does not declare, one public type per file named for it, and the README's library example is
/// the code `LibraryUseTests` runs.
struct LayoutTests {
  struct Target {
    var name: String
    var type: String
    var path: String
    var dependencies: [String]
    var exclude: [String]
  }

  /// The package's targets, from `swift package dump-package` (in a scratch folder of its own, so it never
  /// waits on the build folder's lock that the running tests hold).
  static func targets() throws -> [Target] {
    let scratch = try MFLD.temporaryDirectory()
    let r = try Subprocess.run("swift", ["package", "--scratch-path", scratch.path, "dump-package"], in: MFLD.packageRoot)
    try #require(r.status == 0, "swift package dump-package failed: \(r.output)")
    let json = try #require(JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any])
    let targets = try #require(json["targets"] as? [[String: Any]])
    return targets.map { t in
      let name = t["name"] as! String, type = t["type"] as! String
      let dependencies = (t["dependencies"] as? [[String: Any]] ?? []).compactMap { d -> String? in
        ((d["byName"] ?? d["target"] ?? d["product"]) as? [Any])?.first as? String
      }
      let path = t["path"] as? String ?? (type == "test" ? "Tests/\(name)" : "Sources/\(name)")
      return Target(name: name, type: type, path: path, dependencies: dependencies, exclude: t["exclude"] as? [String] ?? [])
    }
  }

  /// README.md's module layers, top to bottom: the `text` block under "## Layout", one layer a line,
  /// modules separated by " · " before the description.
  static func layers() throws -> [[String]] {
    let readme = try String(contentsOf: MFLD.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    let section = try #require(readme.components(separatedBy: "\n## Layout\n").dropFirst().first)
    let block = try #require(section.components(separatedBy: "```text\n").dropFirst().first?.components(separatedBy: "```").first)
    return block.split(separator: "\n").map { line in
      let names = line.components(separatedBy: "  ").first!
      return names.components(separatedBy: " · ").map { $0.trimmingCharacters(in: .whitespaces) }
    }
  }

  /// The Swift files of a target, without the folders it excludes (the modules nested in it).
  static func sources(of target: Target) -> [URL] {
    let root = MFLD.packageRoot.appendingPathComponent(target.path)
    let excluded = target.exclude.map { root.appendingPathComponent($0).standardizedFileURL.path + "/" }
    let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
    return files.filter { file in
      file.pathExtension == "swift" && !excluded.contains { file.standardizedFileURL.path.hasPrefix($0) }
    }
  }

  @Test("README's module layers are Package.swift's modules, and every dependency points to a lower layer")
  func layering() throws {
    let layers = try Self.layers()
    let level = Dictionary(uniqueKeysWithValues: layers.enumerated().flatMap { i, names in names.map { ($0, layers.count - i) } })
    let modules = try Self.targets().filter { $0.type != "test" && $0.name != "TestSupport" }
    #expect(Set(level.keys) == Set(modules.map(\.name)), "README layers \(level.keys.sorted()), Package.swift \(modules.map(\.name).sorted())")
    for m in modules {
      for d in m.dependencies {
        #expect((level[d] ?? .max) < (level[m.name] ?? 0), "\(m.name) depends on \(d), which is not in a lower layer")
      }
    }
  }

  @Test("no source file imports a first-party module its target does not declare")
  func importsAreDeclared() throws {
    let targets = try Self.targets()
    let firstParty = Set(targets.map(\.name))
    var checked = 0
    for t in targets {
      for file in Self.sources(of: t) {
        let text = try String(contentsOf: file, encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ")
          || line.hasPrefix("@_exported import ") || line.hasPrefix("@_spi(") {
          guard let module = line.split(separator: " ").last.map(String.init), firstParty.contains(module), module != t.name else { continue }
          checked += 1
          #expect(t.dependencies.contains(module), "\(file.lastPathComponent) (\(t.name)) imports \(module), which \(t.name) does not depend on")
        }
      }
    }
    #expect(checked > 300, "only \(checked) imports found: is the source walk broken?")
  }

  @Test("one public type per file, named for it (extensions in Type+Topic.swift)")
  func oneTypePerFile() throws {
    let declaration = try Regex(#"^(?:@\w+(?:\([^)]*\))?\s+)*(?:public|open)\s+(?:final\s+)?(?:indirect\s+)?(?:struct|class|enum|protocol|actor)\s+(\w+)"#)
    var checked = 0
    for t in try Self.targets() where t.type != "test" {
      for file in Self.sources(of: t) {
        let text = try String(contentsOf: file, encoding: .utf8)
        let types = text.split(separator: "\n").compactMap { line in line.firstMatch(of: declaration).map { String($0.output[1].substring!) } }
        let stem = file.deletingPathExtension().lastPathComponent.split(separator: "+").first.map(String.init) ?? ""
        checked += types.count
        #expect(types.count <= 1, "\(file.path) declares \(types.count) public types: \(types)")
        if let only = types.first, types.count == 1 { #expect(only == stem, "\(file.path) declares \(only)") }
      }
    }
    #expect(checked > 100, "only \(checked) public types found: is the source walk broken?")
  }

  @Test("README's library example is the code LibraryUseTests runs")
  func libraryExampleIsTested() throws {
    let readme = try String(contentsOf: MFLD.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    let section = try #require(readme.components(separatedBy: "\n## Library use\n").dropFirst().first)
    let code = try #require(section.components(separatedBy: "```swift\n").dropFirst().first?.components(separatedBy: "```").first)
    let test = try String(contentsOf: MFLD.packageRoot.appendingPathComponent("Tests/MFLDTests/LibraryUseTests.swift"), encoding: .utf8)
    let lines = code.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    #expect(lines.first == "import MFLD" && lines.count >= 10 && lines.count <= 16, "\(lines.count) lines")
    let testLines = Set(test.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
    for line in lines { #expect(testLines.contains(line), "README line not in LibraryUseTests: \(line)") }
  }
}
