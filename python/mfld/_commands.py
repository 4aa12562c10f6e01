"""The command-line tool's commands as functions: run, check, parts, describe, compare."""

import ctypes
import json
import os
import pathlib
import shutil
import subprocess

from ._config import config_arguments
from ._library import ConfigError, MfldError, call, encode, lib, repository_root, take_string

__all__ = ["run", "check", "parts", "describe", "compare", "executable"]


def run(config, out=None, set=None, overrides=None, force=False):
    """`mfld run`: runs the config to its end and writes the same run folder (config.json, trace.csv,
    timing.csv, summary.json, particles.csv, plots) — Python-registered parts included. Returns the summary
    (a dict; "status" says "completed", "diverged" or "failed", with "message"; "output" is the folder)."""
    summary = ctypes.c_void_p()
    call(lib.mfld_run_folder, *config_arguments(config, overrides, set), encode(out), 1 if force else 0, ctypes.byref(summary))
    return json.loads(take_string(summary.value))


class CheckResult(list):
    """The laws of `check`, one dict per law (part, path, law, error, tolerance, passed)."""

    @property
    def passed(self):
        return all(r["passed"] for r in self)

    @property
    def failed(self):
        return [r for r in self if not r["passed"]]

    def __str__(self):
        def number(x):
            return "nan" if x is None else f"{x:.2g}"
        lines = ["| part | key path | law | max error | tolerance | result |", "| --- | --- | --- | ---: | ---: | --- |"]
        for r in self:
            lines.append(f"| {r['part']} | {r['path']} | {r['law']} | {number(r['error'])} | {number(r['tolerance'])} | "
                         + ("pass" if r["passed"] else "FAIL") + " |")
        return "\n".join(lines)


def check(config, set=None, overrides=None):
    """`mfld check`: the laws of every part the config composes — built-in, plugin or defined in Python
    (a potential's gradient against finite differences of its value, an objective's first variation…).
    Returns a CheckResult; `.passed` is True when every law holds."""
    laws = ctypes.c_void_p()
    call(lib.mfld_check, *config_arguments(config, overrides, set), ctypes.byref(laws))
    return CheckResult(json.loads(take_string(laws.value)))


def parts(kind=None):
    """Every registered part as dicts (kind, name, summary); only `kind`'s when given."""
    rows = json.loads(take_string(lib.mfld_parts()))
    return [r for r in rows if kind is None or r["kind"] == kind]


def describe(name):
    """`mfld describe NAME`: the part's parameters with their types, defaults, ranges and docs (text)."""
    text = ctypes.c_void_p()
    call(lib.mfld_describe, encode(name), ctypes.byref(text))
    return take_string(text.value)


def executable():
    """The `mfld` command-line tool: $MFLD_EXECUTABLE, `mfld` on PATH, or the repository's build."""
    env = os.environ.get("MFLD_EXECUTABLE")
    if env:
        return env
    root = repository_root()
    if root is not None:
        for build in ("release", "debug"):
            p = root / ".build" / build / "mfld"
            if p.is_file():
                return str(p)
    found = shutil.which("mfld")
    if found:
        return found
    raise MfldError("cannot find the mfld executable: set MFLD_EXECUTABLE or build it (`swift build -c release`)")


def compare(*configs, vary=(), repeats=1, out=None, set=None, jobs=None, extra=()):
    """`mfld compare`: runs every variant (config files, or the grid of `vary`, e.g.
    `vary=["reduction=bilevel,lift"]`) with `repeats` seeds, one run per core, and writes comparison.csv,
    comparison.md, plots and index.html. Returns comparison.md's text (pandas.read_csv reads the CSV).

    It runs the `mfld` executable: a comparison runs its variants in parallel processes, which is what the
    tool already does well; parts defined in this Python process are not available to them."""
    words = [executable(), "compare", *[os.fspath(c) for c in configs]]
    for v in vary:
        words += ["--vary", v]
    words += ["--repeats", str(repeats)]
    for key, value in (set or {}).items():
        words += ["--set", f"{key}={json.dumps(value)}"]
    if out is not None:
        words += ["--out", os.fspath(out)]
    if jobs is not None:
        words += ["--jobs", str(jobs)]
    words += list(extra)
    r = subprocess.run(words, capture_output=True, text=True)
    if r.returncode not in (0, 3):
        message = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"mfld compare exited with {r.returncode}"
        message = message.removeprefix("mfld: error: ")
        raise (ConfigError if r.returncode == 2 else MfldError)(message)
    folder = out
    for line in r.stdout.splitlines():
        if line.startswith("wrote "):
            folder = line.split()[1].split("/{")[0]
    md = pathlib.Path(folder or ".") / "comparison.md"
    return md.read_text() if md.exists() else r.stdout
