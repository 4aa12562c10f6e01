import Foundation
import MFLD
import StudentTParts
import Testing

/// How to test a plugin's parts: the same finite-difference laws every built-in objective passes
/// (FirstVariationCheck), here on the Swift parts directly. mfld's own PluginTests run the same
/// check through the shared library and the C bridge.
struct StudentTTests {
  static let objectives: [ConfigValue] = [
    ["type": "student-t", "nu": 3.0, "center": [0.3, -0.2], "pull": 0.7, "target_mean": [0.1, 0.4]],
    ["type": "potential", "V": ["type": "student-t", "nu": 1.5, "scale": 0.8, "center": [0.2, 0.1]]],
    ["type": "interaction", "W": ["type": "student-t", "nu": 4.0, "strength": 0.6]],
  ]

  @Test("the Student-t parts pass the finite-difference check", arguments: objectives)
  func firstVariation(objective: ConfigValue) throws {
    let registry = Registry.standard()
    for c in StudentT.all { try registry.register(c) }
    let e = try Experiment.compose([
      "domain": ["type": "euclidean", "dimension": 2],
      "objective": objective,
      "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.0],
      "particles": ["count": 5, "init": ["type": "gaussian", "std": 0.7]],
      "steps": 0,
    ], registry: registry)
    let failures = try FirstVariationCheck().check(e.plan.problem.objective, on: e.plan.state.cloud, geometry: e.domain,
                                                    random: RandomStream(seed: 3))
    #expect(failures.isEmpty, "\(failures)")
  }
}
