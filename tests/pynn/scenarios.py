"""PyNN's own system scenarios (``test/system/scenarios`` of its source distribution).

The source distribution of the installed PyNN is fetched once with pip into
``build/pynn-sdist`` (never copied into the repository). Each scenario is a plain
function of the simulator module; PyNN's fixture only parametrises it over simulator
names, so the twin calls the function itself with ``twin.pynn``.
"""

from __future__ import annotations

import fcntl
import importlib
import inspect
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pyNN

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "pynn-sdist"


def _fetch(version: str, folder: Path) -> None:
    """Download PyNN's source distribution and unpack its tests and examples.

    Unpacked into a temporary folder first and renamed into place, so a reader never
    sees half a folder.
    """
    archive = CACHE / f"pynn-{version}.tar.gz"
    if not archive.exists():
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"PyNN=={version}",
            "-d",
            str(CACHE),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode or not archive.exists():
            raise RuntimeError(f"pip could not fetch PyNN {version}: {done.stderr}")
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        with tarfile.open(archive) as tar:
            wanted = ("/test/", "/examples/")
            members = [m for m in tar.getmembers() if any(w in m.name for w in wanted)]
            tar.extractall(scratch, members=members, filter="data")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(Path(scratch) / folder.name, folder)


def sdist_tests() -> Path:
    """Return the ``test`` folder of PyNN's source distribution (fetched if needed).

    Its ``examples`` folder is unpacked beside it. Processes that ask at once (the
    workers of pytest-xdist, collecting) take turns on a lock file, so only one
    fetches and the others find the finished folder.

    Raises
    ------
    RuntimeError
        If pip cannot fetch the source distribution.
    """
    version = pyNN.__version__
    folder = CACHE / f"pynn-{version}"
    needed = (folder / "test" / "system" / "scenarios", folder / "examples")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all(path.is_dir() for path in needed):
            _fetch(version, folder)
    return folder / "test"


def scenarios() -> list[tuple[str, str]]:
    """Return every scenario as (module, function) names."""
    test = sdist_tests()
    if str(test) not in sys.path:
        sys.path.insert(0, str(test))
    out = []
    for path in sorted((test / "system" / "scenarios").glob("test_*.py")):
        module = importlib.import_module(f"system.scenarios.{path.stem}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_") and fn.__module__ == module.__name__:
                out.append((path.stem, name))
    return out


def scenario(module: str, name: str) -> object:
    """Return the scenario function ``name`` of ``module``."""
    return getattr(importlib.import_module(f"system.scenarios.{module}"), name)
