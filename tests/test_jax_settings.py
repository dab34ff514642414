"""A test that leaves JAX's global settings changed fails, and they are restored."""

import jax
import pytest

from tests.jax_settings import GUARDED, changed, snapshot


def test_the_suite_runs_with_64_bit_jax():
    assert jax.config.read("jax_enable_x64") is True  # tests/conftest.py


def test_only_changed_settings_are_reported():
    before = snapshot()
    assert changed(before, before) == {}
    after = {**before, "jax_enable_x64": not before["jax_enable_x64"]}
    assert changed(before, after) == {
        "jax_enable_x64": (before["jax_enable_x64"], after["jax_enable_x64"])
    }
    assert set(before) == set(GUARDED)


@pytest.fixture
def project(pytester):
    """A project with the suite's guard and three tests that change a setting."""
    pytester.makeconftest("from tests.conftest import jax_settings_kept\n")
    pytester.makepyfile(
        test_settings="""
import jax
import pytest

def test_leaves_x64_off():
    jax.config.update("jax_enable_x64", False)

def test_leaves_threefry_changed():
    jax.config.update("jax_threefry_partitionable", False)

@pytest.fixture
def x64_off():
    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", False)
    yield
    jax.config.update("jax_enable_x64", before)

@pytest.mark.usefixtures("x64_off")
def test_restores_what_it_changes():
    assert jax.config.read("jax_enable_x64") is False

def test_sees_the_settings_restored():
    assert jax.config.read("jax_enable_x64") is True
    assert jax.config.jax_threefry_partitionable is True
"""
    )
    return pytester


def test_a_test_leaving_a_setting_changed_fails_and_later_tests_see_it_restored(
    project,
):
    before = snapshot()
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_x64_off*",
            "the test left JAX's global settings changed: jax_enable_x64 = False "
            "(found True); restore what it changes*",
            "*ERROR at teardown of test_leaves_threefry_changed*",
            "*jax_threefry_partitionable = False (found True)*",
        ]
    )
    assert snapshot() == before
