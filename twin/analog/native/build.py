"""Compiling the native library (``deliver.cc``, ``step.cc``) with the system compiler.

The library is built once per :func:`build_identity` (the source, JAX and jaxlib
versions, the machine's architecture and system, the compiler, its version and its
flags, and the CPU model and features if a flag tunes the code to the building CPU)
into a cache folder (``$TWIN_NATIVE_DIR``, else ``$XDG_CACHE_HOME/twin/native``, else
``~/.cache/twin/native``) and reused, so hosts of a cluster sharing a home folder
never load one another's builds; ``make run`` / ``make test`` build it at install
time (``python -m twin.analog.native``), a later first use builds it if it is missing.
The file is written under a temporary name and renamed into place, so concurrent
builds (several worker processes) never load a half-written library.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

import jax
import jaxlib

from twin.analog.native.ffi import ffi
from twin.errors import ConfigError

__all__ = [
    "SOURCES",
    "build",
    "build_identity",
    "cache_dir",
    "compiler",
    "compiler_version",
    "cpu_model",
    "library_path",
]

#: The C++ sources of the handlers: the event delivery and a block's steps.
SOURCES = (Path(__file__).with_name("deliver.cc"), Path(__file__).with_name("step.cc"))

#: Compiler flags: no fast-math and no contraction into fused multiply-adds (the
#: arithmetic must round as the reference's does, operation by operation).
FLAGS = (
    "-O3",
    "-std=c++17",
    "-shared",
    "-fPIC",
    "-fno-fast-math",
    "-ffp-contract=off",
)

#: Flags whose code depends on the building CPU (none of :data:`FLAGS` today): with
#: one of them, the CPU model and features are part of the build's identity.
CPU_TUNING = ("-march=native", "-mtune=native", "-mcpu=native")


def compiler() -> str | None:
    """Return the C++ compiler to use (``$CXX``, else ``c++``/``g++``), or ``None``."""
    for name in (os.environ.get("CXX"), "c++", "g++", "clang++"):
        if name and shutil.which(name):
            return name
    return None


def compiler_version(cxx: str) -> str:
    """Return what ``cxx --version`` prints (stdout and stderr; empty if it fails)."""
    try:
        done = subprocess.run(
            [cxx, "--version"], capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return (done.stdout + done.stderr).strip()


def cpu_model() -> str:
    """Return the CPU's model and feature flags (Linux), else its processor name."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor()
    first = text.split("\n\n", 1)[0].splitlines()  # the first processor
    keys = ("model name", "flags", "Features", "CPU implementer", "CPU part")
    return "\n".join(line for line in first if line.split(":")[0].strip() in keys)


def build_identity(cxx: str) -> tuple[tuple[str, str], ...]:
    """Return everything a build of the library depends on, as ``(name, value)`` pairs.

    Parameters
    ----------
    cxx
        The compiler.

    Returns
    -------
    tuple of (str, str)
        Each source's SHA-256, the JAX and jaxlib versions, ``platform.machine()`` and
        ``platform.system()``, the compiler, its ``--version`` output and the flags,
        and (only if a flag is one of :data:`CPU_TUNING`) :func:`cpu_model`.
    """
    parts = [
        *(
            (f"source {src.name}", hashlib.sha256(src.read_bytes()).hexdigest())
            for src in SOURCES
        ),
        ("jax", jax.__version__),
        ("jaxlib", jaxlib.__version__),
        ("machine", platform.machine()),
        ("system", platform.system()),
        ("compiler", cxx),
        ("compiler version", compiler_version(cxx)),
        ("flags", " ".join(FLAGS)),
    ]
    if any(flag in CPU_TUNING for flag in FLAGS):
        parts.append(("cpu", cpu_model()))
    return tuple(parts)


def cache_dir() -> Path:
    """Return the folder the built libraries live in (see the module docstring)."""
    if os.environ.get("TWIN_NATIVE_DIR"):
        return Path(os.environ["TWIN_NATIVE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "twin" / "native"


def library_path(cxx: str) -> Path:
    """Return where the library built by ``cxx`` on this host lives.

    The name carries a digest of :func:`build_identity`: a change of any of its
    parts names another file.
    """
    digest = hashlib.sha256(repr(build_identity(cxx)).encode())
    return cache_dir() / f"libtwin_deliver-{digest.hexdigest()[:16]}.so"


def build(force: bool = False) -> Path:
    """Build the library unless it is there already; return its path.

    Raises
    ------
    ConfigError
        If this JAX has no ``jax.ffi`` (its headers are needed), no C++ compiler is
        found or compiling fails (the message carries the compiler's output); the
        pure-JAX delivery needs none (``SimConfig(delivery="jax")``).
    """
    include = ffi().include_dir()
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
    command = [cxx, *FLAGS, f"-I{include}", *map(str, SOURCES), "-o", tmp]
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
