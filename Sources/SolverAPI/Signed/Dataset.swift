/// Inputs and labels for a signed objective, with an optional held-out test split and, for
/// generated data, the teacher that produced it.
public struct Dataset: Sendable {
  /// Input dimension d (without the bias).
  public let dimension: Int
  /// n × d inputs, row-major.
  public let inputs: [Double]
  public let labels: [Double]
  public let testInputs: [Double]
  public let testLabels: [Double]
  /// Teacher neurons w*_j ∈ S^d (with the bias coordinate) and their output weights a_j, when known.
  public let teacher: [[Double]]
  public let teacherWeights: [Double]
  /// Where it came from, for messages.
  public let source: String
  /// For data read from a table: the input columns' names (in order) and the target's, so that a trained
  /// model can be applied to another file (`mfld predict`).
  public let inputColumns: [String]
  public let targetColumn: String?
  /// The standardization applied to `inputs` and `testInputs` (nil: raw inputs).
  public let standardization: Standardization?

  public init(dimension: Int, inputs: [Double], labels: [Double], testInputs: [Double] = [], testLabels: [Double] = [],
              teacher: [[Double]] = [], teacherWeights: [Double] = [], source: String, inputColumns: [String] = [],
              targetColumn: String? = nil, standardization: Standardization? = nil) {
    self.inputColumns = inputColumns
    self.targetColumn = targetColumn
    self.standardization = standardization
    self.dimension = dimension
    self.inputs = inputs
    self.labels = labels
    self.testInputs = testInputs
    self.testLabels = testLabels
    self.teacher = teacher
    self.teacherWeights = teacherWeights
    self.source = source
  }

  public var sampleCount: Int { labels.count }
  public var testCount: Int { testLabels.count }
  /// True when every label (train and test) is −1 or +1: a classification task, whose runs record accuracy.
  public var isClassification: Bool { SolverAPI.isClassification(labels, testLabels) }
}
