"""Compiling the native delivery library (``deliver.cc``) with the system compiler.

The library is built once per source, JAX version and compiler into a cache folder
(``$TWIN_NATIVE_DIR``, else ``$XDG_CACHE_HOME/twin/native``, else
``~/.cache/twin/native``) and reused; ``make run`` / ``make test`` build it at install
time (``python -m twin.analog.native``), a later first use builds it if it is missing.
The file is written under a temporary name and renamed into place, so concurrent
builds (several worker processes) never load a half-written library.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import jax
import jax.ffi

from twin.errors import ConfigError

__all__ = ["SOURCE", "build", "cache_dir", "compiler", "library_path"]

#: The C++ source of the delivery handlers.
SOURCE = Path(__file__).with_name("deliver.cc")

#: Compiler flags: no fast-math (the additions must round as the reference's do).
FLAGS = ("-O3", "-std=c++17", "-shared", "-fPIC", "-fno-fast-math")


def compiler() -> str | None:
    """Return the C++ compiler to use (``$CXX``, else ``c++``/``g++``), or ``None``."""
    for name in (os.environ.get("CXX"), "c++", "g++", "clang++"):
        if name and shutil.which(name):
            return name
    return None


def cache_dir() -> Path:
    """Return the folder the built libraries live in (see the module docstring)."""
    if os.environ.get("TWIN_NATIVE_DIR"):
        return Path(os.environ["TWIN_NATIVE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "twin" / "native"


def library_path(cxx: str) -> Path:
    """Return where the library for this source, JAX and compiler ``cxx`` lives."""
    digest = hashlib.sha256()
    digest.update(SOURCE.read_bytes())
    digest.update(jax.__version__.encode())
    digest.update(" ".join((cxx, *FLAGS)).encode())
    return cache_dir() / f"libtwin_deliver-{digest.hexdigest()[:16]}.so"


def build(force: bool = False) -> Path:
    """Build the library unless it is there already; return its path.

    Raises
    ------
    ConfigError
        If no C++ compiler is found or compiling fails (the message carries the
        compiler's output); the pure-JAX delivery needs none
        (``SimConfig(delivery="jax")``).
    """
    cxx = compiler()
    if cxx is None:
        raise ConfigError(
            "no C++ compiler found for the native delivery (set CXX or install g++), "
            "or use SimConfig(delivery='jax')"
        )
    path = library_path(cxx)
    if path.exists() and not force:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=path.parent)
    os.close(fd)
    command = [cxx, *FLAGS, f"-I{jax.ffi.include_dir()}", str(SOURCE), "-o", tmp]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ConfigError(
                f"building the native delivery failed ({' '.join(command)}):\n"
                f"{done.stderr.strip()}\nuse SimConfig(delivery='jax') meanwhile"
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
