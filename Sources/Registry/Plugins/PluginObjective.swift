import Formats
import LinearAlgebra
import SolverAPI

/// The host's view of a plugin objective: every call passes the cloud's own buffers (no copies,
/// no allocation on this side; the plugin copies into scratch it keeps).
final class PluginObjective: Objective {
  let dimension: Int
  let observableNames: [String]
  private let handle: PluginHandle
  private let evaluateFunction: PluginABI.ObjectiveEvaluateFunction
  private let firstVariationFunction: PluginABI.ObjectiveFirstVariationFunction
  private let observeFunction: PluginABI.ObjectiveObserveFunction

  init(handle: PluginHandle, dimension: Int, observableNames: [String]) {
    self.handle = handle
    self.dimension = dimension
    self.observableNames = observableNames
    evaluateFunction = handle.ops.objectiveEvaluate!
    firstVariationFunction = handle.ops.objectiveFirstVariation!
    observeFunction = handle.ops.objectiveObserve!
  }

  /// ABI version 1 carries no values in `objective_evaluate`: when they are asked for, the first variation
  /// at the particles gives them (a second call across the boundary).
  func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                parallel: Parallel) throws -> Double {
    if let values { try firstVariation(of: cloud, at: cloud, values: values, gradients: nil, parallel: parallel) }
    precondition(gradient == nil || gradient!.count >= cloud.count * cloud.dimension, "gradient buffer too small")
    var value = 0.0
    var error: PluginABI.OwnedCString?
    let status = cloud.coordinates.withUnsafeBufferPointer { x in
      evaluateFunction(handle.pointer, x.baseAddress, Int64(cloud.count), Int64(cloud.dimension), gradient?.baseAddress,
                       Int32(clamping: parallel.threads), &value, &error)
    }
    if status != PluginABI.ok { throw handle.ops.error(error) }
    return value
  }

  func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                      gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    precondition(values.count >= points.count && (gradients == nil || gradients!.count >= points.count * points.dimension))
    precondition(cloud.dimension == points.dimension, "cloud and points differ in dimension")
    var error: PluginABI.OwnedCString?
    let status = cloud.coordinates.withUnsafeBufferPointer { x in
      points.coordinates.withUnsafeBufferPointer { y in
        firstVariationFunction(handle.pointer, x.baseAddress, Int64(cloud.count), y.baseAddress, Int64(points.count),
                               Int64(cloud.dimension), values.baseAddress, gradients?.baseAddress,
                               Int32(clamping: parallel.threads), &error)
      }
    }
    if status != PluginABI.ok { throw handle.ops.error(error) }
  }

  func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    if observableNames.isEmpty { return [] }
    var values = [Double](repeating: .nan, count: observableNames.count)
    var error: PluginABI.OwnedCString?
    let status = cloud.coordinates.withUnsafeBufferPointer { x in
      values.withUnsafeMutableBufferPointer { v in
        observeFunction(handle.pointer, x.baseAddress, Int64(cloud.count), Int64(cloud.dimension), v.baseAddress,
                        Int32(clamping: parallel.threads), &error)
      }
    }
    if status != PluginABI.ok { throw handle.ops.error(error) }
    return values
  }
}
