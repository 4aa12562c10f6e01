import Foundation
import MFLD

/// The two interleaved half-moons of the plane, a new data set: class +1 on the upper moon
/// (cos θ, sin θ), class −1 on the lower one (1 − cos θ, 1/2 − sin θ), θ uniform in [0, π], plus Gaussian
/// noise of standard deviation σ; an optional held-out split drawn the same way.
public enum TwoMoons {
  public static func make(samples: Int, testSamples: Int, noise: Double, random: RandomStream) -> Dataset {
    var rng = random.generator()
    func draw(_ n: Int) -> (x: [Double], y: [Double]) {
      var x: [Double] = [], y: [Double] = []
      for i in 0..<n {
        let upper = i % 2 == 0, theta = Double.pi * rng.uniform()
        var p = upper ? (cos(theta), sin(theta)) : (1 - cos(theta), 0.5 - sin(theta))
        p.0 += noise * rng.normal()
        p.1 += noise * rng.normal()
        x += [p.0, p.1]
        y.append(upper ? 1 : -1)
      }
      return (x, y)
    }
    let train = draw(samples), test = draw(testSamples)
    return Dataset(dimension: 2, inputs: train.x, labels: train.y, testInputs: test.x, testLabels: test.y,
                   source: "two moons (n = \(samples), σ = \(noise))")
  }

  public static let component = Component(
    .dataset, "two-moons",
    summary: "two interleaved half-moons in the plane, labels ±1, with Gaussian noise",
    parameters: [
      .integer("samples", default: 200, in: 2...10_000_000, "training samples n (half per moon)"),
      .integer("test_samples", default: 0, in: 0...10_000_000, "held-out samples (for test_risk)"),
      .real("noise", default: 0.1, in: .nonNegative, "σ, the noise's standard deviation"),
    ],
    example: ["type": "two-moons", "samples": 200, "noise": 0.1]
  ) { args in
    make(samples: args.integer("samples"), testSamples: args.integer("test_samples"), noise: args.real("noise"), random: args.random)
  }
}
