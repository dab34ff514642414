"""Declared test dependencies are required in CI: a skip for want of one fails there.

A test that needs an optional module skips where the module is missing
(``pytest.importorskip``, or the ``nest`` marker for NEST and ``pyNN.nest``). In CI
(environment variable ``CI=true``) such a skip fails instead when the module belongs
to a *declared* dependency: ``install_requires`` or the ``nest``, ``test`` and
``jobs`` extras of ``setup.cfg`` (what ``make test`` installs), the one list
(:func:`declared_modules`). A module nobody declared (PyNN's scenario that needs
``morphio``) still skips.
"""

from __future__ import annotations

import configparser
import importlib
import os
import re
import warnings
from collections.abc import Collection, Mapping
from pathlib import Path
from types import MappingProxyType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

#: Where the dependencies are declared.
SETUP_CFG = Path(__file__).resolve().parents[1] / "setup.cfg"
#: The extras a CI run installs (``pip install -e '.[nest,test,dev,jobs]'``; dev holds
#: no test dependency).
CI_EXTRAS = ("nest", "test", "jobs")
#: Distributions (canonical names) whose top-level module is named otherwise.
MODULE_OF = MappingProxyType(
    {
        "nest-simulator": "nest",
        "pynn": "pyNN",
        "pytest-xdist": "xdist",
        "hbp-neuromorphic-platform": "nmpi",
    }
)
#: The modules a NEST cross-check (marker ``nest``) needs.
NEST_MODULES = ("nest", "pyNN.nest")
#: What a failure in CI tells the user to do.
REMEDY = (
    "CI=true requires every declared test dependency: "
    "pip install -e '.[nest,test,jobs]'"
)
#: The reason ``pytest.importorskip`` gives; group 1 is the module.
_IMPORT_SKIP = re.compile(r"could not import '([\w.]+)'")


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """Return whether this is a CI run: the environment variable CI is "true"."""
    return environ.get("CI", "").strip().lower() == "true"


def module_of(distribution: str) -> str:
    """Return the top-level module a distribution installs (``PyNN`` -> ``pyNN``)."""
    name = canonicalize_name(distribution)
    return MODULE_OF.get(name, name.replace("-", "_"))


def declared_modules(
    setup_cfg: Path = SETUP_CFG, extras: Collection[str] = CI_EXTRAS
) -> frozenset[str]:
    """Return the top-level modules of ``install_requires`` and ``extras``.

    Parameters
    ----------
    setup_cfg
        The ``setup.cfg`` that declares them.
    extras
        The extras of ``[options.extras_require]`` a CI run installs.

    Returns
    -------
    frozenset of str
        Top-level module names (``nest``, ``pyNN``, ``neo``, ...).

    Raises
    ------
    FileNotFoundError
        If ``setup_cfg`` cannot be read.
    configparser.Error
        If it lacks ``install_requires`` or one of ``extras``.
    """
    parser = configparser.ConfigParser()
    if not parser.read(setup_cfg):
        raise FileNotFoundError(f"cannot read {setup_cfg}")
    lines = parser.get("options", "install_requires").splitlines()
    for extra in extras:
        lines += parser.get("options.extras_require", extra).splitlines()
    return frozenset(module_of(Requirement(s).name) for s in lines if s.strip())


#: The declared modules of this project.
DECLARED = declared_modules()


def nest_import_error() -> str | None:
    """Return why NEST or ``pyNN.nest`` cannot be imported, or None if both can."""
    for name in NEST_MODULES:
        try:
            with warnings.catch_warnings():  # NEST's import-time deprecation notes
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except ImportError as err:
            return f"could not import {name!r}: {err}"
    return None


def require_nest(environ: Mapping[str, str] = os.environ) -> None:
    """Skip the running test if NEST cannot be imported; in CI, fail it instead.

    Raises
    ------
    pytest.fail.Exception
        In CI, if NEST or ``pyNN.nest`` cannot be imported.
    pytest.skip.Exception
        Outside CI, in the same case.
    """
    reason = nest_import_error()
    if reason is None:
        return
    if in_ci(environ):
        pytest.fail(f"{reason}; {REMEDY}", pytrace=False)
    pytest.skip(reason)


def fail_declared_skip_in_ci(
    report: pytest.CollectReport | pytest.TestReport,
    environ: Mapping[str, str] = os.environ,
    declared: Collection[str] = DECLARED,
) -> None:
    """In CI, turn a report skipped for want of a declared module into a failure.

    Parameters
    ----------
    report
        A collection or test report; changed in place.
    environ
        The environment (CI when ``CI=true``).
    declared
        Top-level modules of the declared dependencies (:data:`DECLARED`).
    """
    longrepr = report.longrepr
    if not (report.skipped and isinstance(longrepr, tuple) and in_ci(environ)):
        return
    reason = str(longrepr[2]).removeprefix("Skipped: ")
    missing = _IMPORT_SKIP.match(reason)
    if missing and missing[1].partition(".")[0] in declared:
        report.outcome = "failed"
        report.longrepr = f"{reason}; {REMEDY}"
