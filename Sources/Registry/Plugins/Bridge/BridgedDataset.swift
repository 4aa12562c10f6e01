import Formats
import SolverAPI

/// A data set of the other side, copied across once when it is built. `datasetArray`: [0] which (0 inputs,
/// 1 labels, 2 test inputs, 3 test labels, 4 teacher rows flattened, 5 teacher weights) → [1] the values
/// (the callee's storage, valid while the object lives), [2] their count.
extension BridgeImport {
  static func dataset(_ bridge: BridgeReference, _ d: ConfigObject) throws -> Dataset {
    func array(_ which: Int) throws -> [Double] {
      try bridge.object.invoke(.datasetArray, set: { $0.setInt(0, which) }, get: { f in
        let n = f.int(2)
        guard n > 0, let p = f.pointer(1) else { return [] }
        return Array(UnsafeBufferPointer(start: p, count: n))
      })
    }
    let dimension: Int = try value(d, "dimension"), teacherWidth = (try? value(d, "teacher_width", as: Int.self)) ?? 0
    let teacher = try array(4)
    return Dataset(dimension: dimension, inputs: try array(0), labels: try array(1), testInputs: try array(2), testLabels: try array(3),
                   teacher: teacherWidth == 0 ? [] : stride(from: 0, to: teacher.count, by: teacherWidth).map { Array(teacher[$0 ..< $0 + teacherWidth]) },
                   teacherWeights: try array(5), source: try value(d, "source"))
  }
}

extension BridgeExport {
  static func dataset(_ data: Dataset) -> BridgeObject {
    let arrays = [data.inputs, data.labels, data.testInputs, data.testLabels, data.teacher.flatMap { $0 }, data.teacherWeights]
    return make(data, describe: {
      ["kind": "dataset", "dimension": .integer(data.dimension), "source": .string(data.source),
       "teacher_width": .integer(data.teacher.first?.count ?? 0)]
    }) { method, f in
      guard method == .datasetArray, arrays.indices.contains(f.int(0)) else { throw PluginFailure("a data set has no method \(method)") }
      arrays[f.int(0)].withUnsafeBufferPointer { f.setPointer(1, $0.baseAddress) }
      f.setInt(2, arrays[f.int(0)].count)
    }
  }
}
