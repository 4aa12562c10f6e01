import Formats
import Foundation
import Integrators
import Objectives
import Plugins
import Reductions
import SolverAPI

/// Name → component, for every kind of part; builds parts from resolved configs.
///
/// `Registry.standard()` holds every built-in part. Plugins and custom runners add their own with
/// `register(_:)` or `loadPlugin(_:)`; a name can be registered once per kind.
///
/// Safe to share between threads: one lock guards the table, so a comparison's runs may resolve and
/// build from one registry while a plugin is being registered. (Components themselves are immutable
/// values; what they build is new on every call.)
public final class Registry: PartBuilder, @unchecked Sendable {
  private let lock = NSLock()
  private var table: [PartKind: [String: Component]] = [:]
  /// Plugin libraries loaded into this registry, by real path, with the parts each registered.
  private var plugins: [String: [Component]] = [:]

  public init() {}

  /// A registry with every built-in part.
  public static func standard() -> Registry {
    let r = Registry()
    for c in ObjectiveComponents.all + ReductionComponents.all + IntegratorComponents.all {
      try! r.register(c)
    }
    return r
  }

  private func locked<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }

  /// Adds a component. Throws if its kind already has a part of that name.
  public func register(_ component: Component) throws {
    try locked {
      if table[component.kind]?[component.name] != nil {
        throw ConfigError(path: "", "a \(component.kind.rawValue) named '\(component.name)' is already registered",
                          fix: "choose another name for the new part")
      }
      table[component.kind, default: [:]][component.name] = component
    }
  }

  /// The component of `kind` named `name`, if any.
  public func component(_ kind: PartKind, _ name: String) -> Component? { locked { table[kind]?[name] } }

  /// Names of the kind, sorted.
  public func names(_ kind: PartKind) -> [String] { locked { (table[kind] ?? [:]).keys.sorted() } }

  /// Every component, grouped by kind in `PartKind` order, then by name.
  public var components: [Component] {
    locked { PartKind.allCases.flatMap { kind in (table[kind] ?? [:]).keys.sorted().map { table[kind]![$0]! } } }
  }

  /// Components with this name, of any kind (names may repeat across kinds: `quadratic`).
  public func components(named name: String) -> [Component] {
    locked { PartKind.allCases.compactMap { table[$0]?[name] } }
  }

  // MARK: Plugins

  /// Loads the plugin library at `path` (relative paths against the current directory) and registers
  /// its parts (Plugins/PluginLoader.swift). Returns them; empty when this file was already loaded into
  /// this registry. Throws a one-line `ConfigError` and registers nothing when the library or any of its
  /// declarations is refused.
  @discardableResult
  public func loadPlugin(_ path: String) throws -> [Component] {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let real = realpath(absolute, nil).map { p -> String in defer { free(p) }; return String(cString: p) } ?? absolute
    if locked({ plugins[real] != nil }) { return [] }
    let parts = try PluginLoader.load(path) { kind, name in self.owner(kind, name) }
    try locked {
      for c in parts where table[c.kind]?[c.name] != nil {
        throw ConfigError(path: "", "cannot load plugin '\(path)': a \(c.kind.rawValue) named '\(c.name)' is already registered",
                          fix: "rename the plugin's part, or load the plugin only once")
      }
      for c in parts { table[c.kind, default: [:]][c.name] = c }
      plugins[real] = parts
    }
    return parts
  }

  /// Registers the parts a register function declares — a plugin's `mfld_plugin_register` that is not in a
  /// library file: the Python interface's (its parts are ctypes callbacks), a test's. `name` stands for the
  /// library in messages and in `mfld list`. The same checks and refusals as `loadPlugin`; nothing is
  /// registered when one declaration is refused.
  @discardableResult
  public func registerPlugin(using register: PluginABI.RegisterFunction, name: String) throws -> [Component] {
    let parts: [Component]
    do {
      parts = try PluginLoader.register(using: register, library: name) { kind, part in self.owner(kind, part) }
    } catch let r as PluginLoader.Refusal {
      throw ConfigError(path: "", "cannot register the parts of '\(name)': \(r.message)", fix: r.fix)
    }
    try locked {
      for c in parts where table[c.kind]?[c.name] != nil {
        throw ConfigError(path: "", "cannot register the parts of '\(name)': a \(c.kind.rawValue) named '\(c.name)' is already registered",
                          fix: "rename the part, or register it only once")
      }
      for c in parts { table[c.kind, default: [:]][c.name] = c }
      plugins[name, default: []] += parts
    }
    return parts
  }

  /// The plugin libraries loaded into this registry (real paths), sorted.
  public var pluginLibraries: [String] { locked { plugins.keys.sorted() } }

  /// Who holds `name` among the parts of `kind`: nil when it is free, "" for a built-in or
  /// code-registered part, "the plugin 'PATH'" for a plugin's.
  private func owner(_ kind: PartKind, _ name: String) -> String? {
    locked {
      guard table[kind]?[name] != nil else { return nil }
      return plugins.first { $0.value.contains { $0.kind == kind && $0.name == name } }.map { "the plugin '\($0.key)'" } ?? ""
    }
  }

  // MARK: PartBuilder

  public func build(_ value: ConfigValue, kind: PartKind, path: String, context: BuildContext) throws -> Any {
    guard case .object(var values) = value, case .string(let name)? = values["type"],
          let component = component(kind, name) else {
      throw ConfigError(file: context.file, path: path, "is not a resolved \(kind.rawValue)",
                        fix: "resolve the config (Resolver) before building it")
    }
    values["type"] = nil
    let args = Arguments(kind: kind, name: name, path: path, values: values, parameters: component.parameters, context: context)
    let product: Any
    do {
      product = try component.build(args)
    } catch var e as ConfigError {
      if e.file == nil { e.file = context.file }
      if e.path.isEmpty { e.path = path }
      throw e
    }
    guard kind.accepts(product) else {
      throw ConfigError(file: context.file, path: path,
                        "the \(kind.rawValue) '\(name)' built a \(type(of: product)), which is not a \(kind.productDescription)",
                        fix: "fix the part's build closure (a plugin bug)")
    }
    return product
  }
}
