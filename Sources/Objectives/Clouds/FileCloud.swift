import Formats
import SolverAPI

/// Points read from a CSV file, one per row, one coordinate per column (a header row is optional).
/// The file is read once, when the config is composed, so a missing or malformed file is reported
/// before anything runs.
public struct FileCloud: CloudSource {
  public let table: NumericTable
  public let file: String
  public let geometry: any Geometry
  /// Key path of this source in the config, for messages.
  public let configPath: String
  public let configFile: String?

  public init(table: NumericTable, file: String, geometry: any Geometry, configPath: String, configFile: String?) {
    self.table = table
    self.file = file
    self.geometry = geometry
    self.configPath = configPath
    self.configFile = configFile
  }

  public func makeCloud(count: Int?, dimension: Int, random: RandomStream) throws -> ParticleCloud {
    guard table.columnCount == dimension else {
      throw ConfigError(file: configFile, path: configPath + ".file",
                        "'\(file)' has \(table.columnCount) columns, but points on \(geometry.name) have \(dimension) coordinates",
                        fix: "give one column per coordinate")
    }
    if let count, count != table.rowCount {
      throw ConfigError(file: configFile, path: configPath + ".file",
                        "'\(file)' has \(table.rowCount) points, but \(count) are asked for",
                        fix: "set the count (particles.count) to \(table.rowCount), or use a file with \(count) rows")
    }
    let cloud = ParticleCloud(count: table.rowCount, dimension: dimension, coordinates: table.values)
    do { return try projected(cloud, onto: geometry) } catch var e as ConfigError {
      e.file = configFile
      e.path = configPath + ".file"
      throw e
    }
  }
}
