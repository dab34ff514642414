"""Tests skip without an optional module, except in CI (CI=true), where a skip for
want of a declared dependency (setup.cfg) fails (:mod:`tests.ci_requirements`)."""

import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

from tests.ci_requirements import (
    DECLARED,
    declared_modules,
    fail_declared_skip_in_ci,
    in_ci,
    module_of,
    require_nest,
)

CI = {"CI": "true"}
LOCAL = {"CI": "false"}
TESTS = Path(__file__).resolve().parent
IMPORTORSKIP = re.compile(r"importorskip\(\s*[\"']([\w.]+)[\"']")


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


def test_declared_modules_are_install_requires_and_the_ci_extras(tmp_path):
    cfg = tmp_path / "setup.cfg"
    cfg.write_text(
        "[options]\ninstall_requires =\n    numpy>=1.26\n    jaxlib>=0.4\n"
        "[options.extras_require]\nnest =\n    nest-simulator>=3.8\n    PyNN>=0.12\n"
        "test =\n    pytest-xdist>=3.5\n    neo>=0.13\ndev =\n    ruff>=0.6\n"
        "jobs =\n    hbp-neuromorphic-platform>=0.11\n"
    )
    expected = {"numpy", "jaxlib", "nest", "pyNN", "xdist", "neo", "nmpi"}
    assert declared_modules(cfg) == expected  # not ruff: dev is no CI extra


def test_unreadable_setup_cfg_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"setup\.cfg"):
        declared_modules(tmp_path / "setup.cfg")


def test_each_installed_declared_distribution_installs_its_module():
    """``module_of`` names the module pip really installs (where it is installed)."""
    installed = importlib.metadata.packages_distributions()
    for module in DECLARED:
        dists = installed.get(module)
        if dists is not None:
            assert any(module_of(d) == module for d in dists), (module, dists)
    assert {"nest", "pyNN", "neo", "elephant", "quantities"} <= DECLARED


def test_every_importorskip_of_the_suite_is_a_declared_dependency():
    """Else it would skip silently in CI: declare it in setup.cfg (test extra)."""
    found = {
        (path.relative_to(TESTS).as_posix(), name)
        for path in TESTS.rglob("*.py")
        if path.name != "test_conftest.py"
        for name in IMPORTORSKIP.findall(path.read_text())
    }
    assert found  # the pattern still finds them
    undeclared = {(f, n) for f, n in found if n.partition(".")[0] not in DECLARED}
    assert not undeclared


@pytest.mark.usefixtures("no_nest")
def test_missing_nest_skips_outside_ci():
    with pytest.raises(pytest.skip.Exception, match="could not import 'nest'"):
        require_nest(LOCAL)


@pytest.mark.usefixtures("no_nest")
def test_missing_nest_fails_in_ci():
    with pytest.raises(pytest.fail.Exception, match=r"'nest'.*CI=true requires"):
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


@pytest.mark.parametrize("module", ["nest", "pyNN.nest", "pyNN.mock", "neo",
                                    "quantities", "elephant.statistics"])  # fmt: skip
def test_a_declared_module_skip_fails_in_ci_only(module):
    reason = f"could not import {module!r}: No module named {module!r}"
    report = _skipped(reason)
    fail_declared_skip_in_ci(report, LOCAL)
    assert report.outcome == "skipped"
    fail_declared_skip_in_ci(report, CI)
    assert report.outcome == "failed"
    assert str(report.longrepr).startswith(reason)
    assert "CI=true requires every declared test dependency" in str(report.longrepr)


@pytest.mark.parametrize(
    "reason",
    ["could not import 'morphio': No module named 'morphio'",  # declared by nobody
     "needs a GPU"],  # not an import
)  # fmt: skip
def test_other_skips_stay_skips_in_ci(reason):
    report = _skipped(reason)
    fail_declared_skip_in_ci(report, CI)
    assert report.outcome == "skipped"


def test_the_declared_list_is_a_parameter():
    report = _skipped("could not import 'morphio': No module named 'morphio'")
    fail_declared_skip_in_ci(report, CI, declared={"morphio"})
    assert report.outcome == "failed"


@pytest.fixture
def project(pytester, monkeypatch):
    """A project using this conftest's hooks, without NEST, PyNN, Neo and Elephant."""
    for name in ("nest", "pyNN.nest", "pyNN.mock", "neo", "elephant", "morphio"):
        monkeypatch.setitem(sys.modules, name, None)
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
        test_neo_level="import pytest\n"
        "neo = pytest.importorskip('neo')\n\n"
        "def test_d():\n    pass\n",
        test_inside="import pytest\n\n"
        "def test_e():\n    pytest.importorskip('pyNN.mock')\n\n"
        "def test_f():\n    pytest.importorskip('elephant.statistics')\n\n"
        "def test_g():\n    pytest.importorskip('morphio')\n",
    )
    return pytester


def test_without_the_modules_the_project_skips_outside_ci(project, monkeypatch):
    monkeypatch.setenv("CI", "false")
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(skipped=7)


def test_without_the_modules_the_project_fails_in_ci(project, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = project.runpytest("-p", "no:cacheprovider", "test_marked.py")
    result.assert_outcomes(errors=1, failed=1)  # the marked test fails in its setup
    result.stdout.fnmatch_lines(
        [
            "FAILED test_marked.py::test_c - could not import 'pyNN.nest'*CI=true*",
            "ERROR test_marked.py::test_b - Failed: could not import 'nest'*CI=true*",
        ]
    )
    result = project.runpytest("-p", "no:cacheprovider", "test_module_level.py")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*could not import 'nest'*CI=true requires*"])
    result = project.runpytest("-p", "no:cacheprovider", "test_neo_level.py")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*could not import 'neo'*CI=true requires*"])
    result = project.runpytest("-p", "no:cacheprovider", "test_inside.py")
    result.assert_outcomes(failed=2, skipped=1)  # morphio is declared by nobody
    result.stdout.fnmatch_lines(
        [
            "FAILED test_inside.py::test_e - could not import 'pyNN.mock'*CI=true*",
            "FAILED test_inside.py::test_f - could not import 'elephant*CI=true*",
        ]
    )
