"""Parts defined in Python — a potential, an interaction kernel, an objective over probability measures —
registered by name through the plugin ABI (docs/plugins.md): Python plays the plugin. Its register
function, its ops table and every object's vtable are ctypes callbacks, handed to the library's
`mfld_register_plugin`, which feeds them to the same registration, the same `Bridged…` proxies and the
same `check` laws as a plugin library's parts. Nothing here is a second mechanism: a Python potential is,
to the solver, a plugin potential whose batch call happens to run NumPy.

Every call crosses with whole arrays: a potential and an objective are called once per evaluation with the
whole cloud, a kernel with a particle's row of pairs — never once per particle. An exception raised by a Python function stops the run at that step with
its message (`RunError`, summary.json's "message"), and the trace, summary and particles are kept.
"""

import ctypes
import functools
import itertools
import json
import math
import threading

import numpy as np

from ._library import REGISTER_FUNCTION, ConfigError, call, lib

__all__ = ["potential", "kernel", "objective", "feature_map"]

_c = ctypes
_libc = _c.CDLL(None)
_libc.strdup.restype, _libc.strdup.argtypes = _c.c_void_p, [_c.c_char_p]
_libc.free.restype, _libc.free.argtypes = None, [_c.c_void_p]
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
_SIGNED_DOMAIN, _SIGNED_FEATURES, _SIGNED_LABELS, _SIGNED_OBSERVE = 90, 91, 92, 93
_FEATURES_EVALUATE, _FEATURES_PULLBACK, _FEATURES_SUBSET = 100, 101, 102
_BUILDER_BUILD = 140
_DOMAIN_KIND = 5  # PartKind.allCases.firstIndex(of: .domain)

# Live objects by handle (the host holds references through retain/release), and every callback and
# table, which must outlive the process's use of them.
_objects = {}
_handles = itertools.count(1)
_keep = []


def _text(s):
    """A C string the host frees with free_buffer (libc free)."""
    return _libc.strdup(s.encode("utf-8"))


@functools.lru_cache(maxsize=64)
def _doubles(n):
    return _c.c_double * n


def _array(address, shape):
    """The caller's buffer of doubles at `address` as a NumPy array of `shape` (a view, no copy)."""
    n = math.prod(shape)
    if n == 0:
        return np.empty(shape)
    return np.frombuffer(_doubles(n).from_address(address), dtype=np.float64).reshape(shape)


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


_threads = set()
_c.pythonapi.PyGILState_Ensure.restype = _c.c_int


@_CALL
def _call(handle, method, frame):
    # The solver's worker threads call in: the first time on each, keep its Python thread state for good
    # (one unmatched PyGILState_Ensure), rather than have ctypes create and destroy one on every call.
    thread = threading.get_ident()
    if thread not in _threads:
        _c.pythonapi.PyGILState_Ensure()
        _threads.add(thread)
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
            close = getattr(entry[0], "close", None)
            if close is not None:
                close()


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
    """Registers one part: `make(arguments, context, objects)` builds the Python object the host will call
    (`objects`: the build context's domain, reference and builder, lent for the call)."""
    declaration = json.dumps({"kind": kind, "name": name, "summary": summary or f"{kind} '{name}' defined in Python",
                              "parameters": [_parameter(k, v) for k, v in (parameters or {}).items()]})

    @_BUILD
    def build(component, arguments, context, objects, product, error):
        ctx = {}
        try:
            ctx = json.loads(context.decode())
            try:
                made = make(json.loads(arguments.decode()), ctx, objects)
            finally:
                if objects:
                    _release_context_objects(objects)
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
                  lambda args, ctx, objects: _Field(function, args, _dimension(ctx, kind), origin))
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
                  lambda args, ctx, objects: _Objective(cls(_dimension(ctx, "objective"), **args), _dimension(ctx, "objective"), origin))
        return cls
    return decorate


class _Object:
    """An object of the host's (handle, vtable): called, retained and released through its vtable."""

    def __init__(self, handle, vtable):
        self.handle, self.vtable = handle, vtable
        table = (_c.c_ssize_t * 5).from_address(vtable)
        self._call, self._retain, self._release, self._free = _CALL(table[1]), _HANDLE(table[2]), _HANDLE(table[3]), _HANDLE(table[4])

    def retain(self):
        self._retain(self.handle)

    def release(self):
        self._release(self.handle)

    def invoke(self, method, slots):
        frame = (_c.c_int64 * 32)()
        for k, v in slots.items():
            frame[k] = v
        if self._call(self.handle, method, _c.addressof(frame)) != 0:
            text = _c.string_at(frame[_ERROR]).decode() if frame[_ERROR] else '{"message": "failed"}'
            self._free(frame[_ERROR])
            error = json.loads(text)
            raise ConfigError(error.get("message", text), path=error.get("path", ""))
        return frame

    def describe(self):
        frame = self.invoke(_DESCRIBE, {})
        try:
            return json.loads(_c.string_at(frame[_TEXT]).decode())
        finally:
            self._free(frame[_TEXT])


def _build_domain(domain, context, objects):
    """The domain W, built by the host's builder (context object 2) from its config, e.g.
    {"type": "sphere", "dimension": 5}: a host object, handed back to the host as the signed objective's domain."""
    slots = (_c.c_ssize_t * 6).from_address(objects)
    builder = _Object(slots[4], slots[5])
    value = _c.create_string_buffer(json.dumps(domain).encode())
    path = _c.create_string_buffer((context.get("path", "objective") + ".domain").encode())
    text = _c.create_string_buffer(json.dumps(context).encode())
    frame = builder.invoke(_BUILDER_BUILD, {0: _DOMAIN_KIND, 1: _c.addressof(value), 2: _c.addressof(path), 3: _c.addressof(text),
                                             4: slots[0], 5: slots[1], 6: slots[2], 7: slots[3], 8: slots[4], 9: slots[5]})
    return _Object(frame[10], frame[11])


class _FeatureMap:
    """Φ: W → ℝ^n on the data, its Jacobian data per (particle, sample) being the full gradient ∇_w Φ(w)_k (D
    numbers): evaluate writes both; pullback forms g_i = c_i Σ_k u_k ∇_w Φ(w_i)_k from them."""

    def __init__(self, signed):
        self.signed, self.origin = signed, signed.origin

    def describe(self):
        s = self.signed
        return {"kind": "features", "dimension": s.dimension, "sample_count": len(s.labels), "jacobian_width": s.dimension}

    def call(self, method, f):
        s = self.signed
        n, D = len(s.labels), s.dimension
        if method == _FEATURES_EVALUATE:
            m = f.int(1)
            features, jacobian = s.evaluate(_array(f.pointer(0), (m, D)).copy())
            _array(f.pointer(3), (m, n))[:] = features
            if f.pointer(4):
                _array(f.pointer(4), (m, n, D))[:] = jacobian
        elif method == _FEATURES_PULLBACK:
            m = f.int(1)
            if f.pointer(4):
                jacobian = _array(f.pointer(4), (m, n, D))
            else:
                jacobian = s.evaluate(_array(f.pointer(0), (m, D)).copy())[1]
            u, c = _array(f.pointer(5), (n,)), _array(f.pointer(6), (m,))
            _array(f.pointer(7), (m, D))[:] = c[:, None] * np.einsum("ikd,k->id", jacobian, u)
        else:  # subset: the host gathers the chosen samples' columns itself
            raise RuntimeError(f"a Python feature map has no method {method}")


class _SignedObjective:
    """G_λ(ν) = R(∫Φ dν) + (λ/2)‖ν‖²_TV with Φ from Python, on the data (X, y), its domain built by the host."""

    def __init__(self, function, arguments, data, domain_config, context, objects, origin):
        self.function, self.origin = function, origin
        self.lam, self.loss = float(arguments.pop("lambda")), arguments.pop("loss")
        if self.loss not in ("square", "logistic"):
            raise ConfigError(f"loss: '{self.loss}' is not a loss; please provide one of square, logistic",
                              path=context.get("path", "objective") + ".loss")
        self.arguments = arguments
        X, y = data(**arguments) if callable(data) else data
        self.inputs = np.ascontiguousarray(X, dtype=float)
        self.labels = np.ascontiguousarray(y, dtype=float).reshape(-1)
        if self.inputs.ndim != 2 or len(self.inputs) != len(self.labels):
            raise ConfigError(f"the data must be X (n × d) and y (n), found {self.inputs.shape} and {self.labels.shape}",
                              path=context.get("path", "objective"))
        self.domain = _build_domain(domain_config, context, objects)
        self.dimension = int(self.domain.describe()["dimension"])  # coordinates per particle (S^2 has 3)

    def evaluate(self, w):
        features, jacobian = self.function(w, self.inputs, **self.arguments)
        m, n, D = len(w), len(self.labels), self.dimension
        return np.asarray(features, dtype=float).reshape(m, n), np.asarray(jacobian, dtype=float).reshape(m, n, D)

    def describe(self):
        return {"kind": "signed", "loss": self.loss, "lambda": self.lam, "observables": []}

    def call(self, method, f):
        if method == _SIGNED_DOMAIN:
            self.domain.retain()  # the host adopts one reference per call
            f.slots[0], f.slots[1] = self.domain.handle, self.domain.vtable
        elif method == _SIGNED_FEATURES:
            handle = next(_handles)
            _objects[handle] = [_FeatureMap(self), 1]
            f.slots[0], f.slots[1] = handle, _c.addressof(_VTABLE)
        elif method == _SIGNED_LABELS:
            f.slots[0], f.slots[1] = self.labels.ctypes.data, len(self.labels)
        else:
            raise RuntimeError(f"a Python signed objective has no method {method}")

    def close(self):
        self.domain.release()


def feature_map(name, domain, data, parameters=None, summary=None):
    """Registers a signed objective G_λ(ν) = R(∫Φ dν) + (λ/2)‖ν‖²_TV whose feature map Φ(w; x) is Python, on
    the data `data` — (X, y) arrays, or a function of the parameters returning them — and the domain W
    `domain` (a domain config, e.g. {"type": "sphere", "dimension": 4}: S^4, particles of 5 coordinates). Usable as
    `"objective": {"type": NAME, "lambda": 1e-3, "loss": "square", …}` with `"reduction": "bilevel"` or `"lift"`:

        @mfld.feature_map("py-relu", domain={"type": "sphere", "dimension": 2}, data=(X, y))   # w ∈ S^2 ⊂ ℝ^3, X (n × 3)
        def relu(w, x):                     # w (m, D): every particle at once; x (n, d): the data
            z = w @ x.T                     # Φ(w_i)_k = relu(⟨w_i, x_k⟩)
            return np.maximum(z, 0), (z > 0)[:, :, None] * x[None, :, :]   # Φ (m, n), ∇_w Φ (m, n, D)

    One call per step evaluates every particle; `mfld.check(config)` tests the Jacobian by finite differences."""
    declared = {"lambda": (1e-3, "λ, the weight of the total variation"), "loss": ("square", "square or logistic (labels ±1)")}
    declared.update(parameters or {})

    def decorate(function):
        origin = f"python feature map '{name}'"
        _register("objective", name, summary or (function.__doc__ or "").strip().split("\n")[0], declared,
                  lambda args, ctx, objects: _SignedObjective(function, args, data, domain, ctx, objects, origin))
        return function
    return decorate
