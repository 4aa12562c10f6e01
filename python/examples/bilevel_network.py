"""Train the bilevel two-layer network of examples/bilevel-2nn.json from Python, watch G_λ as it goes, plot
it (with matplotlib, when installed), then define a double-well potential in NumPy and check it against the
built-in `double-well` on examples/double-well.json.

    python3 python/examples/bilevel_network.py      # from the repository's root
"""

import pathlib
import time

import numpy as np

import mfld

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"

# 1. The network: particles are the hidden neurons w_i on the sphere; the outer weights r_i are solved
#    exactly at every step (bilevel). Step it 100 at a time and look at G_λ in between.
run = mfld.Run(EXAMPLES / "bilevel-2nn.json")
start = time.perf_counter()
while not run.finished:
    run.step(100)
    trace = run.trace
    print(f"step {run.step_index:5d}   G_lambda = {trace['G_lambda'][-1]:.3e}   test risk = {trace['test_risk'][-1]:.3e}")
print(f"{run.step_index} steps in {time.perf_counter() - start:.2f} s; {len(run.weights)} neurons, "
      f"|r| from {np.abs(run.weights).min():.2f} to {np.abs(run.weights).max():.2f}")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    trace = run.trace
    plt.semilogy(trace["step"], trace["G_lambda"])
    plt.xlabel("step")
    plt.ylabel("G_λ")
    plt.title("bilevel MFLD, two-layer ReLU network")
    plt.savefig("G_lambda.png", dpi=120)
    print("wrote G_lambda.png")
except ImportError:
    print("(matplotlib is not installed: no plot)")


# 2. A potential in NumPy: V(x) = h((x₁/s)² − 1)² + (a/2)(x₂² + … + x_d²), the built-in double well.
@mfld.potential("numpy-double-well", parameters={"height": 1.0, "separation": 1.0, "a": 1.0})
def double_well(x, height, separation, a):
    """V(x) = h((x₁/s)² − 1)² + (a/2)|x₂…x_d|², in NumPy"""
    u = (x[:, 0] / separation) ** 2 - 1
    values = height * u**2 + 0.5 * a * np.sum(x[:, 1:] ** 2, axis=1)
    gradients = a * x.copy()
    gradients[:, 0] = 4 * height * u * x[:, 0] / separation**2
    return values, gradients


print(mfld.check(EXAMPLES / "double-well.json", set={"objective.V.type": "numpy-double-well"}))
runs = {}
for name in ("double-well", "numpy-double-well"):
    runs[name] = mfld.Run(EXAMPLES / "double-well.json", set={"objective.V.type": name})
    start = time.perf_counter()
    runs[name].step()
    print(f"{name:18s} final mean {runs[name].trace['mean_1'][-1]:+.4f}, variance {runs[name].trace['variance'][-1]:.4f} "
          f"({runs[name].step_index / (time.perf_counter() - start):.0f} steps/s)")
difference = np.abs(runs["double-well"].trace_array - runs["numpy-double-well"].trace_array).max()
print(f"largest difference between the two traces: {difference:.1e}")
