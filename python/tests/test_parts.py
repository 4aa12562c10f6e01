"""Parts defined in Python — a potential, a kernel, an objective — ride the plugin bridge: they compose with
built-in parts in any config of the process, pass (or fail) the same `check` laws, sample the right law, and
a Python exception stops the run with its message while the outputs are kept."""

import json
import math
import unittest

import numpy as np

import mfld
from support import bits, read_csv, scratch


@mfld.potential("py-bowl", parameters={"a": (1.0, "curvature a")})
def bowl(x, a):
    """V(x) = a|x|²/2, in NumPy"""
    return 0.5 * a * np.einsum("ij,ij->i", x, x), a * x


@mfld.potential("py-bowl-wrong-gradient")
def bowl_wrong(x):
    """V(x) = |x|²/2 with a gradient 1% too large"""
    return 0.5 * np.einsum("ij,ij->i", x, x), 1.01 * x


@mfld.kernel("py-gaussian", parameters={"strength": 1.0, "bandwidth": 1.0})
def gaussian(z, strength, bandwidth):
    """W(z) = c exp(−|z|²/(2σ²))"""
    w = strength * np.exp(-np.einsum("ij,ij->i", z, z) / (2 * bandwidth**2))
    return w, -w[:, None] * z / bandwidth**2


@mfld.objective("py-mckean-vlasov", parameters={"a": 1.0, "b": 2.0})
class McKeanVlasov:
    """F(μ) = ∫ a|x|²/2 dμ + ½∫∫ b|x − y|²/2 dμ dμ"""

    observables = ["spread"]

    def __init__(self, dimension, a, b):
        self.a, self.b = a, b

    def first_variation(self, x, y):
        mean, second = x.mean(0), np.einsum("ij,ij->", x, x) / len(x)
        yy = np.einsum("ij,ij->i", y, y)
        values = 0.5 * self.a * yy + 0.5 * self.b * (yy - 2 * y @ mean + second)
        return values, self.a * y + self.b * (y - mean)

    def evaluate(self, x):
        values, gradients = self.first_variation(x, x)
        # F = ∫ a|x|²/2 + ½ ∫ (b/2)(|x|² − 2x·x̄ + E|y|²): the interaction counts half of its first variation.
        potential = 0.5 * self.a * np.einsum("ij,ij->i", x, x)
        return float(np.mean(potential + 0.5 * (values - potential))), gradients, values

    def observe(self, x):
        return [float(np.mean(np.sum((x - x.mean(0)) ** 2, axis=1)))]


def langevin(potential, *, m=1000, steps=200, every=50, tau=0.5, eta=0.01, seed=11, observers=("variance",)):
    return {"seed": seed, "domain": {"type": "euclidean", "dimension": 2},
            "objective": {"type": "potential", "V": potential},
            "integrator": {"type": "euler-maruyama", "step": eta, "temperature": tau},
            "particles": {"count": m, "init": {"type": "gaussian", "std": 1}}, "steps": steps,
            "record": {"every": every, "observers": list(observers)}}


class PythonPotential(unittest.TestCase):
    def test_it_samples_the_euler_maruyama_chains_exact_stationary_variance(self):
        # docs/math.md §1: X ← X − ηaX + sqrt(2ητ)ξ has stationary variance τ/(a(1 − ηa/2)) per coordinate; the
        # recorded spread about the cloud's mean carries (1 − 1/m). One snapshot has sd σ² sqrt(2/(md)); snapshots
        # Δ steps apart are correlated by ρ = (1 − ηa)^{2Δ}: the mean of K has variance (2σ⁴/(md))(1 + ρ)/(K(1 − ρ)).
        # 4 standard deviations (Tests/IntegratorsTests/StationaryLawTests.swift).
        a, tau, eta, m, d, k, spacing = 1.0, 0.5, 0.01, 1000, 2, 30, 100
        sigma2 = (1 - 1 / m) * tau / (a * (1 - eta * a / 2))
        burn_in = math.ceil(math.log(1e-3 * sigma2 / abs(1 - sigma2)) / (2 * math.log(1 - eta * a)))
        burn_in = spacing * math.ceil(burn_in / spacing)
        run = mfld.Run(langevin({"type": "py-bowl", "a": a}, m=m, steps=burn_in + k * spacing, every=spacing, tau=tau, eta=eta))
        run.step()
        trace = run.trace
        spread = np.asarray(trace["variance"])[np.asarray(trace["step"]) > burn_in]
        rho = (1 - eta * a) ** (2 * spacing)
        tolerance = 4 * math.sqrt(2 * sigma2**2 / (m * d) * (1 + rho) / (len(spread) * (1 - rho)))
        self.assertEqual(len(spread), k)
        self.assertLess(abs(spread.mean() - sigma2), tolerance, f"measured {spread.mean()}, expected {sigma2} ± {tolerance}")
        # …and the test has power: the law of a potential 10% stiffer is outside the band.
        wrong = (1 - 1 / m) * tau / (1.1 * a * (1 - eta * 1.1 * a / 2))
        self.assertGreater(abs(spread.mean() - wrong), tolerance)

    def test_it_matches_the_built_in_quadratic(self):
        python = mfld.Run(langevin({"type": "py-bowl", "a": 2.0}))
        builtin = mfld.Run(langevin({"type": "quadratic", "a": 2.0}))
        python.step()
        builtin.step()
        np.testing.assert_allclose(python.trace_array, builtin.trace_array, rtol=1e-12, atol=1e-14)

    def test_check_passes_for_a_true_gradient_and_fails_for_a_wrong_one(self):
        self.assertTrue(mfld.check(langevin("py-bowl")).passed)
        result = mfld.check(langevin("py-bowl-wrong-gradient"))
        self.assertFalse(result.passed)
        failed = result.failed
        self.assertTrue(any(r["part"] == "potential 'py-bowl-wrong-gradient'" and r["path"] == "objective.V" for r in failed), str(result))

    def test_describe_lists_its_parameters(self):
        text = mfld.describe("py-bowl")
        self.assertIn("curvature a", text)
        self.assertIn({"kind": "potential", "name": "py-bowl", "summary": "V(x) = a|x|²/2, in NumPy"}, mfld.parts("potential"))

    def test_its_parameters_are_validated_like_a_built_ins(self):
        with self.assertRaises(mfld.ConfigError) as caught:
            mfld.Run(langevin({"type": "py-bowl", "b": 1}))
        self.assertEqual(caught.exception.path, "objective.V.b")

    def test_a_name_is_registered_once(self):
        with self.assertRaises(mfld.ConfigError) as caught:
            mfld.potential("quadratic")(bowl)
        self.assertIn("already registered", str(caught.exception))


class RaisingPythonFunction(unittest.TestCase):
    def flaky(self, name, after):
        calls = [0]

        @mfld.potential(name)
        def flaky(x):
            calls[0] += 1
            if calls[0] > after:
                raise ValueError("the flaky potential gave up")
            return 0.5 * np.einsum("ij,ij->i", x, x), x
        return calls

    def test_it_stops_a_run_with_its_message_and_keeps_the_trace_and_particles(self):
        calls = self.flaky("py-flaky-run", after=62)  # one call per evaluation, with the whole cloud
        run = mfld.Run(langevin("py-flaky-run", steps=200, every=5))
        with self.assertRaises(mfld.RunError) as caught:
            run.step()
        self.assertIn("python potential 'py-flaky-run': ValueError: the flaky potential gave up", str(caught.exception))
        self.assertEqual(run.status, "failed")
        self.assertGreater(len(run.trace_array), 3)
        self.assertTrue(np.isfinite(run.particles).all())
        self.assertGreater(calls[0], 62)

    def test_it_stops_mfld_run_with_its_message_and_writes_the_outputs(self):
        self.flaky("py-flaky-folder", after=40)
        out = scratch()
        summary = mfld.run(langevin("py-flaky-folder", steps=200, every=5), out=str(out))
        self.assertEqual(summary["status"], "failed")
        self.assertIn("ValueError: the flaky potential gave up", summary["message"])
        on_disk = json.loads((out / "summary.json").read_text())
        self.assertEqual(on_disk["message"], summary["message"])
        _, trace = read_csv(out / "trace.csv")
        self.assertGreater(len(trace), 2)
        _, particles = read_csv(out / "particles.csv")
        self.assertEqual(particles.shape, (1000, 2))

    def test_a_raising_objective_stops_the_run_the_same_way(self):
        @mfld.objective("py-raising-objective")
        class Raising:
            def __init__(self, dimension):
                self.calls = 0

            def evaluate(self, x):
                self.calls += 1
                if self.calls > 10:
                    raise ArithmeticError("no more")
                return 0.0, np.zeros_like(x), np.zeros(len(x))

            def first_variation(self, x, y):
                return np.zeros(len(y)), np.zeros_like(y)

        config = langevin("quadratic", steps=100, every=1)
        config["objective"] = "py-raising-objective"
        run = mfld.Run(config)
        with self.assertRaises(mfld.RunError) as caught:
            run.step()
        self.assertIn("ArithmeticError: no more", str(caught.exception))
        self.assertLess(run.step_index, 100)


class PythonKernelAndObjective(unittest.TestCase):
    def interacting(self, kernel, m=300, steps=60):
        config = langevin("quadratic", m=m, steps=steps, every=10)
        config["objective"] = {"type": "sum", "terms": [{"type": "potential", "V": "quadratic"},
                                                         {"type": "interaction", "W": kernel}]}
        return config

    def test_a_python_kernel_gives_the_built_in_kernels_run(self):
        python = mfld.Run(self.interacting({"type": "py-gaussian", "strength": -1.0, "bandwidth": 0.5}))
        builtin = mfld.Run(self.interacting({"type": "gaussian", "strength": -1.0, "bandwidth": 0.5}))
        python.step()
        builtin.step()
        np.testing.assert_allclose(python.trace_array, builtin.trace_array, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(python.particles, builtin.particles, rtol=1e-9, atol=1e-11)
        self.assertTrue(mfld.check(self.interacting("py-gaussian", m=50)).passed)

    def test_a_python_objective_gives_the_built_in_mckean_vlasov_run(self):
        builtin = {"type": "sum", "terms": [{"type": "potential", "V": {"type": "quadratic", "a": 1}},
                                            {"type": "interaction", "W": {"type": "quadratic", "b": 2}}]}
        config = langevin("quadratic", m=400, steps=100, every=10)
        runs = []
        for objective in ({"type": "py-mckean-vlasov", "a": 1.0, "b": 2.0}, builtin):
            config["objective"] = objective
            runs.append(mfld.Run(config))
            runs[-1].step()
        python, reference = runs
        np.testing.assert_allclose(python.trace["objective"], reference.trace["objective"], rtol=1e-10)
        np.testing.assert_allclose(python.particles, reference.particles, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(python.trace["spread"], 2 * np.asarray(python.trace["variance"]), rtol=1e-10)
        config["objective"] = {"type": "py-mckean-vlasov"}
        result = mfld.check(config)
        self.assertTrue(result.passed, str(result))


_rng = np.random.default_rng(0)
X = _rng.normal(size=(80, 3))
Y = np.tanh(X @ np.array([1.0, -0.5, 0.3]))


@mfld.feature_map("py-tanh-features", domain={"type": "sphere", "dimension": 2}, data=(X, Y))
def tanh_features(w, x):
    """Φ(w; x) = tanh(⟨w, x⟩) on S^2"""
    t = np.tanh(w @ x.T)
    return t, (1 - t * t)[:, :, None] * x[None, :, :]


@mfld.feature_map("py-tanh-wrong-jacobian", domain={"type": "sphere", "dimension": 2}, data=(X, Y))
def tanh_wrong(w, x):
    t = np.tanh(w @ x.T)
    return t, 1.01 * (1 - t * t)[:, :, None] * x[None, :, :]


class PythonFeatureMap(unittest.TestCase):
    def signed(self, objective, reduction="bilevel"):
        return {"seed": 5, "objective": objective, "reduction": reduction,
                "integrator": {"type": "euler-maruyama", "step": 0.5, "temperature": 1e-4},
                "particles": {"count": 40, "init": "uniform"}, "steps": 50, "record": {"every": 10}}

    def test_it_gives_the_formula_objectives_run_under_both_reductions(self):
        # The same Φ as a built-in: feature-formula with tanh(dot(w, x)) on the same data, read from a CSV.
        data = scratch() / "data.csv"
        data.write_text("x1,x2,x3,y\n" + "".join(",".join(repr(float(v)) for v in row) + "\n" for row in np.column_stack([X, Y])))
        formula = {"type": "feature-formula", "feature": "tanh(dot(w, x))", "domain": {"type": "sphere", "dimension": 2},
                   "data": {"type": "csv", "file": str(data), "target": "y"}, "lambda": 1e-3}
        for reduction in ("bilevel", "lift"):
            python = mfld.Run(self.signed({"type": "py-tanh-features", "lambda": 1e-3}, reduction))
            builtin = mfld.Run(self.signed(formula, reduction))
            python.step()
            builtin.step()
            self.assertEqual(python.status, "completed")
            self.assertEqual(python.columns, builtin.columns)
            np.testing.assert_allclose(python.trace_array, builtin.trace_array, rtol=1e-10, atol=1e-13, err_msg=reduction)
            np.testing.assert_allclose(python.weights, builtin.weights, rtol=1e-9, atol=1e-12, err_msg=reduction)
            np.testing.assert_allclose(python.particles, builtin.particles, rtol=1e-9, atol=1e-12, err_msg=reduction)

    def test_check_tests_its_jacobian(self):
        result = mfld.check(self.signed({"type": "py-tanh-features"}))
        self.assertTrue(result.passed, str(result))
        self.assertIn("feature map of 'py-tanh-features'", {r["part"] for r in result})
        wrong = mfld.check(self.signed({"type": "py-tanh-wrong-jacobian"}))
        self.assertIn("feature map of 'py-tanh-wrong-jacobian'", {r["part"] for r in wrong.failed}, str(wrong))

    def test_a_bad_loss_names_its_key(self):
        with self.assertRaises(mfld.ConfigError) as caught:
            mfld.Run(self.signed({"type": "py-tanh-features", "loss": "hinge"}))
        self.assertEqual(caught.exception.path, "objective.loss")


if __name__ == "__main__":
    unittest.main()
