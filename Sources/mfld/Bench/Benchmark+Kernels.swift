import Foundation
import MFLD

extension Benchmark {
  /// A buffer of doubles filled with standard normal values (dense operands: no zero to skip).
  final class Operand {
    let pointer: UnsafeMutablePointer<Double>
    let count: Int
    init(_ count: Int, seed: UInt64) {
      self.count = count
      pointer = .allocate(capacity: count)
      var rng = RandomStream(seed: seed).generator()
      for i in 0..<count { pointer[i] = rng.normal() }
    }
    deinit { pointer.deallocate() }
  }

  /// One dense kernel at one shape, through the public `Dense` API.
  struct Kernel {
    var name: String
    /// Floating-point operations of one call (the nominal count, see `note`).
    var flops: Double
    /// The NumPy product of the same shape, [M, N, K] (A (M × K) times B (K × N)).
    var matmul: [Int]?
    /// The NumPy Gram product A @ A.T of the same shape, [M, K] (A M × K; NumPy calls syrk).
    var gram: [Int]?
    /// The NumPy Cholesky factorization of the same order.
    var cholesky: Int?
    var note: String
    /// The issue's targets apply (the dominant kernel at the largest size): 2 threads ≥ 60% of NumPy
    /// and ≥ 1.7× one thread.
    var targets = false
    /// Untimed, before each call.
    var prepare: () -> Void = {}
    var call: (Parallel) -> Void
    /// Holds the operands alive.
    var operands: [Operand]
  }

  /// The dominant dense kernels of the big steps at the shapes they run at: the Woodbury Gram F Fᵀ of
  /// the bilevel inner solve (the symmetric path, and a general product of the same shape), the kernel
  /// Gram FᵀF, the feature product W X̃ᵀ, the pullback, Cholesky. `quick`: the same kernels at the
  /// (500, 200, 10) shapes (no targets).
  static func kernels(quick: Bool) -> [Kernel] {
    // (n, m, D) of the largest step; (nk, mk) where the kernel (n × n) system is used.
    let (n, m, D) = quick ? (500, 200, 11) : (4000, 2000, 51)
    let (nk, mk) = quick ? (500, 200) : (1000, 1000)
    var list: [Kernel] = []
    do {
      let f = Operand(m * n, seed: 1), s = Operand(m * m, seed: 2)
      list.append(Kernel(name: "Woodbury Gram F Fᵀ, \(m) × \(m) × \(n) (multiplyTransposed(F, F): lower triangle, mirrored)",
                         flops: 2 * Double(m) * Double(m) * Double(n), gram: [m, n],
                         note: "2·m²·k flops counted for us and NumPy alike, though both compute one triangle", targets: !quick,
                         call: { Dense.multiplyTransposed(f.pointer, f.pointer, into: s.pointer, m: m, n: m, k: n, parallel: $0) },
                         operands: [f, s]))
    }
    do {
      let a = Operand(m * n, seed: 14), b = Operand(n * m, seed: 15), c = Operand(m * m, seed: 16)
      list.append(Kernel(name: "general product A B, \(m) × \(m) × \(n) (multiply, distinct operands)",
                         flops: 2 * Double(m) * Double(m) * Double(n), matmul: [m, m, n],
                         note: "the Woodbury Gram's shape as a general product", targets: !quick,
                         call: { Dense.multiply(a.pointer, b.pointer, into: c.pointer, m: m, n: m, k: n, parallel: $0) },
                         operands: [a, b, c]))
    }
    do {
      let f = Operand(mk * nk, seed: 3), s = Operand(nk * nk, seed: 4)
      list.append(Kernel(name: "kernel Gram FᵀF, \(nk) × \(nk) × \(mk) (gramOfColumns)",
                         flops: 2 * Double(nk) * Double(nk) * Double(mk), gram: [nk, mk],
                         note: "2·n²·m flops counted for us and NumPy (A @ A.T, A = Fᵀ) alike, though both compute one triangle",
                         call: { Dense.gramOfColumns(f.pointer, into: s.pointer, m: mk, n: nk, parallel: $0) },
                         operands: [f, s]))
    }
    do {
      // X̃ᵀ stored D × n, as RidgeFeatures keeps it.
      let w = Operand(m * D, seed: 5), xt = Operand(D * n, seed: 6), z = Operand(m * n, seed: 7)
      list.append(Kernel(name: "features W X̃ᵀ, \(m) × \(n) × \(D) (product)",
                         flops: 2 * Double(m) * Double(n) * Double(D), matmul: [m, n, D], note: "",
                         call: {
                           Dense.product(m: m, n: n, k: D, w.pointer, aRow: D, aColumn: 1, xt.pointer, bRow: n, bColumn: 1,
                                         into: z.pointer, ldc: n, parallel: $0)
                         },
                         operands: [w, xt, z]))
    }
    do {
      // relu's pullback reads σ′(Z) = 1[F > 0] off the features as it packs them.
      let a = Operand(m * n, seed: 8), x = Operand(n * D, seed: 9), g = Operand(m * D, seed: 10)
      list.append(Kernel(name: "pullback relu′(F) X̃, \(m) × \(D) × \(n) (multiply, map: .indicatorOfPositive)",
                         flops: 2 * Double(m) * Double(D) * Double(n), matmul: [m, D, n], note: "",
                         call: { Dense.multiply(a.pointer, map: .indicatorOfPositive, x.pointer, into: g.pointer, m: m, n: D, k: n, parallel: $0) },
                         operands: [a, x, g]))
    }
    do {
      // A symmetric positive-definite system like the Woodbury one: F Fᵀ/n + I.
      let f = Operand(m * n, seed: 11), spd = Operand(m * m, seed: 12), work = Operand(m * m, seed: 13)
      Dense.multiplyTransposed(f.pointer, f.pointer, into: spd.pointer, m: m, n: m, k: n, alpha: 1 / Double(n), parallel: .automatic)
      for i in 0..<m { spd.pointer[i * m + i] += 1 }
      list.append(Kernel(name: "Cholesky, order \(m) (choleskyFactor)", flops: pow(Double(m), 3) / 3, cholesky: m,
                         note: "n³/3 flops", prepare: { work.pointer.update(from: spd.pointer, count: m * m) },
                         call: { precondition(Dense.choleskyFactor(work.pointer, n: m, parallel: $0), "not positive definite") },
                         operands: [spd, work]))
    }
    return list
  }

  /// GFLOP/s of the dominant dense kernels on 1 and 2 threads (medians of timed repetitions) and, when
  /// python3 with numpy is there, NumPy's GFLOP/s at the same shapes in the same run and our percentage.
  public static func kernels(_ options: Options) throws -> [Row] {
    let budget = options.budget
    let list = kernels(quick: options.quick)
    var measured: [(single: Double, double: Double, runs: (Int, Int))] = []
    for k in list {
      var rates: [Double] = [], runs: [Int] = []
      for threads in [1, 2] {
        options.progress("kernels: \(k.name), \(threads) thread\(threads == 1 ? "" : "s")")
        let (s, r) = medianSeconds(budget, prepare: k.prepare) { k.call(Parallel(threads: threads)) }
        rates.append(k.flops / s / 1e9)
        runs.append(r)
      }
      measured.append((rates[0], rates[1], (runs[0], runs[1])))
    }
    // NumPy at the same shapes, through the peer script.
    var numpy: (oneThread: PeerResult, defaultThreads: PeerResult)?, skipped: Row?
    if let reason = NumPyPeer.unavailable(peers: options.peersDirectory) {
      skipped = Row(suite: "kernels", name: "NumPy GFLOP/s", value: .nan, unit: "", note: "skipped: " + reason)
    } else {
      options.progress("kernels: NumPy")
      let directory = try NumPyPeer.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let problem = PeerProblem(matmul: list.compactMap(\.matmul), gram: list.compactMap(\.gram), cholesky: list.compactMap(\.cholesky),
                                kernelSeconds: budget.minSeconds)
      do { numpy = try NumPyPeer.run(problem, peers: options.peersDirectory, in: directory) } catch {
        skipped = Row(suite: "kernels", name: "NumPy GFLOP/s", value: .nan, unit: "", note: "FAILED: \(error)", failed: true)
      }
    }
    var rows = [Row(suite: "kernels", name: "instruction set", value: .nan, unit: "",
                    note: "Dense.instructionSet = \(Dense.instructionSet) (the packed kernels in use on this machine)")]
    for (k, r) in zip(list, measured) {
      rows.append(Row(suite: "kernels", name: k.name + ", 1 thread", value: r.single, unit: "GFLOP/s",
                      note: "median of \(r.runs.0)" + (k.note.isEmpty ? "" : "; " + k.note)))
      let speedup = r.double / r.single
      rows.append(Row(suite: "kernels", name: k.name + ", 2 threads", value: r.double, unit: "GFLOP/s",
                      note: String(format: "%.2f× one thread", speedup) + (k.targets ? " (" + target("≥ 1.7× at the largest size", met: speedup >= 1.7) + ")" : "")
                        + "; median of \(r.runs.1)"))
      func figure(_ r: PeerResult?) -> Double? {
        k.matmul.flatMap { r?.matmul[$0] } ?? k.gram.flatMap { r?.gram[$0] } ?? k.cholesky.flatMap { r?.cholesky[$0] }
      }
      if let numpy, let one = figure(numpy.oneThread), let all = figure(numpy.defaultThreads) {
        let theirs = max(one, all)
        let what = k.cholesky != nil ? "np.linalg.cholesky" : (k.gram != nil ? "A @ A.T (syrk)" : "A @ B, distinct operands")
        rows.append(Row(suite: "kernels", name: k.name + ", NumPy", value: theirs, unit: "GFLOP/s",
                        note: "NumPy \(numpy.defaultThreads.numpyVersion) " + what + "; " + bestOfNote(one, all, "GFLOP/s")))
        let percent = 100 * r.double / theirs
        rows.append(Row(suite: "kernels", name: k.name + ", Swift 2 threads / NumPy", value: percent, unit: "% of NumPy",
                        note: k.targets ? target("≥ 60% (the dominant dense kernel at the largest size)", met: percent >= 60) : ""))
      }
    }
    return rows + (skipped.map { [$0] } ?? [])
  }
}
