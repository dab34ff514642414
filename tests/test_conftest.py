"""NEST cross-checks skip without NEST, except in CI (CI=true), where they fail."""

import sys

import pytest

from tests.conftest import fail_nest_skip_in_ci, in_ci, require_nest

CI = {"CI": "true"}
LOCAL = {"CI": "false"}


@pytest.fixture
def no_nest(monkeypatch):
    """Make ``import nest`` and ``import pyNN.nest`` fail."""
    monkeypatch.setitem(sys.modules, "nest", None)
    monkeypatch.setitem(sys.modules, "pyNN.nest", None)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({"CI": "true"}, True), ({"CI": "TRUE"}, True), ({"CI": "false"}, False),
     ({"CI": "1"}, False), ({}, False)],
)  # fmt: skip
def test_ci_means_ci_true(environ, expected):
    assert in_ci(environ) is expected


@pytest.mark.usefixtures("no_nest")
def test_missing_nest_skips_outside_ci():
    with pytest.raises(pytest.skip.Exception, match="could not import 'nest'"):
        require_nest(LOCAL)


@pytest.mark.usefixtures("no_nest")
def test_missing_nest_fails_in_ci():
    with pytest.raises(pytest.fail.Exception, match=r"'nest'.*CI=true requires NEST"):
        require_nest(CI)


def test_missing_pynn_nest_fails_in_ci(monkeypatch):
    monkeypatch.setitem(sys.modules, "nest", type(sys)("nest"))
    monkeypatch.setitem(sys.modules, "pyNN.nest", None)
    with pytest.raises(pytest.fail.Exception, match=r"'pyNN\.nest'.*CI=true"):
        require_nest(CI)


def test_present_nest_neither_skips_nor_fails(monkeypatch):
    for name in ("nest", "pyNN.nest"):
        monkeypatch.setitem(sys.modules, name, type(sys)(name))
    assert require_nest(CI) is None


def _skipped(reason):
    return pytest.CollectReport(
        "tests/t.py", "skipped", ("tests/t.py", 3, f"Skipped: {reason}"), []
    )


@pytest.mark.parametrize(
    ("reason", "environ", "outcome"),
    [
        ("could not import 'nest': No module named 'nest'", CI, "failed"),
        ("could not import 'pyNN.nest': No module named 'pyNN'", CI, "failed"),
        ("could not import 'nest': No module named 'nest'", LOCAL, "skipped"),
        ("could not import 'neo': No module named 'neo'", CI, "skipped"),
    ],
)
def test_only_nest_import_skips_become_failures_in_ci(reason, environ, outcome):
    report = _skipped(reason)
    fail_nest_skip_in_ci(report, environ)
    assert report.outcome == outcome
    if outcome == "failed":
        assert "CI=true requires NEST" in str(report.longrepr)


@pytest.fixture
def nest_project(pytester):
    """A project using this conftest's hooks, with a module-level and a marked test."""
    pytester.makeini("[pytest]\nmarkers =\n    nest: cross-checks against NEST\n")
    pytester.makeconftest(
        "from tests.conftest import (pytest_make_collect_report,\n"
        "    pytest_runtest_makereport, pytest_runtest_setup)\n"
    )
    pytester.makepyfile(
        test_module_level="import pytest\n"
        "pytest.importorskip('nest')\n\n"
        "def test_a():\n    pass\n",
        test_marked="import pytest\n\n"
        "@pytest.mark.nest\ndef test_b():\n    pass\n\n"
        "def test_c():\n    pytest.importorskip('pyNN.nest')\n",
    )
    return pytester


@pytest.mark.usefixtures("no_nest")
def test_without_nest_the_project_skips_outside_ci(nest_project, monkeypatch):
    monkeypatch.setenv("CI", "false")
    nest_project.runpytest("-p", "no:cacheprovider").assert_outcomes(skipped=3)


@pytest.mark.usefixtures("no_nest")
def test_without_nest_the_project_fails_in_ci(nest_project, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = nest_project.runpytest("-p", "no:cacheprovider", "test_marked.py")
    result.assert_outcomes(errors=1, failed=1)  # the marked test fails in its setup
    result.stdout.fnmatch_lines(
        [
            "FAILED test_marked.py::test_c - could not import 'pyNN.nest'*CI=true*",
            "ERROR test_marked.py::test_b - Failed: could not import 'nest'*CI=true*",
        ]
    )
    result = nest_project.runpytest("-p", "no:cacheprovider", "test_module_level.py")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*could not import 'nest'*CI=true requires NEST*"])
