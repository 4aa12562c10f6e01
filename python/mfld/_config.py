"""A config given as a dict, a JSON text or a file path, in the form the C interface takes."""

import json
import os

from ._library import encode

__all__ = ["config_arguments"]


def config_arguments(config, overrides=None, set=None):
    """(file, json, base directory, overrides JSON) for the C interface. `config` is a path (str or
    os.PathLike: read by mfld, comments allowed, relative paths in it against its folder) or a dict (relative
    paths against the current folder). `set` is a dict of key paths to values, like `--set key.path=value`."""
    words = list(overrides or [])
    for key, value in (set or {}).items():
        words.append(f"{key}={json.dumps(value)}")
    o = encode(json.dumps(words))
    if isinstance(config, (str, os.PathLike)):
        return encode(os.fspath(config)), None, None, o
    if isinstance(config, dict):
        return None, encode(json.dumps(config)), encode(os.getcwd()), o
    raise TypeError(f"a config is a dict or a path to a JSON file, found {type(config).__name__}")
