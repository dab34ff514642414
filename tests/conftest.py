"""Shared test configuration: hypothesis profiles, small fixtures and NEST in CI.

NEST cross-checks (marker ``nest``, or a ``pytest.importorskip`` of ``nest`` or
``pyNN.nest``) skip where NEST is not installed; in CI (environment variable
``CI=true``) they fail instead, so a broken NEST install cannot pass CI unnoticed.
"""

import importlib
import os
import re
import warnings
from collections.abc import Mapping

import jax
import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ("pytester",)

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=25)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# 64-bit JAX so that float64 reference runs are possible; the emulator still runs in
# float32 unless a test asks for float64 explicitly.
jax.config.update("jax_enable_x64", True)

#: The modules a NEST cross-check needs.
NEST_MODULES = ("nest", "pyNN.nest")
#: The reason ``pytest.importorskip`` gives for one of them.
_NEST_SKIP = re.compile(r"could not import '(?:nest|pyNN\.nest)'")
_IN_CI = "CI=true requires NEST and PyNN (pip install -e '.[nest]')"


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """Return whether this is a CI run: the environment variable CI is "true"."""
    return environ.get("CI", "").strip().lower() == "true"


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
        pytest.fail(f"{reason}; {_IN_CI}", pytrace=False)
    pytest.skip(reason)


def fail_nest_skip_in_ci(
    report: pytest.CollectReport | pytest.TestReport,
    environ: Mapping[str, str] = os.environ,
) -> None:
    """In CI, turn a report skipped because NEST is missing into a failure."""
    longrepr = report.longrepr
    if not (report.skipped and isinstance(longrepr, tuple) and in_ci(environ)):
        return
    reason = str(longrepr[2]).removeprefix("Skipped: ")
    if _NEST_SKIP.match(reason):
        report.outcome = "failed"
        report.longrepr = f"{reason}; {_IN_CI}"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("nest") is not None:
        require_nest()


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    report = yield
    fail_nest_skip_in_ci(report)  # a module-level importorskip("nest")
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    fail_nest_skip_in_ci(report)  # an importorskip("nest") inside a test
    return report


@pytest.fixture(scope="session")
def perfect_wafer():
    from twin.wafer import Wafer

    return Wafer()
