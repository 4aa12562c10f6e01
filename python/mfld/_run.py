"""`Run`: a config composed and stepped from Python, through the same run loop as `mfld run`."""

import ctypes
import json

import numpy as np

from ._config import config_arguments
from ._library import RunError, call, encode, lib, take_string

__all__ = ["Run"]


def _pointer(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


def _doubles(a, shape=None):
    a = np.ascontiguousarray(a, dtype=np.float64)
    if shape is not None and a.shape != shape:
        raise ValueError(f"expected an array of shape {shape}, found {a.shape}")
    return a


class Run:
    """A run of a config, taken k steps at a time:

        run = mfld.Run("examples/mckean-vlasov.json")
        run.step(100)                    # steps 0…99; the trace rows of those steps are recorded
        run.particles                    # (m, d) NumPy array: the cloud now
        run.step()                       # to the config's last step (the final state is recorded)
        run.trace["objective"]           # dict of arrays (a DataFrame when pandas is installed)

    Stepping 10 × 100 or 1 × 1000 gives the same trace rows and particles, bit for bit, as `mfld run` on the
    same config (same code: `RunSession` in SolverAPI). `config` is a dict or a path; `set={"key.path": value}`
    overrides keys like `--set`. Bad input raises `mfld.ConfigError` with the key path (`.path`)."""

    def __init__(self, config, set=None, overrides=None, _handle=None):
        if _handle is None:
            _handle = ctypes.c_void_p()
            call(lib.mfld_run_create, *config_arguments(config, overrides, set), ctypes.byref(_handle))
        self._handle = _handle
        self._taken, self._ended = ctypes.c_int64(), ctypes.c_int32()
        self._status_json = None
        self._info
        self.config = json.loads(take_string(lib.mfld_run_config(self._handle)))
        """The resolved config: every default filled in (what config.json holds)."""

    @classmethod
    def resume(cls, directory):
        """A run continued from the checkpoint in `directory` (`checkpoint`, or `mfld run --checkpoint-every`)."""
        handle = ctypes.c_void_p()
        call(lib.mfld_run_resume, encode(directory), ctypes.byref(handle))
        return cls(None, _handle=handle)

    def __del__(self):
        if getattr(self, "_handle", None):
            lib.mfld_run_free(self._handle)
            self._handle = None

    @property
    def _info(self):
        """The run's status (read again after steps were taken)."""
        if self._status_json is None:
            self._status_json = json.loads(take_string(lib.mfld_run_status(self._handle)))
        return self._status_json

    # -- stepping

    def step(self, k=None):
        """Takes k steps (all that remain when None; never past the config's `steps`). Returns the number
        taken. A run that diverges or whose part raises stops there: RunError with its message, and the
        trace, particles and status are kept."""
        k = self.last_step - self.step_index if k is None else int(k)
        call(lib.mfld_run_step, self._handle, k, ctypes.byref(self._taken), ctypes.byref(self._ended))
        self._status_json = None
        if self._ended.value == 2:
            raise RunError(self._info["message"], exit_code=self._info.get("exit_code", 3))
        return self._taken.value

    @property
    def status(self):
        """"running", "completed", "diverged", "failed" or "interrupted"."""
        return self._info["status"]

    @property
    def message(self):
        """How the run failed, when it did."""
        return self._info.get("message")

    @property
    def step_index(self):
        """The next step to take (steps taken so far, from 0)."""
        return self._info["step"]

    @property
    def last_step(self):
        return self._info["last_step"]

    @property
    def time(self):
        """Σ η so far."""
        return self._info["time"]

    @property
    def finished(self):
        return self._info["status"] != "running"

    @property
    def signed(self):
        """True for a signed objective (a network, a deconvolution), reduced by bilevel or lift."""
        return self._info["signed"]

    # -- particles

    @property
    def state(self):
        """The particles as the integrator moves them (count × dimension): for a lifted signed run, (r, w)
        per row in the reduction's coordinates; otherwise the positions."""
        x = np.empty((self._info["count"], self._info["dimension"]))
        lib.mfld_run_state(self._handle, _pointer(x))
        return x

    @state.setter
    def state(self, x):
        x = _doubles(x, (self._info["count"], self._info["dimension"]))
        call(lib.mfld_run_set_state, self._handle, _pointer(x), x.shape[0], x.shape[1])

    @property
    def particles(self):
        """The positions (m × d): the cloud, or for a signed run the positions w_i of ν = (1/m) Σ r_i δ_{w_i}.
        Assigning sets them (same shape; for a signed run assign `state`)."""
        if not self.signed:
            return self.state
        return self._signed()[1]

    @particles.setter
    def particles(self, x):
        if self.signed:
            raise AttributeError("a signed run's particles are set through `state` (the reduction's coordinates)")
        self.state = x

    @property
    def weights(self):
        """For a signed run, the weights r_i (m) beside `particles`."""
        if not self.signed:
            raise AttributeError("this run is over probability measures: its particles have no weights")
        return self._signed()[0]

    def _signed(self):
        m, d = self._info["count"], self._info["position_dimension"]
        r, w = np.empty(m), np.empty((m, d))
        call(lib.mfld_run_signed_measure, self._handle, _pointer(r), _pointer(w))
        return r, w

    # -- trace

    @property
    def columns(self):
        return list(self._info["columns"])

    @property
    def trace_array(self):
        """The rows recorded so far, (rows × columns)."""
        rows = np.empty((self._info["rows"], len(self._info["columns"])))
        if rows.size:
            lib.mfld_run_trace(self._handle, _pointer(rows))
        return rows

    @property
    def trace(self):
        """The trace so far: a pandas DataFrame when pandas is installed, else a dict of column → array."""
        rows = self.trace_array
        columns = {name: rows[:, k].copy() for k, name in enumerate(self._info["columns"])}
        try:
            import pandas
        except ImportError:
            return columns
        return pandas.DataFrame(columns)

    # -- the objective

    def objective(self, x=None):
        """F at the particles `x` (the reduction's coordinates, like `state`; default: the run's own)."""
        value = ctypes.c_double()
        if x is None:
            call(lib.mfld_run_objective, self._handle, None, 0, 0, ctypes.byref(value))
        else:
            x = _doubles(x)
            call(lib.mfld_run_objective, self._handle, _pointer(x), x.shape[0], x.shape[1], ctypes.byref(value))
        return value.value

    def first_variation(self, y):
        """V_μ(y) and ∇V_μ(y) at the points y (n × dimension) for the measure of the run's particles."""
        y = _doubles(np.atleast_2d(y))
        values, gradients = np.empty(y.shape[0]), np.empty(y.shape)
        call(lib.mfld_run_first_variation, self._handle, _pointer(y), y.shape[0], y.shape[1], _pointer(values), _pointer(gradients))
        return values, gradients

    # -- checkpoints

    def checkpoint(self, directory):
        """Writes config.json and checkpoint.json into `directory`; `Run.resume(directory)` continues."""
        call(lib.mfld_run_checkpoint, self._handle, encode(directory))

    def __repr__(self):
        return f"<mfld.Run {self.status} at step {self.step_index}/{self.last_step}, {self._info['count']} particles on {self._info['domain']}>"
