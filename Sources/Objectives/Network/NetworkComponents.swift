import Formats
import SolverAPI
import Suggestions

/// Two-layer networks, the single-neuron teacher problem, and their data sets.
public enum NetworkComponents {
  public static let all: [Component] = [twoLayerNetwork, singleNeuron, teacher, csv]

  static let losses = ["square", "logistic"]

  /// The `activation` parameter: a built-in name or a formula in t.
  static func activation(_ args: Arguments) throws -> Activation {
    do { return try Activation(args.string("activation")) } catch {
      throw args.error("activation", error.description, fix: "use one of " + Activation.builtinNames.joined(separator: ", ") + ", or a formula in t")
    }
  }

  static func loss(_ args: Arguments) -> any Loss {
    args.string("loss") == "logistic" ? LogisticLoss() : SquareLoss()
  }

  static let networkParameters: [Parameter] = [
    .string("activation", default: "relu", "σ: relu, tanh, sigmoid, softplus, or a formula in t such as \"tanh(t) + 0.1*t\""),
    .choice("loss", losses, default: "square", "R: square (1/2n)|f − y|², or logistic (labels ±1)"),
    .real("lambda", default: 1e-3, in: .positive, "λ of (λ/2)‖ν‖²_TV"),
    .choice("domain", ["sphere", "euclidean"], default: "sphere", "W: the sphere S^d ⊂ ℝ^{d+1}, or ℝ^{d+1}"),
  ]

  static let twoLayerNetwork = Component(
    .objective, "two-layer-network",
    summary: "G_λ(ν) = R(∫σ(⟨w, x̃⟩) dν(w)) + (λ/2)‖ν‖²_TV, x̃ = (x, 1); records test_risk with a test split, accuracy with labels ±1",
    parameters: [.part("data", .dataset, "training (and test) data: teacher or csv")] + networkParameters,
    notes: "A signed objective: choose a reduction, bilevel or lift. Particles live on W (d + 1 coordinates)."
  ) { args in
    let data = try args.part("data", as: Dataset.self)
    return try network(args, data: data, alignment: false)
  }

  static let singleNeuron = Component(
    .objective, "single-neuron",
    summary: "learn one teacher neuron y = σ(⟨w*, x̃⟩); records alignment max_i⟨w_i, w*⟩ and the mass-weighted alignment",
    parameters: [
      .integer("dimension", default: 10, in: 1...100_000, "input dimension d"),
      .integer("samples", default: 500, in: 1...10_000_000, "training samples n"),
      .integer("test_samples", default: 0, in: 0...10_000_000, "held-out samples"),
      .real("noise", default: 0, in: .nonNegative, "label noise standard deviation"),
    ] + networkParameters
  ) { args in
    let activation = try activation(args)
    let data = TeacherData.make(dimension: args.integer("dimension"), samples: args.integer("samples"),
                                testSamples: args.integer("test_samples"), neurons: 1, activation: activation,
                                noise: args.real("noise"), random: args.random)
    return try network(args, data: data, alignment: true)
  }

  static func network(_ args: Arguments, data: Dataset, alignment: Bool) throws -> any SignedObjective {
    let loss = loss(args)
    if let problem = loss.checkLabels(data.labels) {
      throw args.error("loss", problem, fix: "use \"loss\": \"square\", or labels −1 and +1")
    }
    return TwoLayerNetwork(data: data, activation: try activation(args), loss: loss,
                           lambda: args.real("lambda"), sphere: args.string("domain") == "sphere", recordsAlignment: alignment)
  }

  static let teacher = Component(
    .dataset, "teacher",
    summary: "x uniform on S^{d−1}, y = Σ_j a_j σ(⟨w*_j, x̃⟩) + noise, w*_j uniform on S^d, a_j = ±1/k",
    parameters: [
      .integer("dimension", default: 10, in: 1...100_000, "input dimension d"),
      .integer("samples", default: 500, in: 1...10_000_000, "training samples n"),
      .integer("test_samples", default: 0, in: 0...10_000_000, "held-out samples (no label noise)"),
      .integer("neurons", default: 3, in: 1...100_000, "teacher neurons k"),
      .string("activation", default: "relu", "the teacher's σ (a name or a formula in t)"),
      .real("noise", default: 0, in: .nonNegative, "label noise standard deviation"),
    ]
  ) { args in
    TeacherData.make(dimension: args.integer("dimension"), samples: args.integer("samples"),
                     testSamples: args.integer("test_samples"), neurons: args.integer("neurons"),
                     activation: try activation(args), noise: args.real("noise"), random: args.random)
  }

  static let csv = Component(
    .dataset, "csv",
    summary: "inputs and labels from a CSV file: feature columns and a target column; a held-out test file or fraction",
    parameters: [
      .path("file", "training CSV, relative to the config file's folder (a header row names the columns)"),
      .string("test_file", default: "", "held-out CSV with the same named columns: the test split (empty: none, or test_fraction)"),
      .string("target", default: "", "the label column's name (empty: the last column)"),
      .strings("features", default: [], "the input columns by name, in order (empty: every column but the target)"),
      .boolean("standardize", default: false,
               "center and scale each input column by the training split's mean and population standard deviation; the test rows and `mfld predict` use the same statistics"),
      .real("test_fraction", default: 0, in: Interval(lower: 0, included: true, upper: 1, included: false),
            "fraction of the file's rows held out for the test risk (chosen with the seed); 0 with a test_file"),
    ],
    notes: "With labels −1 and +1 (train and test) the run also records accuracy and test_accuracy: the share of signs of f_ν that match."
  ) { args in
    func read(_ key: String) throws -> NumericTable {
      do { return try NumericTable.read(contentsOf: args.path(key)) } catch {
        throw args.error(key, "\(error)", fix: "fix the file, or check the path (relative to the config file's folder)")
      }
    }
    let table = try read("file")
    guard table.columnCount >= 2 else {
      throw args.error("file", "'\(args.string("file"))' has \(table.columnCount) column; it needs feature columns and a target",
                       fix: "add columns")
    }
    func column(_ name: String, key: String, in table: NumericTable, file: String) throws -> Int {
      guard let k = table.columnNames.firstIndex(of: name) else {
        throw args.error(key, "no column '\(name)' in '\(file)'" + Suggestion.didYouMean(name, in: table.columnNames),
                         fix: "columns: " + table.columnNames.joined(separator: ", "))
      }
      return k
    }
    let target = args.string("target").isEmpty ? table.columnNames[table.columnCount - 1] : args.string("target")
    let t = try column(target, key: "target", in: table, file: args.string("file"))
    var names = args.strings("features")
    if names.isEmpty { names = table.columnNames.enumerated().filter { $0.offset != t }.map(\.element) }
    if let twice = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
      throw args.error("features", "'\(twice)' is listed twice", fix: "list each input column once")
    }
    if names.contains(target) { throw args.error("features", "lists the target '\(target)'", fix: "remove it from features") }
    let columns = try names.enumerated().map { i, n in try column(n, key: "features[\(i)]", in: table, file: args.string("file")) }
    func split(_ table: NumericTable, rows ids: [Int], columns: [Int], target t: Int) -> ([Double], [Double]) {
      var x: [Double] = [], y: [Double] = []
      x.reserveCapacity(ids.count * columns.count)
      for r in ids {
        for c in columns { x.append(table[r, c]) }
        y.append(table[r, t])
      }
      return (x, y)
    }
    var x: [Double], y: [Double], xt: [Double], yt: [Double]
    if !args.string("test_file").isEmpty {
      guard args.real("test_fraction") == 0 else {
        throw args.error("test_fraction", "is set beside a test_file", fix: "use one: the test file, or a fraction of the training file")
      }
      let test = try read("test_file")
      let testColumns = try names.map { try column($0, key: "test_file", in: test, file: args.string("test_file")) }
      (x, y) = split(table, rows: Array(0..<table.rowCount), columns: columns, target: t)
      (xt, yt) = split(test, rows: Array(0..<test.rowCount), columns: testColumns,
                       target: try column(target, key: "test_file", in: test, file: args.string("test_file")))
    } else {
      var order = Array(0..<table.rowCount)
      var rng = args.random.generator()
      order.shuffle(using: &rng)
      let testCount = Int((args.real("test_fraction") * Double(table.rowCount)).rounded(.down))
      guard table.rowCount - testCount >= 1 else { throw args.error("test_fraction", "leaves no training rows", fix: "use a smaller fraction") }
      (xt, yt) = split(table, rows: order[..<testCount].sorted(), columns: columns, target: t)
      (x, y) = split(table, rows: order[testCount...].sorted(), columns: columns, target: t)
    }
    var standardization: Standardization?
    if args.bool("standardize") {
      let s = Standardization(rows: x, dimension: names.count)
      (x, xt, standardization) = (s.apply(x), s.apply(xt), s)
    }
    return Dataset(dimension: names.count, inputs: x, labels: y, testInputs: xt, testLabels: yt, source: args.string("file"),
                   inputColumns: names, targetColumn: target, standardization: standardization)
  }
}
