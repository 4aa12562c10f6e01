"""Parts defined in Python — a potential, an interaction kernel, an objective over probability measures —
registered by name through the plugin ABI (docs/plugins.md): Python plays the plugin. Its register
function, its ops table and every object's vtable are ctypes callbacks, handed to the library's
`mfld_register_plugin`, which feeds them to the same registration, the same `Bridged…` proxies and the
same `check` laws as a plugin library's parts. Nothing here is a second mechanism: a Python potential is,
to the solver, a plugin potential whose batch call happens to run NumPy.

Every call crosses with whole arrays: a potential is called with a chunk of the cloud (512 particles;
a few calls per step), a kernel with a particle's row of pairs, an objective once per step with the whole
cloud — never once per particle. An exception raised by a Python function stops the run at that step with
its message (`RunError`, summary.json's "message"), and the trace, summary and particles are kept.
"""

import ctypes
import itertools
import json

import numpy as np

from ._library import REGISTER_FUNCTION, ConfigError, call, lib

__all__ = ["potential", "kernel", "objective"]

_c = ctypes
_libc = _c.CDLL(None)
_libc.strdup.restype, _libc.strdup.argtypes = _c.c_void_p, [_c.c_char_p]
_FREE = _c.cast(_libc.free, _c.c_void_p).value

_CALL = _c.CFUNCTYPE(_c.c_int32, _c.c_void_p, _c.c_int32, _c.c_void_p)
_HANDLE = _c.CFUNCTYPE(None, _c.c_void_p)
_BUILD = _c.CFUNCTYPE(_c.c_int32, _c.c_int64, _c.c_char_p, _c.c_char_p, _c.c_void_p, _c.c_void_p, _c.c_void_p)
_REGISTER_COMPONENT = _c.CFUNCTYPE(_c.c_int32, _c.c_void_p, _c.c_char_p, _c.c_void_p, _c.c_int64)
_ABI = 2
_TEXT, _ERROR = 30, 31

# Method numbers of the ABI (BridgeMethod in Sources/Registry/Plugins/Bridge/BridgeFrame.swift).
_DESCRIBE, _CHECKPOINT, _RESTORE = 0, 1, 2
_FIELD, _FIELD_BATCH = 20, 21
_OBJECTIVE_EVALUATE, _OBJECTIVE_FIRST_VARIATION, _OBJECTIVE_OBSERVE = 80, 81, 82

# Live objects by handle (the host holds references through retain/release), and every callback and
# table, which must outlive the process's use of them.
_objects = {}
_handles = itertools.count(1)
_keep = []


def _text(s):
    """A C string the host frees with free_buffer (libc free)."""
    return _libc.strdup(s.encode("utf-8"))


def _array(address, shape):
    n = int(np.prod(shape))
    if n == 0:
        return np.empty(shape)
    return np.ctypeslib.as_array(_c.cast(address, _c.POINTER(_c.c_double)), shape=(n,)).reshape(shape)


class _Frame:
    """The 32 slots of one call (docs/plugins.md, "The ABI"): integers, doubles by bit pattern, pointers."""

    def __init__(self, address):
        self.address = address
        self.slots = (_c.c_int64 * 32).from_address(address)

    def int(self, k):
        return self.slots[k]

    def pointer(self, k):
        return self.slots[k] or None

    def double(self, k):
        return _c.c_double.from_address(self.address + 8 * k).value

    def set_double(self, k, v):
        _c.c_double.from_address(self.address + 8 * k).value = v

    def set_text(self, k, s):
        self.slots[k] = _text(s)


def _error_json(error, origin):
    if isinstance(error, ConfigError):
        return json.dumps({"kind": "config", "file": None, "path": error.path, "message": error.message, "fix": None})
    return json.dumps({"kind": "error", "message": f"{type(error).__name__}: {error}", "origin": origin})


@_CALL
def _call(handle, method, frame):
    entry = _objects.get(handle)
    f = _Frame(frame)
    try:
        if entry is None:
            raise RuntimeError(f"no Python object {handle}")
        part = entry[0]
        if method == _DESCRIBE:
            f.set_text(_TEXT, json.dumps(part.describe()))
        elif method == _CHECKPOINT:
            f.set_text(_TEXT, "{}")
        elif method == _RESTORE:
            pass
        else:
            part.call(method, f)
        return 0
    except BaseException as e:  # noqa: BLE001 — nothing may unwind through the C frames
        f.slots[_ERROR] = _text(_error_json(e, entry[0].origin if entry else "python"))
        return 1


@_HANDLE
def _retain(handle):
    _objects[handle][1] += 1


@_HANDLE
def _release(handle):
    entry = _objects.get(handle)
    if entry is not None:
        entry[1] -= 1
        if entry[1] == 0:
            del _objects[handle]


_VTABLE = (_c.c_ssize_t * 5)(_ABI, _c.cast(_call, _c.c_void_p).value, _c.cast(_retain, _c.c_void_p).value,
                             _c.cast(_release, _c.c_void_p).value, _FREE)


def _release_context_objects(objects):
    """The build context's three objects (domain, reference, builder) come with one reference each."""
    slots = (_c.c_ssize_t * 6).from_address(objects)
    for k in range(3):
        if slots[2 * k]:
            release = (_c.c_ssize_t * 5).from_address(slots[2 * k + 1])[3]
            _HANDLE(release)(slots[2 * k])


def _parameter(name, spec):
    """A declaration's parameter from a default (a number, a bool, a string, a list of numbers), or a
    (default, doc) pair."""
    default, doc = spec if isinstance(spec, tuple) else (spec, name)
    if isinstance(default, bool):
        t = {"type": "boolean"}
    elif isinstance(default, (int, float)):
        t, default = {"type": "real"}, float(default)
    elif isinstance(default, str):
        t = {"type": "string"}
    elif isinstance(default, (list, tuple)):
        t, default = {"type": "reals"}, [float(v) for v in default]
    else:
        raise TypeError(f"parameter '{name}': a default must be a number, a bool, a string or a list of numbers")
    return {"name": name, "type": t, "default": default, "doc": doc}


def _register(kind, name, summary, parameters, make):
    """Registers one part: `make(arguments, context)` builds the Python object the host will call."""
    declaration = json.dumps({"kind": kind, "name": name, "summary": summary or f"{kind} '{name}' defined in Python",
                              "parameters": [_parameter(k, v) for k, v in (parameters or {}).items()]})

    @_BUILD
    def build(component, arguments, context, objects, product, error):
        ctx = {}
        try:
            if objects:
                _release_context_objects(objects)
            ctx = json.loads(context.decode())
            made = make(json.loads(arguments.decode()), ctx)
            handle = next(_handles)
            _objects[handle] = [made, 1]
            out = (_c.c_ssize_t * 2).from_address(product)
            out[0], out[1] = handle, _c.addressof(_VTABLE)
            return 0
        except BaseException as e:  # noqa: BLE001
            message = e.message if isinstance(e, ConfigError) else f"{type(e).__name__}: {e}"
            text = json.dumps({"kind": "config", "file": ctx.get("file"), "path": getattr(e, "path", "") or ctx.get("path", ""),
                               "message": f"the Python {kind} '{name}' failed to build: {message}", "fix": None})
            _c.c_void_p.from_address(error).value = _text(text)
            return 1

    @_c.CFUNCTYPE(None, _c.c_void_p)
    def free_string(s):
        _libc.free(s)

    ops = (_c.c_ssize_t * 3)(_ABI, _c.cast(free_string, _c.c_void_p).value, _c.cast(build, _c.c_void_p).value)

    @REGISTER_FUNCTION
    def register(host):
        slots = (_c.c_ssize_t * 6).from_address(host)
        register_component = _REGISTER_COMPONENT(slots[2])
        return register_component(slots[1], declaration.encode(), _c.addressof(ops), 0)

    _keep.extend([build, free_string, ops, register])
    call(lib.mfld_register_plugin, register, f"python: {name}".encode())


def _dimension(context, what):
    domain = context.get("domain") or {}
    if "dimension" not in domain:
        raise ConfigError(f"a Python {what} needs a domain with a dimension (euclidean, sphere, torus)", path=context.get("path", ""))
    return int(domain["dimension"])


class _Field:
    """A potential or a kernel: f(x) for rows x (n × d) → values (n,), gradients (n × d)."""

    def __init__(self, function, arguments, dimension, origin):
        self.function, self.arguments, self.dimension, self.origin = function, arguments, dimension, origin

    def describe(self):
        return {"kind": "field", "dimension": self.dimension, "batch": True}

    def evaluate(self, x):
        values, gradients = self.function(x, **self.arguments)
        return np.asarray(values, dtype=float).reshape(x.shape[0]), np.asarray(gradients, dtype=float).reshape(x.shape)

    def call(self, method, f):
        d = self.dimension
        if method == _FIELD_BATCH:
            n = f.int(1)
            values, gradients = self.evaluate(_array(f.pointer(0), (n, d)).copy())
            _array(f.pointer(2), (n,))[:] = values
            if f.pointer(3):
                _array(f.pointer(3), (n, d))[:] = gradients
        elif method == _FIELD:
            values, gradients = self.evaluate(_array(f.pointer(0), (1, d)).copy())
            if f.pointer(1):
                _array(f.pointer(1), (1, d))[:] = gradients
            f.set_double(2, float(values[0]))
        else:
            raise RuntimeError(f"a field has no method {method}")


def _field(kind, name, parameters, summary):
    def decorate(function):
        origin = f"python {kind} '{name}'"
        _register(kind, name, summary or (function.__doc__ or "").strip().split("\n")[0], parameters,
                  lambda args, ctx: _Field(function, args, _dimension(ctx, kind), origin))
        return function
    return decorate


def potential(name, parameters=None, summary=None):
    """Registers a potential V defined in Python, usable as `{"type": "potential", "V": {"type": NAME, …}}`:

        @mfld.potential("py-bowl", parameters={"a": 1.0})
        def bowl(x, a):                          # x: (n, d) — many particles at once
            return 0.5 * a * (x * x).sum(1), a * x   # V (n,), ∇V (n, d)

    `parameters` maps each parameter's name to its default (a number, bool, string or list of numbers), or to
    (default, doc); configs may set them, `mfld.describe(NAME)` documents them, and they reach the function as
    keyword arguments. `mfld.check(config)` tests ∇V against finite differences of V."""
    return _field("potential", name, parameters, summary)


def kernel(name, parameters=None, summary=None):
    """Registers an interaction kernel W(z), z = x − y, usable as `{"type": "interaction", "W": {"type": NAME}}`;
    the function gets many differences at once (a particle's row of pairs): z (n, d) → W (n,), ∇W (n, d)."""
    return _field("kernel", name, parameters, summary)


class _Objective:
    """An objective over probability measures: a Python object with `evaluate(x)` and `first_variation(x, y)`."""

    def __init__(self, instance, dimension, origin):
        self.instance, self.dimension, self.origin = instance, dimension, origin
        self.observables = list(getattr(instance, "observables", []) or [])

    def describe(self):
        return {"kind": "objective", "dimension": self.dimension, "observables": self.observables}

    def call(self, method, f):
        if method == _OBJECTIVE_EVALUATE:
            m, d = f.int(1), f.int(2)
            x = _array(f.pointer(0), (m, d)).copy()
            result = self.instance.evaluate(x)
            value, gradient = result[0], result[1]
            values = result[2] if len(result) > 2 else None
            if f.pointer(3):
                _array(f.pointer(3), (m, d))[:] = np.asarray(gradient, dtype=float).reshape(m, d)
            if f.pointer(4):
                if values is None:
                    values, _ = self.instance.first_variation(x, x)
                _array(f.pointer(4), (m,))[:] = np.asarray(values, dtype=float).reshape(m)
            f.set_double(6, float(value))
        elif method == _OBJECTIVE_FIRST_VARIATION:
            m, d, n = f.int(1), f.int(2), f.int(4)
            x = _array(f.pointer(0), (m, d)).copy()
            y = _array(f.pointer(3), (n, d)).copy()
            values, gradients = self.instance.first_variation(x, y)
            _array(f.pointer(5), (n,))[:] = np.asarray(values, dtype=float).reshape(n)
            if f.pointer(6):
                _array(f.pointer(6), (n, d))[:] = np.asarray(gradients, dtype=float).reshape(n, d)
        elif method == _OBJECTIVE_OBSERVE:
            m, d = f.int(1), f.int(2)
            values = np.asarray(self.instance.observe(_array(f.pointer(0), (m, d)).copy()), dtype=float)
            _array(f.pointer(3), (len(self.observables),))[:] = values
        else:
            raise RuntimeError(f"a Python objective has no method {method}")


def objective(name, parameters=None, summary=None):
    """Registers an objective F over probability measures defined in Python, usable as
    `"objective": {"type": NAME, …}` on the config's domain. Decorate a class:

        @mfld.objective("py-energy", parameters={"b": 1.0})
        class Energy:
            observables = ["mean_norm2"]                 # optional: extra trace columns (with observe)
            def __init__(self, dimension, b): ...
            def evaluate(self, x):                       # the whole cloud (m, d), once per step
                return F, grad_V, V                      # F(μ_m), ∇V_μ(X^i) (m, d), optionally V_μ(X^i) (m,)
            def first_variation(self, x, y):             # V_μ and ∇V_μ at points y (n, d), μ the cloud x
                return values, gradients
            def observe(self, x): return [ … ]

    `mfld.check(config)` tests ∂F/∂X^i = (1/m)∇V(X^i) and ∇V against finite differences of V."""
    def decorate(cls):
        origin = f"python objective '{name}'"
        _register("objective", name, summary or (cls.__doc__ or "").strip().split("\n")[0], parameters,
                  lambda args, ctx: _Objective(cls(_dimension(ctx, "objective"), **args), _dimension(ctx, "objective"), origin))
        return cls
    return decorate
