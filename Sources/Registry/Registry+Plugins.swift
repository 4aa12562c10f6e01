import Foundation
import Formats
import SolverAPI

extension Registry {
  /// Loads the plugins named by `--plugin` (relative to the current directory) and by the config's
  /// `"plugins"` (relative to `baseDirectory`) into this registry, before anything else is resolved.
  /// Returns the config with `"plugins"` listing every library, absolute, so that the resolved
  /// config written beside a run loads them again from anywhere.
  func loadingPlugins(_ raw: ConfigValue, commandLine: [String], file: String?, baseDirectory: String,
                      overrides: [String]) throws -> ConfigValue {
    for o in overrides where Override.components(String(o.prefix { $0 != "=" })).first == "plugins" {
      throw ConfigError(file: file, path: "plugins", "cannot be set with --set: plugins load before the config is read",
                        fix: "use --plugin PATH")
    }
    var loaded: [String] = []
    guard case .object(var object) = raw else {
      for p in commandLine { try loadPlugin(p) }
      return raw
    }
    if let value = object["plugins"] {
      let resolver = Resolver(registry: self, file: file)
      guard case .array(let items) = try resolver.resolve(value, .paths, path: "plugins") else { return raw }
      for (i, item) in items.enumerated() {
        guard case .string(let p) = item else { continue }
        let absolute = p.hasPrefix("/") ? p
          : URL(fileURLWithPath: baseDirectory).appendingPathComponent(p).standardizedFileURL.path
        do { try loadPlugin(absolute) } catch var e as ConfigError {
          e.file = file
          e.path = "plugins[\(i)]"
          throw e
        }
        loaded.append(absolute)
      }
    }
    for p in commandLine {
      try loadPlugin(p)
      let absolute = URL(fileURLWithPath: p).standardizedFileURL.path
      if !loaded.contains(absolute) { loaded.append(absolute) }
    }
    if object["plugins"] != nil || !loaded.isEmpty { object["plugins"] = .array(loaded.map(ConfigValue.string)) }
    return .object(object)
  }
}
