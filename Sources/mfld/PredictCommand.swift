import Foundation
import MFLD

enum PredictCommand: Command {
  static let name = "predict"
  static let summary = "apply a trained network (a run folder) to new inputs: predictions, risk, accuracy"
  static let help = """
  USAGE: mfld predict RUN_DIR DATA.csv [--out FILE]

  Evaluates the run's measure ν, f_ν(x) = (1/m) Σ_i r_i σ(⟨w_i, x̃⟩), on the rows of DATA.csv, reading only
  the run folder: model.json (activation, input columns and their training standardization, loss) and
  particles.csv (r_i, w_i). Input columns are taken by name when the training data named them, else the
  first d columns. When DATA.csv has the target column, prints the risk (and the accuracy for labels ±1).

  Writes FILE (default RUN_DIR/predictions-<DATA name>.csv): prediction, and target when present.

  EXAMPLE:
    mfld run examples/breast-cancer.json
    mfld predict runs/breast-cancer examples/data/breast-cancer-test.csv
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--out"], flags: [])
    guard a.positionals.count == 2 else { throw UsageError("predict takes a run folder and a CSV file; see `mfld predict --help`") }
    let (dir, dataFile) = (a.positionals[0], a.positionals[1])
    let modelFile = dir + "/model.json"
    guard let text = try? String(contentsOfFile: modelFile, encoding: .utf8) else {
      throw ConfigError(file: modelFile, path: "", "no model here",
                        fix: "give the folder of a finished two-layer-network run (`mfld run` writes model.json beside particles.csv)")
    }
    let model: ConfigValue
    do { model = try JSONParser.parse(text) } catch { throw ConfigError(file: modelFile, path: "", "invalid JSON: \(error)", fix: "rerun the run") }
    let predictor = try NetworkPredictor(model: model, file: modelFile)
    let (r, w) = try particles(dir + "/particles.csv", dimension: predictor.dimension + (predictor.bias ? 1 : 0))
    let table: NumericTable
    do { table = try NumericTable.read(contentsOf: dataFile) } catch { throw ConfigError(file: dataFile, path: "", "\(error)", fix: "fix the file") }
    // Inputs by name (or the first d columns), the target when the file has it.
    let d = predictor.dimension
    let inputColumns: [Int]
    if predictor.inputColumns.isEmpty {
      guard table.columnCount >= d else {
        throw ConfigError(file: dataFile, path: "", "has \(table.columnCount) columns; the model takes \(d) inputs", fix: "give d input columns (then the target)")
      }
      inputColumns = Array(0..<d)
    } else {
      inputColumns = try predictor.inputColumns.map { name in
        guard let k = table.columnNames.firstIndex(of: name) else {
          throw ConfigError(file: dataFile, path: "", "no column '\(name)', an input of the model" + Suggestion.didYouMean(name, in: table.columnNames),
                            fix: "the model's inputs: " + predictor.inputColumns.joined(separator: ", "))
        }
        return k
      }
    }
    let target: Int? = predictor.targetColumn.flatMap { table.columnNames.firstIndex(of: $0) }
      ?? (predictor.inputColumns.isEmpty && table.columnCount == d + 1 ? d : nil)
    var x: [Double] = []
    x.reserveCapacity(table.rowCount * d)
    for row in 0..<table.rowCount { for c in inputColumns { x.append(table[row, c]) } }
    let f = predictor.predict(x, weights: r, positions: w, parallel: .automatic)
    let y = target.map { table.column($0) }
    var csv = "prediction" + (y == nil ? "" : "," + (predictor.targetColumn ?? "target")) + "\n"
    for k in 0..<f.count { csv += CSVFormat.number(f[k]) + (y.map { "," + CSVFormat.number($0[k]) } ?? "") + "\n" }
    let out = a.last("--out") ?? dir + "/predictions-" + URL(fileURLWithPath: dataFile).deletingPathExtension().lastPathComponent + ".csv"
    try AtomicFile.write(csv, to: out)
    var line = "\(f.count) rows"
    if let y {
      line += ": risk = " + String(format: "%.17g", predictor.loss.risk(f, y)) + " (\(predictor.loss.name))"
      if y.allSatisfy({ $0 == 1 || $0 == -1 }) { line += ", accuracy = " + String(format: "%.6g", classificationAccuracy(f, y)) }
    }
    print(line + "\nwrote " + out)
    return 0
  }

  /// particles.csv of a signed run: r, then the D coordinates of w.
  static func particles(_ file: String, dimension D: Int) throws -> ([Double], ParticleCloud) {
    let table: NumericTable
    do { table = try NumericTable.read(contentsOf: file) } catch {
      throw ConfigError(file: file, path: "", "\(error)", fix: "the run did not finish, or the file was changed; rerun it")
    }
    guard table.columnCount == D + 1, table.columnNames.first == "r" else {
      throw ConfigError(file: file, path: "", "expected columns r, w1…w\(D), found \(table.columnNames.prefix(4).joined(separator: ", "))…",
                        fix: "give the folder of a two-layer-network run")
    }
    var coordinates: [Double] = []
    coordinates.reserveCapacity(table.rowCount * D)
    for i in 0..<table.rowCount { for k in 1...D { coordinates.append(table[i, k]) } }
    return (table.column(0), ParticleCloud(count: table.rowCount, dimension: D, coordinates: coordinates))
  }
}
