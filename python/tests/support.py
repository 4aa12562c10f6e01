"""What the tests share: the repository, the `mfld` executable beside the library, a scratch folder."""

import csv
import os
import pathlib
import subprocess
import tempfile

import numpy as np

import mfld
from mfld._library import repository_root

ROOT = repository_root() or pathlib.Path(os.environ.get("MFLD_ROOT", "."))
EXAMPLES = ROOT / "examples"


def cli(*words, check=True):
    """Runs the `mfld` command-line tool (the build beside the library: $MFLD_EXECUTABLE in CI)."""
    r = subprocess.run([mfld.executable(), *words], capture_output=True, text=True, cwd=ROOT)
    if check and r.returncode != 0:
        raise AssertionError(f"mfld {' '.join(words)} exited with {r.returncode}: {r.stderr}")
    return r


def read_csv(path):
    """A CSV of numbers: (header, rows as float64). Python's float() reads mfld's shortest round-trip
    decimals back to the same bits."""
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array([[float(v) if v else np.nan for v in row] for row in rows[1:]])


def bits(a):
    """The bit patterns of a float64 array: equal bits, not approximately equal values."""
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def scratch():
    return pathlib.Path(tempfile.mkdtemp(prefix="mfld-python-"))
