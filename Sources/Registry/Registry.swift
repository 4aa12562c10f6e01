import Integrators
import Objectives
import Reductions
import SolverAPI

/// Name → component, for every kind of part; builds parts from resolved configs.
///
/// `Registry.standard()` holds every built-in part. Plugins and custom runners add their own with
/// `register(_:)`; a name can be registered once per kind.
public final class Registry: PartBuilder, @unchecked Sendable {
  private var table: [PartKind: [String: Component]] = [:]
  /// Plugin libraries loaded into this registry, by real path (see Plugins/PluginLoader.swift).
  var plugins: [String: [Component]] = [:]

  public init() {}

  /// A registry with every built-in part.
  public static func standard() -> Registry {
    let r = Registry()
    for c in BuiltinComponents.all + ObjectiveComponents.all + ReductionComponents.all + IntegratorComponents.all {
      try! r.register(c)
    }
    return r
  }

  /// Adds a component. Throws if its kind already has a part of that name.
  public func register(_ component: Component) throws {
    if table[component.kind]?[component.name] != nil {
      throw ConfigError(path: "", "a \(component.kind.rawValue) named '\(component.name)' is already registered",
                        fix: "choose another name for the new part")
    }
    table[component.kind, default: [:]][component.name] = component
  }

  /// The component of `kind` named `name`, if any.
  public func component(_ kind: PartKind, _ name: String) -> Component? { table[kind]?[name] }

  /// Names of the kind, sorted.
  public func names(_ kind: PartKind) -> [String] { (table[kind] ?? [:]).keys.sorted() }

  /// Every component, grouped by kind in `PartKind` order, then by name.
  public var components: [Component] {
    PartKind.allCases.flatMap { kind in names(kind).map { table[kind]![$0]! } }
  }

  /// Components with this name, of any kind (names may repeat across kinds: `quadratic`).
  public func components(named name: String) -> [Component] {
    PartKind.allCases.compactMap { table[$0]?[name] }
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

extension PartKind {
  /// The Swift type a component of this kind must build.
  var productDescription: String {
    switch self {
    case .objective: return "any Objective"
    case .reduction: return "any Reduction"
    case .integrator: return "any Integrator"
    case .schedule: return "any Schedule"
    case .domain: return "any Geometry"
    case .reference: return "ReferenceMeasure"
    case .potential, .kernel: return "any ScalarField"
    case .cloud: return "any CloudSource"
    case .dataset: return "Dataset"
    case .observer: return "any Observer"
    }
  }

  func accepts(_ product: Any) -> Bool {
    switch self {
    case .objective: return product is any Objective || product is any SignedObjective
    case .reduction: return product is any Reduction
    case .integrator: return product is any Integrator
    case .schedule: return product is any Schedule
    case .domain: return product is any Geometry
    case .reference: return product is ReferenceMeasure
    case .potential, .kernel: return product is any ScalarField
    case .cloud: return product is any CloudSource
    case .dataset: return product is Dataset
    case .observer: return product is any Observer
    }
  }
}
