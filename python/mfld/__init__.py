"""mfld from Python: mean-field Langevin dynamics composed from named parts, driven through libmfldc.so.

    import mfld
    run = mfld.Run("examples/mckean-vlasov.json")   # a config: a path or a dict
    run.step(1000); run.particles; run.trace

`mfld.run(config)` writes the same run folder as `mfld run`; `mfld.check(config)` runs `mfld check`'s laws;
`mfld.parts()` and `mfld.describe(name)` list and document the parts; `mfld.compare(...)` runs `mfld compare`.
Parts defined in Python — a potential, a kernel, an objective — are registered by name
(`mfld.potential`, `mfld.kernel`, `mfld.objective`) and usable in any config from this process.
"""

from ._library import ConfigError, MfldError, RunError, library_path, lib as _lib
from ._run import Run
from ._commands import check, compare, describe, executable, parts, run
from ._parts import feature_map, kernel, objective, potential

__version__ = _lib.mfld_version().decode()

__all__ = ["Run", "run", "check", "compare", "parts", "describe", "potential", "kernel", "objective", "feature_map",
           "ConfigError", "RunError", "MfldError", "library_path", "executable"]
