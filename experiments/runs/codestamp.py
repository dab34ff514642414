"""Which code computed a result: the twin's version and a digest of its source.

A stored point is reused only by the code that computed it (see
:mod:`experiments.runs.store`). The *code stamp* is the package version and a SHA-256
digest of every source file that shapes a result (:data:`SHAPING`): the core modules
(``twin/*.py``), the emulator with its native source (``twin.analog``), the wafer model
(``twin.wafer``), the mapper (``twin.routing``), the hardware transforms
(``twin.hardware``), the workloads (``experiments.brunel``,
``experiments.microcircuit``, less their report, figure and file modules,
:data:`READ_ONLY`) and the run layer (``experiments.runs``). The digest is
taken over the installed files' paths and bytes in sorted order and the versions of
the libraries that compute with them (:data:`DEPENDENCIES`: JAX's random bits and
XLA's arithmetic, numpy, scipy, networkx), once per process (the code a process runs
is the code it imported); a byte or a version changed makes every stored point
stale. NEST's points also name NEST's and PyNN's versions (:func:`simulator_versions`,
part of the store's settings).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import twin

__all__ = [
    "DEPENDENCIES",
    "NEST_DEPENDENCIES",
    "READ_ONLY",
    "SHAPING",
    "SOURCE_SUFFIXES",
    "CodeStamp",
    "code_columns",
    "code_stamp",
    "dependency_versions",
    "package_files",
    "shaping_files",
    "simulator_versions",
    "source_digest",
]

#: The packages whose source shapes a stored result: (package, with subpackages).
#: ``twin`` alone is its top-level modules (not ``twin.pynn``, which no sweep runs).
SHAPING: tuple[tuple[str, bool], ...] = (
    ("twin", False),
    ("twin.analog", True),
    ("twin.wafer", True),
    ("twin.routing", True),
    ("twin.hardware", True),
    ("experiments.brunel", True),
    ("experiments.microcircuit", True),
    ("experiments.runs", True),
)

#: Modules of the workload packages that only read finished results (reports,
#: figures, files written from a sweep's rows): editing them leaves stored points
#: valid. None of them is imported by the run path (a test checks it).
READ_ONLY: frozenset[str] = frozenset(
    {
        "experiments/brunel/compare_figures.py",
        "experiments/brunel/current_based.py",
        "experiments/brunel/io.py",
        "experiments/brunel/outputs.py",
        "experiments/brunel/plots.py",
        "experiments/brunel/report.py",
        "experiments/brunel/seed_files.py",
        "experiments/brunel/stats.py",
        "experiments/brunel/tables.py",
        "experiments/brunel/theory.py",
        "experiments/brunel/wafer_files.py",
        "experiments/microcircuit/compare.py",
        "experiments/microcircuit/outputs.py",
        "experiments/microcircuit/plots.py",
    }
)

#: Distributions whose version shapes the twin's results (random bits, arithmetic,
#: graph algorithms of the mapper).
DEPENDENCIES: tuple[str, ...] = ("jax", "jaxlib", "numpy", "scipy", "networkx")
#: Distributions whose version shapes a NEST result.
NEST_DEPENDENCIES: tuple[str, ...] = ("nest-simulator", "PyNN")

#: Source files by suffix: Python modules and the native delivery's C++ source
#: (compiled libraries and byte code are derived from these, so not hashed).
SOURCE_SUFFIXES = (".py", ".cc", ".h")

#: Hex digits of the digest in a stamp's tag (64 bits: no accidental collisions).
TAG_DIGITS = 16


@dataclass(frozen=True, slots=True)
class CodeStamp:
    """The code that computed a result.

    Attributes
    ----------
    version
        The package version (``twin.__version__``).
    digest
        Hex SHA-256 digest of the source that shapes results (:func:`source_digest`),
        or its first :data:`TAG_DIGITS` digits when read back from a tag.
    """

    version: str
    digest: str

    @property
    def tag(self) -> str:
        """The stamp as a folder name, ``<version>-<digest prefix>``."""
        return f"{self.version}-{self.digest[:TAG_DIGITS]}"

    @classmethod
    def from_tag(cls, tag: str) -> CodeStamp | None:
        """Read a stamp back from :attr:`tag` (``None``: not a stamp's tag)."""
        version, _, digest = tag.rpartition("-")
        hexdigits = set("0123456789abcdef")
        if not version or len(digest) != TAG_DIGITS or not set(digest) <= hexdigits:
            return None
        return cls(version, digest)

    def same_code(self, other: CodeStamp) -> bool:
        """Whether both stamps name the same version and source (tag precision)."""
        return self.tag == other.tag

    def describe(self) -> str:
        """Return e.g. ``twin 0.1.0, source 3f2a...``."""
        return f"twin {self.version}, source {self.digest[:TAG_DIGITS]}"


def package_files(root: Path, name: str, recursive: bool) -> list[tuple[str, Path]]:
    """Return a package folder's source files as (``name/relative/path``, path).

    Parameters
    ----------
    root
        The package's folder.
    name
        Its dotted name (the prefix of the returned names, e.g. ``twin/analog``).
    recursive
        Include the files of its subfolders (``__pycache__`` excepted).

    Returns
    -------
    list of (str, Path)
        Sorted by name; only files with a suffix in :data:`SOURCE_SUFFIXES`.
    """
    prefix = name.replace(".", "/")
    found = root.rglob("*") if recursive else root.glob("*")
    files = [
        (f"{prefix}/{p.relative_to(root).as_posix()}", p)
        for p in found
        if p.is_file()
        and p.suffix in SOURCE_SUFFIXES
        and "__pycache__" not in p.relative_to(root).parts
    ]
    return sorted(files)


def shaping_files() -> list[tuple[str, Path]]:
    """Return the installed source files of :data:`SHAPING`, sorted by name.

    The modules of :data:`READ_ONLY` are left out.

    Returns
    -------
    list of (str, Path)
        ``(name/relative/path, path)`` of each file.

    Raises
    ------
    ConfigError
        If a package of :data:`SHAPING` is not installed as a folder of files.
    """
    from twin.errors import ConfigError

    files = []
    for name, recursive in SHAPING:
        spec = importlib.util.find_spec(name)
        folders = list(spec.submodule_search_locations or []) if spec else []
        if not folders:
            raise ConfigError(
                f"package {name!r} is not installed as a folder of source files; "
                "reinstall the twin (pip install -e .) so stored results can be "
                "matched to the code that computed them"
            )
        files += package_files(Path(folders[0]), name, recursive)
    return sorted(f for f in files if f[0] not in READ_ONLY)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def dependency_versions(
    names: Sequence[str] = DEPENDENCIES,
) -> tuple[tuple[str, str], ...]:
    """Return ``(distribution, installed version or "absent")`` of each of ``names``."""
    return tuple((name, _version(name)) for name in names)


def simulator_versions(backend: str) -> tuple[tuple[str, str], ...]:
    """Return the versions that shape a backend's results beside the twin's code.

    ``nest``: NEST's and PyNN's (:data:`NEST_DEPENDENCIES`); the twin: none (its
    libraries are in the code stamp).
    """
    return dependency_versions(NEST_DEPENDENCIES) if backend == "nest" else ()


def source_digest(
    files: Sequence[tuple[str, Path]], versions: Sequence[tuple[str, str]] = ()
) -> str:
    """Return the hex SHA-256 digest of files' names and bytes, and of versions.

    Parameters
    ----------
    files
        (name, path) pairs, e.g. from :func:`package_files`; sorted here.
    versions
        (distribution, version) pairs, e.g. from :func:`dependency_versions`.

    Returns
    -------
    str
        64 hex digits; changes with any byte, name, added or removed file, and with
        any version.
    """
    digest = hashlib.sha256()
    for name, version in versions:
        digest.update(f"dist\0{name}\0{version}\0".encode())
    for name, path in sorted(files):
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@cache
def _installed_digest() -> str:
    """Return the digest of :func:`shaping_files`, computed once per process."""
    return source_digest(shaping_files(), dependency_versions())


def code_stamp() -> CodeStamp:
    """Return the stamp of the code this process runs (version and source digest).

    Raises
    ------
    ConfigError
        If the source files cannot be found (see :func:`shaping_files`).
    """
    return CodeStamp(str(twin.__version__), _installed_digest())


def code_columns(code: CodeStamp | None) -> dict[str, str | None]:
    """Return a results table's code columns (``None``: not recorded).

    ``code_version`` and ``code_digest`` (the :data:`TAG_DIGITS` digits of a
    stamp's tag) of the code that computed a row's point.
    """
    if code is None:
        return {"code_version": None, "code_digest": None}
    return {"code_version": code.version, "code_digest": code.digest[:TAG_DIGITS]}
