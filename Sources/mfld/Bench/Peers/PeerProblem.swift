import Foundation
import MFLD

/// What the NumPy reference `bench/peers/numpy_steps.py` is given: a folder with `problem.json` and raw
/// little-endian float64 arrays beside it. Per case the script writes `<name>.step.bin` (the particles
/// after one noiseless step) and its steps/s; it also times float64 matrix products, Gram products
/// A @ A.T and Cholesky factorizations of the listed sizes. It answers in `result.json` (`PeerResult`).
public struct PeerProblem: Sendable {
  /// One bilevel or lift step of a relu two-layer network (square loss, W the sphere, no reference potential).
  public struct Case: Sendable {
    /// Also the stem of its files; letters, digits and '-' only.
    public var name: String
    /// "bilevel" or "lift".
    public var reduction: String
    /// n samples, m particles, D = d + 1 coordinates per particle (with the bias).
    public var n: Int, m: Int, D: Int
    /// X̃, n × D row-major, the bias column included.
    public var inputs: [Double]
    /// y, n.
    public var labels: [Double]
    /// The initial w_i, m × D row-major.
    public var positions: [Double]
    /// The initial weights r_i (lift only).
    public var weights: [Double]?
    public var lambda: Double, eta: Double
    /// The temperature of NumPy's timed steps (the checked step is noiseless).
    public var tau: Double
    /// The lift's r-step / w-step ratio.
    public var ratio: Double
    /// NumPy times its steps for at least this long (and `windows` steps).
    public var seconds: Double
    /// NumPy's rate is the best of this many windows, each `seconds / windows` long (and one step).
    public var windows: Int
    /// Instead of a rate: `steps` noisy steps recording [step, seconds, G_λ] every `every`, stopping at the
    /// first record at or below `target` (`mfld bench accuracy`).
    public var trajectory: (steps: Int, every: Int, target: Double)?

    public init(name: String, reduction: String, n: Int, m: Int, D: Int, inputs: [Double], labels: [Double], positions: [Double],
                weights: [Double]? = nil, lambda: Double, eta: Double, tau: Double, ratio: Double = 1, seconds: Double, windows: Int = 3) {
      self.name = name; self.reduction = reduction; self.n = n; self.m = m; self.D = D
      self.inputs = inputs; self.labels = labels; self.positions = positions; self.weights = weights
      self.lambda = lambda; self.eta = eta; self.tau = tau; self.ratio = ratio; self.seconds = seconds
      self.windows = windows
    }
  }

  public var cases: [Case]
  /// Matrix products to time, [M, N, K]: A (M × K) times B (K × N).
  public var matmul: [[Int]]
  /// Gram products A @ A.T to time, [M, K]: A M × K (NumPy calls syrk).
  public var gram: [[Int]]
  /// Cholesky factorizations to time, by order n.
  public var cholesky: [Int]
  /// How long NumPy times each product and factorization (at least; and 3 runs).
  public var kernelSeconds: Double

  public init(cases: [Case] = [], matmul: [[Int]] = [], gram: [[Int]] = [], cholesky: [Int] = [], kernelSeconds: Double = 1) {
    self.cases = cases; self.matmul = matmul; self.gram = gram; self.cholesky = cholesky; self.kernelSeconds = kernelSeconds
  }

  /// The file names of a case's arrays: X, y, W and (lift) r.
  public static func files(of c: Case) -> [String: String] {
    var f = ["X": c.name + ".X.bin", "y": c.name + ".y.bin", "W": c.name + ".W.bin"]
    if c.weights != nil { f["r"] = c.name + ".r.bin" }
    return f
  }

  /// problem.json's content.
  public var json: ConfigValue {
    .object([
      "cases": .array(cases.map { c in
        var o: ConfigObject = ["name": .string(c.name), "reduction": .string(c.reduction),
                               "n": .integer(c.n), "m": .integer(c.m), "D": .integer(c.D),
                               "lambda": .real(c.lambda), "eta": .real(c.eta), "tau": .real(c.tau), "ratio": .real(c.ratio),
                               "seconds": .real(c.seconds), "windows": .integer(c.windows)]
        for (key, file) in Self.files(of: c).sorted(by: { $0.key < $1.key }) { o[key] = .string(file) }
        if let t = c.trajectory { o["trajectory"] = ["steps": .integer(t.steps), "every": .integer(t.every), "target": .real(t.target)] }
        return .object(o)
      }),
      "matmul": .array(matmul.map { .array($0.map(ConfigValue.integer)) }),
      "gram": .array(gram.map { .array($0.map(ConfigValue.integer)) }),
      "cholesky": .array(cholesky.map(ConfigValue.integer)),
      "matmul_seconds": .real(kernelSeconds),
    ])
  }

  /// Writes problem.json and every case's arrays into `directory` (which must exist).
  public func write(to directory: String) throws {
    for c in cases {
      precondition(c.name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }, "case names become file names")
      precondition(c.inputs.count == c.n * c.D && c.labels.count == c.n && c.positions.count == c.m * c.D
                   && (c.weights?.count ?? c.m) == c.m, "array sizes do not match (n, m, D)")
      let files = Self.files(of: c)
      try Self.writeDoubles(c.inputs, to: directory + "/" + files["X"]!)
      try Self.writeDoubles(c.labels, to: directory + "/" + files["y"]!)
      try Self.writeDoubles(c.positions, to: directory + "/" + files["W"]!)
      if let r = c.weights { try Self.writeDoubles(r, to: directory + "/" + files["r"]!) }
    }
    try Data((json.jsonText(pretty: true) + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/problem.json"))
  }

  /// Raw little-endian float64.
  public static func writeDoubles(_ values: [Double], to path: String) throws {
    let bits = values.map { $0.bitPattern.littleEndian }
    try bits.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
  }

  /// Raw little-endian float64 (a trailing partial value is an error).
  public static func readDoubles(_ path: String) throws -> [Double] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard data.count % 8 == 0 else { throw PeerError("\(path) holds \(data.count) bytes, not a whole number of float64") }
    var bits = [UInt64](repeating: 0, count: data.count / 8)
    _ = bits.withUnsafeMutableBytes { data.copyBytes(to: $0) }
    return bits.map { Double(bitPattern: UInt64(littleEndian: $0)) }
  }
}
