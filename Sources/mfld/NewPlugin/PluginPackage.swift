import MFLD

/// The files of a plugin package `mfld new-plugin` writes, by relative path.
struct PluginPackage {
  let name: String
  let kinds: [PartKind]
  let mfld: String

  /// `my-parts` → `MyParts`: the prefix of the package's Swift names.
  var type: String {
    name.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }

  /// NAME.json for one kind; NAME-KIND.json for each of several.
  var configs: [String] { kinds.count == 1 ? ["\(name).json"] : kinds.map { "\(name)-\($0.rawValue).json" } }

  var files: [(path: String, text: String)] {
    var out: [(String, String)] = [("Package.swift", manifest), ("Sources/\(type)Plugin/Plugin.swift", entryPoints),
                                   ("Sources/\(type)Parts/\(type)Parts.swift", partsList), ("Tests/\(type)PartsTests/\(type)Tests.swift", test),
                                   ("README.md", readme), (".gitignore", ".build/\nPackage.resolved\n")]
    for (kind, config) in zip(kinds, configs) {
      let t = PartTemplates.template(kind)
      out.append(("Sources/\(type)Parts/\(type)\(t.typeSuffix).swift", t.source(type: type, name: name) + "\n"))
      out.append((config, "// A config that runs the \(kind.rawValue) '\(name)' beside built-in parts. Build the plugin first:\n"
                    + "//   swift build --package-path .   (from this folder)\n{\n  \"plugins\": [\".build/debug/lib\(type).so\"],\n  "
                    + t.config(type: type, name: name) + "\n}\n"))
    }
    return out
  }

  var manifest: String {
    """
    // swift-tools-version:6.0
    import PackageDescription

    // The mfld plugin '\(name)': `swift build` leaves .build/debug/lib\(type).so, which the unmodified `mfld` loads
    // ("plugins" in a config, or --plugin PATH). Written by `mfld new-plugin`.
    let package = Package(
      name: "\(type)",
      products: [.library(name: "\(type)", type: .dynamic, targets: ["\(type)Plugin"])],
      dependencies: [.package(name: "mfld", path: "\(mfld)")],
      targets: [
        // The parts: ordinary SolverAPI types and their Component declarations.
        .target(name: "\(type)Parts", dependencies: [.product(name: "MFLD", package: "mfld")]),
        // The two C entry points of the plugin ABI.
        .target(name: "\(type)Plugin", dependencies: ["\(type)Parts", .product(name: "MFLD", package: "mfld")]),
        .testTarget(name: "\(type)PartsTests", dependencies: ["\(type)Parts", .product(name: "MFLD", package: "mfld")]),
      ],
      swiftLanguageModes: [.v5]
    )

    """
  }

  var entryPoints: String {
    """
    import MFLD
    import \(type)Parts

    // The plugin ABI's two entry points (docs/plugins.md in mfld): PluginExport does the rest.

    @_cdecl("mfld_plugin_abi_version")
    public func mfldPluginABIVersion() -> Int32 { PluginExport.abiVersion }

    @_cdecl("mfld_plugin_register")
    public func mfldPluginRegister(_ host: UnsafeRawPointer?) -> Int32 { PluginExport.register(\(type)Parts.all, host: host) }

    """
  }

  var partsList: String {
    """
    import MFLD

    /// Every part of this plugin: add a part's `component` here to register it.
    public enum \(type)Parts {
      public static let all: [Component] = [
    \(kinds.map { "    \(type)\(PartTemplates.template($0).typeSuffix).component," }.joined(separator: "\n"))
      ]
    }

    """
  }

  var test: String {
    """
    import Foundation
    import MFLD
    import \(type)Parts
    import Testing

    /// The laws `mfld check` runs — on every part each config composes, built-in or from this package — with the
    /// parts registered directly (no library to load).
    struct \(type)Tests {
      static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

      @Test("every law of every part the configs compose passes", arguments: [\(configs.map { "\"\($0)\"" }.joined(separator: ", "))])
      func laws(_ config: String) throws {
        let registry = Registry.standard()
        for c in \(type)Parts.all { try registry.register(c) }
        let file = Self.root.appendingPathComponent(config).path
        guard case .object(var o) = try ConfigFile.read(file) else { Issue.record("\\(config) is not an object"); return }
        _ = o.removeValue(forKey: "plugins")  // the parts are registered above
        let composition = try Composition.compose(.object(o), file: file, baseDirectory: Self.root.path, registry: registry)
        let failed = try ConfigCheck.laws(composition, registry: registry).filter { !$0.passed }
        #expect(failed.isEmpty, "\\(failed)")
      }
    }

    """
  }

  var readme: String {
    """
    # \(name): an mfld plugin

    Written by `mfld new-plugin`. The parts are in Sources/\(type)Parts/ — one file each, a small correct
    sample to edit into yours; Sources/\(type)Plugin/Plugin.swift holds the two entry points and needs no change.

    ```sh
    swift build --package-path .             # leaves .build/debug/lib\(type).so
    \(configs.map { "mfld check \($0)                  # the laws of every part the config composes\nmfld run \($0)" }.joined(separator: "\n"))
    swift test --package-path .              # the same laws, from Swift
    ```

    Each config names the library under "plugins"; `mfld list --plugin .build/debug/lib\(type).so` and
    `mfld describe \(name) --plugin .build/debug/lib\(type).so` show the parts. mfld's docs/plugins.md explains
    the ABI; change a part's value and gradient together, and `mfld check` tells you when they disagree.

    """
  }
}
