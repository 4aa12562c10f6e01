import Foundation
import SolverAPI

/// Student–teacher data (docs/math.md §2): inputs x uniform on S^{d−1}, teacher
/// f*(x) = Σ_{j≤k} a_j σ(⟨w*_j, x̃⟩) with w*_j uniform on S^d and a_j = ±1/k (signs alternate, the
/// first positive; a_1 = 1 for a single neuron), labels y = f*(x) + noise·ξ. The test split is drawn
/// the same way, without label noise.
public enum TeacherData {
  public static func make(dimension d: Int, samples n: Int, testSamples: Int, neurons k: Int, activation: Activation,
                          noise: Double, random: RandomStream) -> Dataset {
    var rng = random.split("teacher").generator()
    let sphere = Sphere(intrinsicDimension: d)
    var teacher: [[Double]] = []
    for _ in 0..<k {
      var w = [Double](repeating: 0, count: d + 1)
      w.withUnsafeMutableBufferPointer { sphere.sampleUniform(into: $0.baseAddress!, using: &rng) }
      teacher.append(w)
    }
    let a = (0..<k).map { j in (j % 2 == 0 ? 1.0 : -1.0) / Double(k) }
    func sample(_ count: Int, _ stream: String, noisy: Bool) -> ([Double], [Double]) {
      var g = random.split(stream).generator()
      let inputSphere = Sphere(intrinsicDimension: d - 1)
      var x = [Double](repeating: 0, count: count * d), y = [Double](repeating: 0, count: count)
      x.withUnsafeMutableBufferPointer { xp in
        for s in 0..<count {
          if d == 1 { xp[s] = g.uniform() < 0.5 ? -1 : 1 } else { inputSphere.sampleUniform(into: xp.baseAddress! + s * d, using: &g) }
          var f = 0.0
          for j in 0..<k {
            var z = teacher[j][d]
            for c in 0..<d { z += teacher[j][c] * xp[s * d + c] }
            f += a[j] * activation.value(z)
          }
          y[s] = f + (noisy ? noise * g.normal() : 0)
        }
      }
      return (x, y)
    }
    let (x, y) = sample(n, "train", noisy: true)
    let (xt, yt) = sample(testSamples, "test", noisy: false)
    return Dataset(dimension: d, inputs: x, labels: y, testInputs: xt, testLabels: yt, teacher: teacher, teacherWeights: a,
                   source: "teacher(d = \(d), k = \(k))")
  }
}
