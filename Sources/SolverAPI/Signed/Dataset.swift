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

  public init(dimension: Int, inputs: [Double], labels: [Double], testInputs: [Double] = [], testLabels: [Double] = [],
              teacher: [[Double]] = [], teacherWeights: [Double] = [], source: String) {
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
}
