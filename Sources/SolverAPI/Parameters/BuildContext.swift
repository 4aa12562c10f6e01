/// What every builder may need besides its own parameters.
public struct BuildContext: Sendable {
  /// The config file, for messages (nil for configs built in code).
  public var file: String?
  /// Folder that relative paths are resolved against (the config file's folder).
  public var baseDirectory: String
  /// The run's root random stream; parts take `args.random`, a child named by their key path.
  public var random: RandomStream
  /// The particles' domain, once known (while a metric is built: the domain it moves particles on,
  /// ℝ × W for lifted particles).
  public var domain: (any Geometry)?
  /// The reference measure ρ of the entropy, once known (metrics add its drift −τ∇U).
  public var reference: ReferenceMeasure?
  /// The run's number of steps, once known (for schedules that end in a noiseless fraction).
  public var totalSteps: Int?
  /// Builds nested parts.
  public var builder: any PartBuilder

  public init(file: String?, baseDirectory: String, random: RandomStream, domain: (any Geometry)? = nil, builder: any PartBuilder) {
    self.file = file
    self.baseDirectory = baseDirectory
    self.random = random
    self.domain = domain
    self.builder = builder
  }
}
