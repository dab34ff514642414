"""Stored points are reused only by the code that computed them.

The store names each point's code (version and source digest); a point of other code
is refused with the folder and the remedy, or reused knowingly with ``reuse_stale``
(a warning, and the results table records the code of every row).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import twin
from experiments.brunel import BrunelConfig
from experiments.brunel.workload import BrunelWorkload, grid
from experiments.runs import codestamp
from experiments.runs.codestamp import (
    DEPENDENCIES,
    NEST_DEPENDENCIES,
    READ_ONLY,
    CodeStamp,
    code_stamp,
    dependency_versions,
    package_files,
    shaping_files,
    source_digest,
)
from experiments.runs.plan import plan
from experiments.runs.store import StaleResultsError, StaleResultsWarning, Store
from experiments.runs.sweep import run_sweep
from experiments.runs.table import TABLE_NAME, read_table
from twin.tiers import tier_list
from twin.wafer import Wafer


def test_the_digest_follows_every_source_byte_and_ignores_derived_files(tmp_path):
    source = Path(twin.__file__).parent / "analog"
    ignore = shutil.ignore_patterns("__pycache__", "*.so")
    copy = Path(shutil.copytree(source, tmp_path / "analog", ignore=ignore))
    installed = package_files(source, "twin.analog", True)
    files = package_files(copy, "twin.analog", True)
    assert [n for n, _ in files] == [n for n, _ in installed]
    before = source_digest(files)
    assert before == source_digest(list(reversed(files)))  # order-free
    # One byte of the native C++ source changes the digest ...
    native = copy / "native" / "deliver.cc"
    data = native.read_bytes()
    native.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert source_digest(package_files(copy, "twin.analog", True)) != before
    native.write_bytes(data)
    assert source_digest(package_files(copy, "twin.analog", True)) == before
    # ... byte code and compiled libraries do not (they derive from the source) ...
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "kernel.cpython-311.pyc").write_bytes(b"\0")
    (copy / "native" / "libdeliver.so").write_bytes(b"\0")
    assert source_digest(package_files(copy, "twin.analog", True)) == before
    # ... a new or renamed module does.
    (copy / "extra.py").write_text("")
    assert source_digest(package_files(copy, "twin.analog", True)) != before
    (copy / "extra.py").unlink()
    (copy / "kernel.py").rename(copy / "kernel2.py")
    assert source_digest(package_files(copy, "twin.analog", True)) != before


def test_the_digest_covers_what_shapes_results_and_only_that():
    names = [n for n, _ in shaping_files()]
    assert names == sorted(set(names))
    for shaping in (
        "twin/tiers.py",
        "twin/network.py",
        "twin/analog/native/deliver.cc",
        "twin/analog/kernel.py",
        "twin/routing/__init__.py",
        "twin/wafer/__init__.py",
        "twin/hardware/__init__.py",
        "experiments/brunel/workload.py",
        "experiments/microcircuit/workload.py",
        "experiments/runs/store.py",
    ):
        assert shaping in names
    for other in ("twin/pynn/", "experiments/cli/", "experiments/report/"):
        assert not any(n.startswith(other) for n in names)
    assert not READ_ONLY & set(names)
    stamp = code_stamp()
    assert stamp == code_stamp()  # once per process
    assert stamp.version == twin.__version__
    assert len(stamp.digest) == 64


def test_the_read_only_modules_exist_and_the_run_path_imports_none():
    """A module left out of the digest can change no stored result: the run path
    (both workloads, execution, the serial and Dask executors) never imports it."""
    root = Path(__file__).resolve().parents[2]
    assert all((root / name).is_file() for name in READ_ONLY)
    modules = sorted(n.removesuffix(".py").replace("/", ".") for n in READ_ONLY)
    code = (
        "import sys\n"
        "import experiments.brunel.workload, experiments.microcircuit.workload\n"
        "import experiments.runs.execute, experiments.runs.sweep\n"
        "import experiments.runs.dask_executor\n"
        f"print(','.join(m for m in {modules!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_a_stamp_reads_back_from_its_folder_name():
    stamp = CodeStamp("0.1.0.dev3+g1a2b", "0123456789abcdef" * 4)
    back = CodeStamp.from_tag(stamp.tag)
    assert back is not None
    assert back.same_code(stamp)
    assert not back.same_code(CodeStamp("0.1.1", stamp.digest))
    for tag in ("points", "0.1.0", "0.1.0-xyz", "-0123456789abcdef"):
        assert CodeStamp.from_tag(tag) is None


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A sweep of one point stored by the running code; its results."""
    out = tmp_path_factory.mktemp("stored")
    points = grid(BrunelConfig.tiny(t_stop=1100.0), gs=(8.0,), etas=(2.0,))
    results = run_sweep(BrunelWorkload(), points, out=out)
    return out, points, results


def _files(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (out / "points").rglob("*.npz")}


def _copy_store(stored, to: Path) -> Path:
    return Path(shutil.copytree(stored[0], to))


def test_the_same_code_reuses_its_points_and_the_table_names_the_code(stored, tmp_path):
    out = _copy_store(stored, tmp_path / "out")
    _, points, first = stored
    files = _files(out)
    (path,) = files
    assert path.parent.name == code_stamp().tag
    again = run_sweep(BrunelWorkload(), points, out=out)
    assert _files(out) == files  # loaded, not computed again
    assert again[0].recording == first[0].recording
    (row,) = read_table(out / TABLE_NAME).rows
    assert row["code_version"] == twin.__version__
    assert code_stamp().digest.startswith(row["code_digest"])


@pytest.mark.parametrize("change", ["version", "source"])
def test_points_of_other_code_are_refused_naming_the_folder_and_remedy(
    stored, tmp_path, monkeypatch, change
):
    out = _copy_store(stored, tmp_path / "out")
    old = code_stamp()
    if change == "version":
        monkeypatch.setattr(twin, "__version__", "99.0.0")
    else:
        monkeypatch.setattr(codestamp, "_installed_digest", lambda: "f" * 64)
    assert not code_stamp().same_code(old)
    files = _files(out)
    with pytest.raises(StaleResultsError) as err:
        run_sweep(BrunelWorkload(), stored[1], out=out)
    text = str(err.value)
    assert str(out) in text
    assert old.describe() in text
    assert code_stamp().describe() in text
    assert "--reuse-stale" in text
    assert str(out / "points") in text
    assert _files(out) == files  # nothing computed or written


def test_reuse_stale_reuses_them_knowingly_and_the_table_keeps_their_code(
    stored, tmp_path, monkeypatch
):
    out = _copy_store(stored, tmp_path / "out")
    old = code_stamp()
    monkeypatch.setattr(twin, "__version__", "99.0.0")
    files = _files(out)
    with pytest.warns(StaleResultsWarning, match=old.describe()):
        again = run_sweep(BrunelWorkload(), stored[1], out=out, reuse_stale=True)
    assert _files(out) == files  # reused, not computed
    assert again[0].recording == stored[2][0].recording
    (row,) = read_table(out / TABLE_NAME).rows
    assert row["code_version"] == old.version != twin.__version__
    assert old.digest.startswith(row["code_digest"])


def test_points_stored_before_the_code_was_recorded_are_stale(stored, tmp_path):
    out = _copy_store(stored, tmp_path / "out")
    (path,) = _files(out)
    flat = path.parent.parent / path.name  # the layout of stores without stamps
    path.rename(flat)
    with pytest.raises(StaleResultsError, match="did not record"):
        run_sweep(BrunelWorkload(), stored[1], out=out)
    with pytest.warns(StaleResultsWarning):
        again = run_sweep(BrunelWorkload(), stored[1], out=out, reuse_stale=True)
    assert again[0].recording == stored[2][0].recording
    (row,) = read_table(out / TABLE_NAME).rows
    assert row["code_version"] is None
    assert row["code_digest"] is None


@pytest.mark.parametrize("command", ["brunel", "nest", "microcircuit"])
def test_the_commands_pass_reuse_stale_and_a_refusal_is_one_line(
    command, monkeypatch, capsys, tmp_path
):
    from experiments.cli import main

    seen = []

    def refuse(*args, **kwargs):
        seen.append(kwargs["reuse_stale"])
        raise StaleResultsError(f"{tmp_path} holds points computed by other code")

    monkeypatch.setattr("experiments.runs.ensemble.run_ensemble", refuse)
    monkeypatch.setattr("experiments.runs.sweep.run_sweep", refuse)
    for flags in ([], ["--reuse-stale"]):
        assert main([command, "--out", str(tmp_path), *flags]) == 2
    assert seen == [False, True]
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        err[-1]
        == f"twin {command}: error: {tmp_path} holds points computed by other code"
    )


def test_the_digest_follows_the_versions_of_the_libraries_that_compute():
    files = package_files(Path(twin.__file__).parent / "analog", "twin.analog", True)
    versions = dependency_versions()
    assert [n for n, _ in versions] == list(DEPENDENCIES)
    assert all(v != "absent" for _, v in versions)  # the twin needs each of them
    before = source_digest(files, versions)
    for k, (name, version) in enumerate(versions):
        bumped = [*versions[:k], (name, version + ".post1"), *versions[k + 1 :]]
        assert source_digest(files, bumped) != before, name


def test_a_nest_point_of_another_nest_or_pynn_is_not_found(monkeypatch, tmp_path):
    """NEST's and PyNN's versions are part of a NEST point's settings, not a twin's."""
    workload = BrunelWorkload()
    points = grid(BrunelConfig.tiny(), gs=(8.0,), etas=(2.0,))
    tiers = tier_list(["ideal"])
    (nest_unit,) = plan(workload, points, tiers, "nest")
    (twin_unit,) = plan(workload, points, tiers)
    store = Store(tmp_path, workload, Wafer())
    monkeypatch.setattr(codestamp, "_version", lambda name: "1.0")
    nest_before = store.path(tiers[0], nest_unit, points[0])
    twin_before = store.path(tiers[0], twin_unit, points[0])
    for bumped in NEST_DEPENDENCIES:
        monkeypatch.setattr(
            codestamp, "_version", lambda name, b=bumped: "2.0" if name == b else "1.0"
        )
        assert store.path(tiers[0], nest_unit, points[0]) != nest_before, bumped
        assert store.path(tiers[0], twin_unit, points[0]) == twin_before
