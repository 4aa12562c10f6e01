"""Finding and loading libmfldc.so, the C interface of mfld (Sources/Registry/CInterface), and mapping its
errors to Python exceptions."""

import ctypes
import json
import os
import pathlib

__all__ = ["lib", "ConfigError", "RunError", "MfldError", "call", "take_string", "library_path", "repository_root"]

_NAME = "libmfldc.so"


class MfldError(Exception):
    """An error from mfld: the one-line message the command-line tool prints (`exit_code` is its status)."""

    def __init__(self, message, exit_code=1):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class ConfigError(MfldError, ValueError):
    """Bad input: a config key, a value, a file. `path` is the key path (`integrator.temperature`)."""

    def __init__(self, message, path="", exit_code=2):
        super().__init__(message, exit_code)
        self.path = path


class RunError(MfldError, RuntimeError):
    """A run that could not go on: diverged, a part that raised, an output that could not be written."""


def repository_root():
    """The mfld repository: the one this package sits in (python/mfld), or the one `pip install` built it
    from (recorded in _build.json); None when neither is there."""
    here = pathlib.Path(__file__).resolve().parent
    candidates = [here.parent.parent]
    try:
        recorded = json.loads((here / "_build.json").read_text()).get("repository")
        if recorded:
            candidates.append(pathlib.Path(recorded))
    except (OSError, ValueError):
        pass
    for root in candidates:
        if (root / "Package.swift").exists() and (root / "Sources" / "Registry" / "CInterface").exists():
            return root
    return None


def library_path():
    """Where libmfldc.so is: $MFLD_LIBRARY; the copy `pip install` put beside this file; the repository's
    release build, then its debug build."""
    env = os.environ.get("MFLD_LIBRARY")
    if env:
        if not os.path.isfile(env):
            raise ImportError(f"MFLD_LIBRARY={env}: no such file — build it with `swift build -c release --product mfldc`")
        return env
    candidates = [pathlib.Path(__file__).resolve().parent / "lib" / _NAME]
    root = repository_root()
    if root is not None:
        candidates += [root / ".build" / "release" / _NAME, root / ".build" / "debug" / _NAME]
    for c in candidates:
        if c.is_file():
            return str(c)
    raise ImportError("cannot find libmfldc.so: set MFLD_LIBRARY, or build it with "
                      "`swift build -c release --product mfldc` in the mfld package (pip install ./python does)")


_c = ctypes
_vp, _cp, _i32, _i64, _dp = _c.c_void_p, _c.c_char_p, _c.c_int32, _c.c_int64, _c.POINTER(_c.c_double)
_err = _c.POINTER(_c.c_void_p)

# The plugin ABI's register function: int32_t mfld_plugin_register(const intptr_t *host).
REGISTER_FUNCTION = _c.CFUNCTYPE(_i32, _c.c_void_p)


def _load():
    lib = _c.CDLL(library_path())  # CDLL: the GIL is released during calls, so the solver's threads may call back
    signatures = {
        "mfld_free_string": (None, [_vp]),
        "mfld_interface_version": (_i32, []),
        "mfld_version": (_cp, []),
        "mfld_run_create": (_i32, [_cp, _cp, _cp, _cp, _c.POINTER(_vp), _err]),
        "mfld_run_free": (None, [_vp]),
        "mfld_run_step": (_i32, [_vp, _i64, _c.POINTER(_i64), _c.POINTER(_i32), _err]),
        "mfld_run_status": (_vp, [_vp]),
        "mfld_run_config": (_vp, [_vp]),
        "mfld_run_state": (_i32, [_vp, _dp]),
        "mfld_run_set_state": (_i32, [_vp, _dp, _i64, _i64, _err]),
        "mfld_run_signed_measure": (_i32, [_vp, _dp, _dp, _err]),
        "mfld_run_trace": (_i32, [_vp, _dp]),
        "mfld_run_objective": (_i32, [_vp, _dp, _i64, _i64, _dp, _err]),
        "mfld_run_first_variation": (_i32, [_vp, _dp, _i64, _i64, _dp, _dp, _err]),
        "mfld_run_checkpoint": (_i32, [_vp, _cp, _err]),
        "mfld_run_resume": (_i32, [_cp, _c.POINTER(_vp), _err]),
        "mfld_run_folder": (_i32, [_cp, _cp, _cp, _cp, _cp, _i32, _err, _err]),
        "mfld_check": (_i32, [_cp, _cp, _cp, _cp, _err, _err]),
        "mfld_parts": (_vp, []),
        "mfld_describe": (_i32, [_cp, _err, _err]),
        "mfld_register_plugin": (_i32, [REGISTER_FUNCTION, _cp, _err]),
    }
    for name, (restype, argtypes) in signatures.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = restype, argtypes
    if lib.mfld_interface_version() != 1:
        raise ImportError(f"{library_path()} has C interface version {lib.mfld_interface_version()}, this package needs 1: rebuild it")
    return lib


lib = _load()


def take_string(address):
    """The text at `address` (returned by the library), freed."""
    if not address:
        return None
    try:
        return _c.string_at(address).decode("utf-8")
    finally:
        lib.mfld_free_string(address)


def error_from_json(text):
    e = json.loads(text)
    if e.get("kind") == "config":
        return ConfigError(e["message"], path=e.get("path", ""), exit_code=e.get("exit_code", 2))
    if e.get("kind") == "run":
        return RunError(e["message"], exit_code=e.get("exit_code", 3))
    return MfldError(e["message"], exit_code=e.get("exit_code", 1))


def call(function, *args):
    """Calls a library function whose last argument is `char **error`; raises its error."""
    error = _c.c_void_p()
    if function(*args, _c.byref(error)) != 0:
        raise error_from_json(take_string(error.value) or '{"kind": "error", "message": "failed without a message"}')


def encode(s):
    return None if s is None else str(s).encode("utf-8")
