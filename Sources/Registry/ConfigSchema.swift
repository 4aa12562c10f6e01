import SolverAPI

/// The top-level keys of a config file, declared like any part's parameters (so the same code
/// validates them, fills their defaults and documents them in `mfld describe config`).
public enum ConfigSchema {
  public static let parameters: [Parameter] = [
    .string("description", default: "", "free text describing the experiment (not used by the run)"),
    .paths("plugins", default: [],
           "plugin libraries (.so) to load before the rest is read, relative to this file; written absolute (docs/plugins.md)"),
    .integer("seed", default: 0, in: 0...Int.max, "seed of every random stream (data, initial particles, noise)"),
    .integer("threads", default: 0, in: 0...1024, "worker threads; 0 uses every core. Results do not depend on it"),
    .part("domain", .domain, default: .null,
          "the particles' domain, e.g. {\"type\": \"euclidean\", \"dimension\": 2}; signed objectives bring their own (leave it out)"),
    .part("reference", .reference, default: "lebesgue", "the reference measure ρ of the entropy (on W for signed objectives)"),
    .part("objective", .objective, "the functional F to minimize"),
    .part("reduction", .reduction, default: .null, "for a signed objective: bilevel or lift"),
    .part("metric", .metric, default: "wasserstein", "how a drift moves the particles: wasserstein (transport) or conic (lifted signed measures)"),
    .part("integrator", .integrator, "the time integrator, with its step size and temperature"),
    .group("particles", [
      .integer("count", in: 1...100_000_000, "number of particles m"),
      .part("init", .cloud, default: "gaussian", "initial positions"),
    ], "the particle cloud"),
    .integer("steps", in: 0...Int(Int32.max), "number of steps"),
    .group("record", [
      .integer("every", default: 10, in: 1...Int.max, "record a trace row every this many steps (and always the last)"),
      .parts("observers", .observer, default: [], "extra quantities to record, e.g. [\"variance\"]"),
      .integer("particles_every", default: 0, in: 0...Int.max,
               "write the particles every this many steps to particles/step-N.csv, for `mfld plot --particles` (0: only the final particles.csv)"),
    ], "what the trace records"),
    .string("output", default: "runs/{name}", "run folder; {name} is the config file's name without .json"),
  ]
}
