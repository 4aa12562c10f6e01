import Foundation
import Formats
import SolverAPI

/// Reading a config file: UTF-8 JSON with comments, every failure a one-line `ConfigError` naming the file.
public enum ConfigFile {
  /// The parsed contents of `file`.
  public static func read(_ file: String) throws -> ConfigValue {
    let text: String
    do {
      text = try String(contentsOfFile: file, encoding: .utf8)
    } catch {
      let exists = FileManager.default.fileExists(atPath: file)
      throw ConfigError(file: file, path: "", exists ? "cannot read the file (is it UTF-8 text?)" : "no such file",
                        fix: exists ? "check its permissions and encoding" : "check the path, e.g. examples/double-well.json")
    }
    do { return try JSONParser.parse(text) } catch {
      throw ConfigError(file: file, path: "", "invalid JSON at line \(error.line), column \(error.column): \(error.message)")
    }
  }
}
