"""What driving mfld from Python costs (`mfld bench python` runs this; or `python3 python/bench.py`).

1. The McKean–Vlasov example (examples/mckean-vlasov.json: m = 2000 in ℝ², a quadratic confinement and a
   quadratic interaction) stepped from Python, with the confinement V = |x|²/2 a NumPy function (called once a
   step with the whole cloud, through the plugin bridge) against the built-in `quadratic`: steps/s of both and
   the overhead per step.
2. The bilevel two-layer network step at (n, m, d) = (1000, 1000, 20) (`mfld bench steps`'s config) driven
   from Python one step per call (`run.step(1)`: the worst case) against `mfld run` on the same config: the
   same steps from step 0 on both sides (early steps cost more: the inner solve refactors while the particles
   move fast), the CLI's rate from summary.json (which leaves out start-up), Python's from the clock around
   its step calls. Target: Python within 5% of the CLI.

Both sides take turns, window by window, and each keeps its best window (the machine is shared). Prints a
Markdown table, or with --json the rows as [{suite, name, value, unit, note, failed}]."""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import mfld  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


@mfld.potential("bench-quadratic", parameters={"a": 1.0})
def quadratic(x, a):
    """V(x) = a|x|²/2 in NumPy"""
    return 0.5 * a * np.einsum("ij,ij->i", x, x), a * x


def network_config(n, m, d, steps):
    """`mfld bench steps`'s bilevel network (Benchmark.networkConfig)."""
    return {"seed": 1, "objective": {"type": "two-layer-network", "data": {"type": "teacher", "dimension": d, "samples": n},
                                     "activation": "relu", "lambda": 0.001},
            "reduction": "bilevel", "integrator": {"type": "euler-maruyama", "step": 0.1, "temperature": 1e-4},
            "particles": {"count": m, "init": "uniform"}, "steps": steps, "record": {"every": 1000000}}


def window(run, seconds):
    """Steps/s over at least `seconds`, one `step(1)` call per step."""
    start, steps = time.perf_counter(), 0
    while True:
        run.step(1)
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps / elapsed


def mckean_vlasov(quick):
    example = str(ROOT / "examples" / "mckean-vlasov.json")
    steps = 10**7
    builtin = mfld.Run(example, set={"steps": steps})
    python = mfld.Run(example, set={"steps": steps, "objective.terms[0].V": {"type": "bench-quadratic", "a": 1.0}})
    for r in (builtin, python):
        r.step(2)
    rates = {"builtin": [], "python": []}
    for _ in range(2 if quick else 3):
        rates["builtin"].append(window(builtin, 0.2 if quick else 0.5))
        rates["python"].append(window(python, 0.2 if quick else 0.5))
    b, p = max(rates["builtin"]), max(rates["python"])
    overhead = (1 / p - 1 / b) * 1e6
    np.testing.assert_allclose(python.trace_array[:1], builtin.trace_array[:1], rtol=1e-12)  # the same problem
    return [
        row("McKean–Vlasov example (m = 2000), built-in quadratic V, from Python", b, "steps/s", "run.step(1) per step"),
        row("McKean–Vlasov example (m = 2000), NumPy quadratic V, from Python", p, "steps/s",
            f"{p / b:.1%} of the built-in's rate; one NumPy call per step, with the whole cloud"),
        row("NumPy potential: overhead per step", overhead, "µs/step", "one call through the bridge, NumPy's work included"),
    ]


def bilevel(quick):
    n, m, d = (500, 200, 10) if quick else (1000, 1000, 20)
    cli_steps = 100 if quick else 400
    with tempfile.TemporaryDirectory(prefix="mfld-bench-python-") as name:
        return bilevel_in(pathlib.Path(name), n, m, d, cli_steps, quick)


def bilevel_in(folder, n, m, d, cli_steps, quick):
    (folder / "config.json").write_text(json.dumps(network_config(n, m, d, cli_steps)))
    rates = {"python": [], "cli": []}
    for k in range(2 if quick else 3):
        r = subprocess.run([mfld.executable(), "run", str(folder / "config.json"), "--out", str(folder / f"run{k}"), "--quiet"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"mfld run failed: {r.stderr}")
        rates["cli"].append(json.loads((folder / f"run{k}" / "summary.json").read_text())["steps_per_second"])
        python = mfld.Run(network_config(n, m, d, cli_steps))
        start = time.perf_counter()
        while not python.finished:
            python.step(1)
        rates["python"].append(cli_steps / (time.perf_counter() - start))
    c, p = max(rates["cli"]), max(rates["python"])
    met = p >= 0.95 * c
    label = f"(n, m, d) = ({n}, {m}, {d})"
    return [
        row(f"bilevel {label}, mfld run (CLI)", c, "steps/s", f"summary.json's steps/s over steps 0–{cli_steps}, best of the runs"),
        row(f"bilevel {label}, from Python, run.step(1) per step", p, "steps/s",
            f"{p / c:.1%} of the CLI's rate ({'target ≥ 95%: met' if met else 'target ≥ 95%: NOT MET'})"),
    ]


def row(name, value, unit, note, failed=False):
    return {"suite": "python", "name": name, "value": value, "unit": unit, "note": note, "failed": failed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true")
    a = parser.parse_args()
    rows = mckean_vlasov(a.quick) + bilevel(a.quick)
    if a.json:
        print(json.dumps(rows))
    else:
        print("| case | value | unit | note |\n| --- | ---: | --- | --- |")
        for r in rows:
            print(f"| {r['name']} | {r['value']:.4g} | {r['unit']} | {r['note']} |")


if __name__ == "__main__":
    main()
