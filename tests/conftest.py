"""Shared test configuration: hypothesis profiles, small fixtures and skips in CI.

Tests that need a missing module skip (marker ``nest``, or ``pytest.importorskip``);
in CI (environment variable ``CI=true``) those of a declared dependency (setup.cfg's
``install_requires`` and ``nest``/``test`` extras) fail instead, so a broken install
cannot pass CI unnoticed (:mod:`tests.ci_requirements`).
"""

import os

import jax
import pytest
from hypothesis import HealthCheck, settings

from tests.ci_requirements import fail_declared_skip_in_ci, require_nest
from tests.ci_requirements import in_ci as in_ci  # re-exported for the test modules
from tests.jax_settings import restore_or_fail, snapshot

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


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("nest") is not None:
        require_nest()


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    report = yield
    fail_declared_skip_in_ci(report)  # a module-level importorskip
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    fail_declared_skip_in_ci(report)  # an importorskip inside a test
    return report


@pytest.fixture(autouse=True)
def jax_settings_kept():
    """Fail a test that leaves JAX's settings changed (:mod:`tests.jax_settings`)."""
    before = snapshot()
    yield
    restore_or_fail(before)


@pytest.fixture(scope="session")
def perfect_wafer():
    from twin.wafer import Wafer

    return Wafer()
