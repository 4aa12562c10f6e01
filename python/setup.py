"""The build step of `pip install ./python`: builds libmfldc.so (the C interface) with SwiftPM in the mfld
package this folder belongs to — `swift build -c release --product mfldc` — and puts a copy inside the Python
package. With $MFLD_LIBRARY set, that library is copied instead and nothing is built. $MFLD_BUILD_JOBS limits
SwiftPM's jobs (`-j`), for shared machines."""

import json
import os
import pathlib
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


class BuildWithSwift(build_py):
    def run(self):
        super().run()
        target = pathlib.Path(self.build_lib) / "mfld"
        library = os.environ.get("MFLD_LIBRARY")
        root = ROOT if (ROOT / "Package.swift").exists() else None
        if not library:
            if root is None:
                raise SystemExit("mfld: no libmfldc.so to install: set MFLD_LIBRARY, or install from the mfld repository (pip install ./python)")
            words = ["swift", "build", "-c", "release", "--product", "mfldc"]
            if os.environ.get("MFLD_BUILD_JOBS"):
                words += ["-j", os.environ["MFLD_BUILD_JOBS"]]
            print("mfld: " + " ".join(words))
            subprocess.run(words, cwd=root, check=True)
            library = str(root / ".build" / "release" / "libmfldc.so")
        (target / "lib").mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, target / "lib" / "libmfldc.so")
        # Where the repository is, for the `mfld` executable (`mfld.compare`) and the examples.
        (target / "_build.json").write_text(json.dumps({"repository": str(root) if root else None}))


class BinaryDistribution(Distribution):
    """The wheel carries a shared library: a platform wheel, not py3-none-any."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithSwift}, distclass=BinaryDistribution)
