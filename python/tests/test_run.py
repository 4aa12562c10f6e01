"""A run from Python is `mfld run`: the same trace rows and particles, bit for bit, whether it is taken in
one go or k steps at a time; bad input raises with the key path."""

import json
import unittest

import numpy as np

import mfld
from support import EXAMPLES, bits, cli, read_csv, scratch

MCKEAN_VLASOV = str(EXAMPLES / "mckean-vlasov.json")
BILEVEL = str(EXAMPLES / "bilevel-2nn.json")
SHORT = {"steps": 400, "particles.count": 500}
SIGNED_SHORT = {"steps": 60, "record.every": 10}


def sets(overrides):
    return [w for key, value in overrides.items() for w in ("--set", f"{key}={json.dumps(value)}")]


class RunEqualsTheCommandLine(unittest.TestCase):
    def check_same_as_cli(self, config, overrides, signed):
        out = scratch()
        cli("run", config, "--out", str(out / "cli"), "--quiet", *sets(overrides))
        header, cli_trace = read_csv(out / "cli" / "trace.csv")
        _, cli_particles = read_csv(out / "cli" / "particles.csv")

        run = mfld.Run(config, set=overrides)
        run.step()
        self.assertEqual(run.status, "completed")
        self.assertEqual(run.columns, header)
        np.testing.assert_array_equal(bits(run.trace_array), bits(cli_trace))
        particles = np.column_stack([run.weights, run.particles]) if signed else run.particles
        np.testing.assert_array_equal(bits(particles), bits(cli_particles))

        # mfld.run writes the CLI's run folder: trace.csv and particles.csv byte for byte.
        summary = mfld.run(config, out=str(out / "python"), set=overrides)
        self.assertEqual(summary["status"], "completed")
        for name in ("trace.csv", "particles.csv", "config.json"):
            self.assertEqual((out / "python" / name).read_bytes(), (out / "cli" / name).read_bytes(), name)

    def test_mckean_vlasov_trace_and_particles_are_the_cli_bits(self):
        self.check_same_as_cli(MCKEAN_VLASOV, SHORT, signed=False)

    def test_bilevel_network_trace_weights_and_positions_are_the_cli_bits(self):
        self.check_same_as_cli(BILEVEL, SIGNED_SHORT, signed=True)


class SteppingKAtATime(unittest.TestCase):
    def assert_same_run(self, a, b):
        self.assertEqual(a.columns, b.columns)
        np.testing.assert_array_equal(bits(a.trace_array), bits(b.trace_array))
        np.testing.assert_array_equal(bits(a.state), bits(b.state))

    def test_ten_times_100_steps_equal_one_time_1000(self):
        config = {"steps": 1000, "particles.count": 300, "record.every": 20}
        once, tenfold = mfld.Run(MCKEAN_VLASOV, set=config), mfld.Run(MCKEAN_VLASOV, set=config)
        self.assertEqual(once.step(1000), 1000)
        for k in range(10):
            self.assertEqual(tenfold.step(100), 100)
            self.assertEqual(tenfold.step_index, 100 * (k + 1))
        self.assertEqual(tenfold.status, "completed")
        self.assert_same_run(once, tenfold)
        self.assertEqual(once.trace_array[-1, 0], 1000)  # the final state is recorded once, at step 1000

    def test_uneven_pieces_and_a_signed_run(self):
        once, pieces = mfld.Run(BILEVEL, set=SIGNED_SHORT), mfld.Run(BILEVEL, set=SIGNED_SHORT)
        once.step()
        for k in (1, 9, 13, 0, 30, 100):  # the last asks for more than remains: stops at the last step
            pieces.step(k)
        self.assertEqual(pieces.step_index, 60)
        self.assert_same_run(once, pieces)
        np.testing.assert_array_equal(bits(once.weights), bits(pieces.weights))

    def test_trace_rows_so_far(self):
        run = mfld.Run(MCKEAN_VLASOV, set={"steps": 100, "record.every": 20, "particles.count": 200})
        self.assertEqual(run.trace_array.shape, (0, len(run.columns)))
        run.step(41)
        np.testing.assert_array_equal(run.trace["step"], [0, 20, 40])
        self.assertFalse(run.finished)

    def test_particles_can_be_read_and_set(self):
        run = mfld.Run(MCKEAN_VLASOV, set={"steps": 10, "particles.count": 50})
        x = np.zeros((50, 2))
        run.particles = x
        self.assertEqual(run.objective(), 0.0)
        run.step(1)
        self.assertGreater(np.abs(run.particles).max(), 0)  # the noise moved them
        with self.assertRaises(ValueError):
            run.particles = np.zeros((49, 2))

    def test_first_variation_at_points(self):
        # V = |x|²/2 + 2·(|x − x̄|² + spread)/2 for the McKean–Vlasov example (a = 1, b = 2).
        run = mfld.Run(MCKEAN_VLASOV, set={"steps": 10, "particles.count": 50})
        x = run.particles
        y = np.array([[0.5, -1.0], [2.0, 0.0]])
        values, gradients = run.first_variation(y)
        np.testing.assert_allclose(gradients, y + 2 * (y - x.mean(0)), rtol=1e-12, atol=1e-12)
        self.assertEqual(values.shape, (2,))

    def test_checkpoint_and_resume_continue_the_same_run(self):
        config = {"steps": 200, "particles.count": 100, "record.every": 25}
        whole = mfld.Run(MCKEAN_VLASOV, set=config)
        whole.step()
        first = mfld.Run(MCKEAN_VLASOV, set=config)
        first.step(100)
        folder = scratch()
        first.checkpoint(str(folder))
        second = mfld.Run.resume(str(folder))
        self.assertEqual(second.step_index, 100)
        second.step()
        np.testing.assert_array_equal(bits(second.state), bits(whole.state))
        np.testing.assert_array_equal(bits(second.trace_array), bits(whole.trace_array[-len(second.trace_array):]))


class BadInput(unittest.TestCase):
    def test_a_bad_value_raises_with_its_key_path(self):
        with self.assertRaises(mfld.ConfigError) as caught:
            mfld.Run(MCKEAN_VLASOV, set={"integrator.temperature": -1})
        self.assertEqual(caught.exception.path, "integrator.temperature")
        self.assertIn("integrator.temperature: must be ≥ 0", str(caught.exception))

    def test_the_message_is_the_cli_message(self):
        config = {"domain": {"type": "euclidean", "dimension": 2}, "objective": {"type": "potentiall"}}
        with self.assertRaises(mfld.ConfigError) as caught:
            mfld.Run(config)
        self.assertEqual(caught.exception.path, "objective.type")
        self.assertIn("did you mean 'potential'", str(caught.exception))
        # From a file, the message `mfld run` prints (a bad value: the choices of a name would include the
        # parts this process registered in Python).
        path = scratch() / "bad.json"
        path.write_text(json.dumps({"domain": {"type": "euclidean", "dimension": 2}, "objective": {"type": "potential", "V": "quadratic"},
                                    "integrator": {"type": "euler-maruyama", "step": -0.1, "temperature": 0.5},
                                    "particles": {"count": 10}, "steps": 10}))
        r = cli("run", str(path), check=False)
        self.assertEqual(r.returncode, 2)
        with self.assertRaises(mfld.ConfigError) as from_file:
            mfld.Run(str(path))
        self.assertEqual(r.stderr.strip(), "mfld: error: " + str(from_file.exception))
        self.assertEqual(from_file.exception.path, "integrator.step")

    def test_a_missing_file_and_an_unknown_key(self):
        with self.assertRaises(mfld.ConfigError):
            mfld.Run("no/such/config.json")
        with self.assertRaises(mfld.ConfigError) as caught:
            mfld.Run(MCKEAN_VLASOV, set={"integrator.stepp": 0.1})
        self.assertIn("stepp", str(caught.exception))


class Commands(unittest.TestCase):
    def test_parts_and_describe(self):
        names = {p["name"] for p in mfld.parts("integrator")}
        self.assertIn("euler-maruyama", names)
        self.assertIn("PARAMETERS", mfld.describe("euler-maruyama"))
        with self.assertRaises(mfld.ConfigError) as caught:
            mfld.describe("euler-maruyamma")
        self.assertIn("did you mean", str(caught.exception))

    def test_check_passes_on_an_example(self):
        result = mfld.check(MCKEAN_VLASOV)
        self.assertTrue(result.passed, str(result))
        self.assertGreater(len(result), 3)


if __name__ == "__main__":
    unittest.main()
