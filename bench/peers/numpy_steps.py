"""NumPy reference for `mfld bench`: the bilevel and lift steps of a two-layer network, written the
way a researcher writes them (vectorized NumPy, a direct solve), and the float64 matrix products the
benchmark compares its own kernels with.

    python3 bench/peers/numpy_steps.py DIR

DIR/problem.json lists the cases; the arrays are raw little-endian float64 files beside it. The script
writes DIR/result.json and, per case, DIR/<case>.step.bin: the particles after one noiseless step from
the given ones, which `mfld bench` compares with its own step (they must agree to 1e-9), and the steps/s
of a case: the best of its "windows" windows (3 if absent) sharing its "seconds". It also times
the float64 products A @ B of the shapes [M, N, K] listed under "matmul", the Gram products A @ A.T of
the shapes [M, K] listed under "gram" (NumPy sees the transposed view of the same buffer and calls
syrk), and the Cholesky factorizations of the orders listed under "cholesky" (each for at least
"matmul_seconds").

The formulas are docs/math.md §2 (square loss R(f) = |f − y|²/2n, relu features σ(⟨w, x̃⟩), W the sphere):
  bilevel  a = (K + nλI)⁻¹ y with K = FᵀF/m (or Woodbury's m × m system when m < n), r = F a,
           ∇R = −λ a, g_i = r_i Σ_k ∇R_k σ'(z_ik) x̃_k
  lift     f = Fᵀr/m, ∇R = (f − y)/n, ∂_r V = F∇R + λ r, ∇_w V = r_i Σ_k ∇R_k σ'(z_ik) x̃_k
and the Euler–Maruyama move w ← (w + v)/|w + v|, v = P_w(−η g + sqrt(2ητ) ξ).
"""
import json
import os
import sys
import time

import numpy as np


def load(directory, name, shape):
    return np.fromfile(os.path.join(directory, name), dtype="<f8").reshape(shape)


def sphere_move(W, G, eta, tau, rng):
    V = -eta * G
    if tau > 0:
        V += np.sqrt(2 * eta * tau) * rng.standard_normal(W.shape)
    V -= np.sum(V * W, axis=1, keepdims=True) * W
    W = W + V
    return W / np.linalg.norm(W, axis=1, keepdims=True)


def g_lambda(F, r, y, lam):
    """G_λ = R(f) + (λ/2)‖ν‖²_TV at ν = (1/m) Σ r_i δ_{w_i}: f = Fᵀr/m, R(f) = |f − y|²/2n, ‖ν‖_TV = mean |r_i|."""
    f = F.T @ r / F.shape[0]
    return 0.5 * np.mean((f - y) ** 2) + 0.5 * lam * np.mean(np.abs(r)) ** 2


def bilevel_step(W, X, y, lam, eta, tau, rng, report=None):
    m, n = W.shape[0], X.shape[0]
    Z = W @ X.T
    F = np.maximum(Z, 0.0)
    if n <= m:
        a = np.linalg.solve(F.T @ F / m + n * lam * np.eye(n), y)
    else:
        c = np.linalg.solve(F @ F.T + m * n * lam * np.eye(m), F @ y)
        a = (y - F.T @ c) / (n * lam)
    r = F @ a
    if report is not None:
        report.append(g_lambda(F, r, y, lam))
    dR = -lam * a
    G = ((Z > 0) * (r[:, None] * dR[None, :])) @ X
    J = 0.5 * lam * (y @ a)
    return sphere_move(W, G, eta, tau, rng), J


def lift_step(r, W, X, y, lam, eta, tau, ratio, rng, report=None):
    m, n = W.shape[0], X.shape[0]
    Z = W @ X.T
    F = np.maximum(Z, 0.0)
    if report is not None:
        report.append(g_lambda(F, r, y, lam))
    f = F.T @ r / m
    dR = (f - y) / n
    gr = F @ dR + lam * r
    G = ((Z > 0) * (r[:, None] * dR[None, :])) @ X
    J = 0.5 * np.mean((f - y) ** 2) + 0.5 * lam * np.mean(r * r)
    r = r - eta * ratio * gr
    if tau > 0:
        r = r + np.sqrt(2 * eta * ratio * tau) * rng.standard_normal(m)
    return r, sphere_move(W, G, eta, tau, rng), J


def rate(step, seconds, windows=3):
    """Steps per second of `step()`: after one warm-up, the best of `windows` windows of at least
    `seconds`/`windows` seconds and one step each (as `mfld bench` times its own steps)."""
    step()
    best = 0.0
    for _ in range(windows):
        count, start = 0, time.perf_counter()
        while True:
            step()
            count += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / windows:
                break
        best = max(best, count / elapsed)
    return best


def run_case(directory, case):
    n, m, D = case["n"], case["m"], case["D"]
    X = load(directory, case["X"], (n, D))
    y = load(directory, case["y"], (n,))
    W0 = load(directory, case["W"], (m, D))
    lam, eta, tau = case["lambda"], case["eta"], case["tau"]
    rng = np.random.default_rng(1)
    out = {"name": case["name"]}
    if case["reduction"] == "bilevel":
        W1, J = bilevel_step(W0, X, y, lam, eta, 0.0, rng)
        check = W1
        state = {"W": W0.copy()}

        def step():
            state["W"], _ = bilevel_step(state["W"], X, y, lam, eta, tau, rng)
    else:
        r0 = load(directory, case["r"], (m,))
        r1, W1, J = lift_step(r0, W0, X, y, lam, eta, 0.0, case["ratio"], rng)
        check = np.concatenate([r1[:, None], W1], axis=1)
        state = {"r": r0.copy(), "W": W0.copy()}

        def step():
            state["r"], state["W"], _ = lift_step(state["r"], state["W"], X, y, lam, eta, tau, case["ratio"], rng)
    check.astype("<f8").tofile(os.path.join(directory, case["name"] + ".step.bin"))
    out["objective"] = float(J)
    if "trajectory" in case:
        out["trajectory"] = trajectory(case, X, y, W0, r0 if case["reduction"] != "bilevel" else None)
        return out
    out["steps_per_second"] = rate(step, case["seconds"], case.get("windows", 3))
    return out


def trajectory(case, X, y, W0, r0):
    """Time to an answer: `steps` noisy steps from the given particles, recording [step, seconds, G_λ] every
    `every` steps and at the end (G_λ at the state before the step, as mfld records it; the seconds are the
    steps' wall time so far, the G_λ evaluations included, as in mfld's timing.csv), stopping at the first
    record at or below `target` when one is given."""
    lam, eta, tau = case["lambda"], case["eta"], case["tau"]
    steps, every = case["trajectory"]["steps"], case["trajectory"]["every"]
    rng = np.random.default_rng(7)
    W, r = W0.copy(), None if r0 is None else r0.copy()
    rows, start = [], time.perf_counter()
    for t in range(steps + 1):
        report = [] if t % every == 0 or t == steps else None
        if case["reduction"] == "bilevel":
            W_next, _ = bilevel_step(W, X, y, lam, eta, tau, rng, report)
        else:
            r_next, W_next, _ = lift_step(r, W, X, y, lam, eta, tau, case["ratio"], rng, report)
        if report:
            rows.append([t, time.perf_counter() - start, float(report[0])])
            if report[0] <= case["trajectory"].get("target", -np.inf):
                break
        if t < steps:
            W = W_next
            if r is not None:
                r = r_next
    return rows


def matmul_rate(shape, seconds):
    """GFLOP/s of A @ B for A (M × K) and B (K × N), float64, distinct operands (a general product)."""
    M, N, K = shape
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((M, K)), rng.standard_normal((K, N))
    per_second = rate(lambda: A @ B, seconds)
    return {"shape": [M, N, K], "gflops": 2.0 * M * N * K * per_second / 1e9}


def gram_rate(shape, seconds):
    """GFLOP/s (2·M²·K flops, though syrk computes one triangle) of A @ A.T for A (M × K), float64."""
    M, K = shape
    rng = np.random.default_rng(4)
    A = rng.standard_normal((M, K))
    per_second = rate(lambda: A @ A.T, seconds)
    return {"shape": [M, K], "gflops": 2.0 * M * M * K * per_second / 1e9}


def cholesky_rate(n, seconds):
    """GFLOP/s (n³/3 flops) of np.linalg.cholesky on a symmetric positive-definite n × n matrix."""
    rng = np.random.default_rng(3)
    F = rng.standard_normal((n, 2 * n))
    A = F @ F.T / (2 * n) + np.eye(n)
    per_second = rate(lambda: np.linalg.cholesky(A), seconds)
    return {"n": n, "gflops": n ** 3 / 3.0 * per_second / 1e9}


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "problem.json")) as f:
        problem = json.load(f)
    result = {"numpy": np.__version__, "cases": [run_case(directory, c) for c in problem.get("cases", [])],
              "matmul": [matmul_rate(s, problem.get("matmul_seconds", 1.0)) for s in problem.get("matmul", [])],
              "gram": [gram_rate(s, problem.get("matmul_seconds", 1.0)) for s in problem.get("gram", [])],
              "cholesky": [cholesky_rate(n, problem.get("matmul_seconds", 1.0)) for n in problem.get("cholesky", [])]}
    with open(os.path.join(directory, "result.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
