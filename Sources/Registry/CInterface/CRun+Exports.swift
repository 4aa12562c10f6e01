import Experiments
import Foundation
import Formats
import LinearAlgebra
import Registry
import SolverAPI

// The run functions of the C interface (CInterface.swift has the conventions).
//
//     int32_t mfld_run_create(const char *file, const char *config_json, const char *base_directory,
//                             const char *overrides_json, void **run, char **error);
//     void    mfld_run_free(void *run);
//     int32_t mfld_run_step(void *run, int64_t k, int64_t *taken, int32_t *ended, char **error);
//     char   *mfld_run_status(void *run);                         JSON: step, last_step, status, message, shapes, columns
//     char   *mfld_run_config(void *run);                         the resolved config (JSON)
//     int32_t mfld_run_state(void *run, double *x);                 the particles' coordinates (count × dimension)
//     int32_t mfld_run_set_state(void *run, const double *x, int64_t count, int64_t dimension, char **error);
//     int32_t mfld_run_signed_measure(void *run, double *weights, double *positions, char **error);
//     int32_t mfld_run_trace(void *run, double *rows);              rows × columns recorded so far
//     int32_t mfld_run_objective(void *run, const double *x, int64_t count, int64_t dimension, double *value, char **error);
//     int32_t mfld_run_first_variation(void *run, const double *y, int64_t count, int64_t dimension,
//                                      double *values, double *gradients, char **error);
//     int32_t mfld_run_checkpoint(void *run, const char *directory, char **error);
//     int32_t mfld_run_resume(const char *directory, void **run, char **error);

private func run(_ p: UnsafeMutableRawPointer?) -> CRun? { p.map { Unmanaged<CRun>.fromOpaque($0).takeUnretainedValue() } }

private func handle(_ r: CRun, _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
  out?.pointee = Unmanaged.passRetained(r).toOpaque()
}

private struct NoRun: Error, CustomStringConvertible {
  var description: String { "no run (a null handle)" }
}

/// Composes a config — a file (`file`), or JSON text (`config_json`, relative paths against
/// `base_directory`, default the current folder) — with overrides (a JSON array of "key.path=value"), and
/// starts a run at its step 0. Bad input fails with the one-line error `mfld run` prints.
@_cdecl("mfld_run_create")
public func mfld_run_create(_ file: UnsafePointer<CChar>?, _ json: UnsafePointer<CChar>?, _ base: UnsafePointer<CChar>?,
                            _ overrides: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                            _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    handle(try CRun.make(file: CInterface.string(file), json: CInterface.string(json), baseDirectory: CInterface.string(base),
                         overrides: try CInterface.overrides(overrides)), out)
  }
}

@_cdecl("mfld_run_free")
public func mfld_run_free(_ p: UnsafeMutableRawPointer?) {
  guard let p else { return }
  Unmanaged<CRun>.fromOpaque(p).release()
}

/// Takes up to k steps (fewer at the run's last step, where the final state is recorded); `*taken` says how
/// many, `*ended` whether the run has ended: 0 not yet, 1 completed, 2 failed (diverged, a part raised,
/// interrupted: `mfld_run_status` has the message). A failed run still returns 0, with its trace and
/// particles kept. Fails only for I/O.
@_cdecl("mfld_run_step")
public func mfld_run_step(_ p: UnsafeMutableRawPointer?, _ k: Int64, _ taken: UnsafeMutablePointer<Int64>?,
                          _ ended: UnsafeMutablePointer<Int32>?, _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    guard let r = run(p) else { throw NoRun() }
    let before = r.plan.state.step
    let outcome = try r.session.advance(by: Int(k))
    taken?.pointee = Int64(r.plan.state.step - before)
    ended?.pointee = outcome == nil ? 0 : outcome?.failure == nil ? 1 : 2
  }
}

/// The run's status as JSON (freed with `mfld_free_string`).
@_cdecl("mfld_run_status")
public func mfld_run_status(_ p: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<CChar>? {
  guard let r = run(p) else { return nil }
  return strdup(r.status)
}

/// The resolved config, every default filled in (config.json's content), as JSON.
@_cdecl("mfld_run_config")
public func mfld_run_config(_ p: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<CChar>? {
  guard let r = run(p) else { return nil }
  return strdup(r.experiment.config.jsonText(pretty: false))
}

/// Copies the particles (count × dimension: the state the integrator moves) into `x`.
@_cdecl("mfld_run_state")
public func mfld_run_state(_ p: UnsafeMutableRawPointer?, _ x: UnsafeMutablePointer<Double>?) -> Int32 {
  guard let r = run(p), let x else { return CInterface.failed }
  r.cloud.coordinates.withUnsafeBufferPointer { x.update(from: $0.baseAddress!, count: $0.count) }
  return CInterface.ok
}

/// Replaces the particles (same count and dimension); the next step starts from them.
@_cdecl("mfld_run_set_state")
public func mfld_run_set_state(_ p: UnsafeMutableRawPointer?, _ x: UnsafePointer<Double>?, _ count: Int64, _ dimension: Int64,
                               _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    guard let r = run(p), let x else { throw NoRun() }
    guard Int(count) == r.cloud.count else {
      throw ConfigError(path: "", "a run keeps its \(r.cloud.count) particles, found \(count)", fix: "change particles.count in the config")
    }
    let cloud = try r.cloud(x, count: Int(count), dimension: Int(dimension))
    if let (i, k) = cloud.firstNonFinite() { throw ConfigError(path: "", "particle \(i) coordinate \(k + 1) is \(cloud[i, k]), not a finite number") }
    r.session.state.cloud = cloud
  }
}

/// For a signed run: the weights r_i (count) and positions w_i (count × position dimension).
@_cdecl("mfld_run_signed_measure")
public func mfld_run_signed_measure(_ p: UnsafeMutableRawPointer?, _ weights: UnsafeMutablePointer<Double>?,
                                    _ positions: UnsafeMutablePointer<Double>?, _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    guard let r = run(p) else { throw NoRun() }
    let (rs, w) = try r.signedMeasure()
    weights?.update(from: rs, count: rs.count)
    w.coordinates.withUnsafeBufferPointer { positions?.update(from: $0.baseAddress!, count: $0.count) }
  }
}

/// Copies the trace rows recorded so far (status "rows" × the columns' count) into `out`.
@_cdecl("mfld_run_trace")
public func mfld_run_trace(_ p: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
  guard let r = run(p), let out else { return CInterface.failed }
  var k = 0
  for row in r.trace.rows {
    for v in row { out[k] = v; k += 1 }
  }
  return CInterface.ok
}

/// F at the particles `x` (count × dimension; null: the run's own).
@_cdecl("mfld_run_objective")
public func mfld_run_objective(_ p: UnsafeMutableRawPointer?, _ x: UnsafePointer<Double>?, _ count: Int64, _ dimension: Int64,
                               _ value: UnsafeMutablePointer<Double>?, _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    guard let r = run(p) else { throw NoRun() }
    let cloud = try x.map { try r.cloud($0, count: Int(count), dimension: Int(dimension)) } ?? r.cloud
    _ = PartFailures.take()
    let f = try r.plan.problem.objective.evaluate(cloud, gradient: nil, parallel: r.plan.parallel)
    if let reported = PartFailures.take() { throw reported }
    value?.pointee = f
  }
}

/// The first variation V_μ and its gradient at the points y (count × dimension), for the measure of the
/// run's particles: `values` (count), `gradients` (count × dimension, or null).
@_cdecl("mfld_run_first_variation")
public func mfld_run_first_variation(_ p: UnsafeMutableRawPointer?, _ y: UnsafePointer<Double>?, _ count: Int64, _ dimension: Int64,
                                     _ values: UnsafeMutablePointer<Double>?, _ gradients: UnsafeMutablePointer<Double>?,
                                     _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    guard let r = run(p), let y, let values else { throw NoRun() }
    let points = try r.cloud(y, count: Int(count), dimension: Int(dimension))
    _ = PartFailures.take()
    try r.plan.problem.objective.firstVariation(
      of: r.cloud, at: points, values: UnsafeMutableBufferPointer(start: values, count: Int(count)),
      gradients: gradients.map { UnsafeMutableBufferPointer(start: $0, count: Int(count * dimension)) }, parallel: r.plan.parallel)
    if let reported = PartFailures.take() { throw reported }
  }
}

/// Writes config.json and checkpoint.json into `directory` (created if needed); `mfld_run_resume` (or
/// `mfld resume DIR`, for a config without Python parts) continues from there, bit for bit.
@_cdecl("mfld_run_checkpoint")
public func mfld_run_checkpoint(_ p: UnsafeMutableRawPointer?, _ directory: UnsafePointer<CChar>?, _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    guard let r = run(p), let path = CInterface.string(directory) else { throw NoRun() }
    let folder = try RunDirectory(path: path)
    try folder.write("config.json", r.experiment.config.jsonText(pretty: true) + "\n")
    try r.experiment.writeCheckpoint(r.plan.state, to: folder, wallSeconds: r.session.seconds())
  }
}

/// A run continued from the checkpoint in `directory`; its trace starts at the checkpoint's step.
@_cdecl("mfld_run_resume")
public func mfld_run_resume(_ directory: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                            _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    handle(try CRun(try Experiment.resume(directory: CInterface.string(directory) ?? ".", registry: CInterface.registry)), out)
  }
}
