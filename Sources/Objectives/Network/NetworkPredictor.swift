import Formats
import Foundation
import LinearAlgebra
import SolverAPI

/// A trained two-layer network applied to new inputs (docs/math.md §2):
///     f_ν(x) = (1/m) Σ_i r_i σ(⟨w_i, x̃⟩),   x̃ = (s(x), 1),
/// with s the training split's standardization when the data set applied one. Everything but ν (r_i, w_i:
/// particles.csv) is `model`, written by a run as model.json and read back by `mfld predict`.
public struct NetworkPredictor: Sendable {
  public let activation: Activation
  public let bias: Bool
  /// Input dimension d (without the bias).
  public let dimension: Int
  public let loss: any Loss
  /// The input columns by name (empty for generated data) and the target's.
  public let inputColumns: [String]
  public let targetColumn: String?
  public let standardization: Standardization?

  public init(activation: Activation, bias: Bool, data: Dataset, loss: any Loss) {
    self.activation = activation
    self.bias = bias
    self.dimension = data.dimension
    self.loss = loss
    self.inputColumns = data.inputColumns
    self.targetColumn = data.targetColumn
    self.standardization = data.standardization
  }

  /// f_ν on raw n × d row-major inputs (standardized here as in training).
  public func predict(_ x: [Double], weights r: [Double], positions w: ParticleCloud, parallel: Parallel) -> [Double] {
    let inputs = standardization?.apply(x) ?? x
    let features = RidgeFeatures(inputs: inputs, dimension: dimension, bias: bias, activation: activation)
    return features.predictions(weights: r, positions: w, parallel: parallel)
  }

  /// model.json.
  public var model: ConfigValue {
    .object([
      "format": "mfld-model", "version": 1, "model": "two-layer-network",
      "activation": .string(activation.name), "bias": .bool(bias), "dimension": .integer(dimension), "loss": .string(loss.name),
      "inputs": .array(inputColumns.map(ConfigValue.string)), "target": targetColumn.map(ConfigValue.string) ?? .null,
      "standardization": standardization.map { s in
        .object(["mean": .array(s.mean.map(ConfigValue.real)), "scale": .array(s.scale.map(ConfigValue.real))])
      } ?? .null,
    ])
  }

  /// Reads model.json (`file` names it in errors).
  public init(model: ConfigValue, file: String) throws {
    func bad(_ path: String, _ why: String) -> ConfigError {
      ConfigError(file: file, path: path, why, fix: "it is written by `mfld run` for a two-layer network; rerun the run")
    }
    guard case .object(let o) = model, o["format"] == "mfld-model", o["version"] == 1, o["model"] == "two-layer-network" else {
      throw bad("", "not a two-layer network model of this mfld version")
    }
    guard case .string(let a)? = o["activation"], let activation = try? Activation(a) else { throw bad("activation", "missing or not an activation") }
    guard case .bool(let bias)? = o["bias"] else { throw bad("bias", "missing or not true/false") }
    guard case .integer(let d)? = o["dimension"], d >= 1 else { throw bad("dimension", "missing or not a whole number ≥ 1") }
    guard case .string(let lossName)? = o["loss"], ["square", "logistic"].contains(lossName) else { throw bad("loss", "missing or not square/logistic") }
    guard case .array(let inputs)? = o["inputs"] else { throw bad("inputs", "missing") }
    let names = inputs.compactMap { if case .string(let s) = $0 { s } else { nil } }
    guard names.isEmpty || names.count == d else { throw bad("inputs", "names \(names.count) columns for dimension \(d)") }
    var standardization: Standardization?
    if case .object(let s)? = o["standardization"] {
      guard case .array(let mean)? = s["mean"], case .array(let scale)? = s["scale"], mean.count == d, scale.count == d else {
        throw bad("standardization", "needs mean and scale of length \(d)")
      }
      let m = mean.compactMap(\.doubleValue), sc = scale.compactMap(\.doubleValue)
      guard m.count == d, sc.count == d, sc.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw bad("standardization", "holds a value that is not a number (or a scale ≤ 0)") }
      standardization = Standardization(mean: m, scale: sc)
    }
    self.activation = activation
    self.bias = bias
    self.dimension = d
    self.loss = lossName == "logistic" ? LogisticLoss() : SquareLoss()
    self.inputColumns = names
    self.targetColumn = { if case .string(let t)? = o["target"] { t } else { nil } }()
    self.standardization = standardization
  }
}
