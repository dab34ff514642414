"""The package layering of DESIGN.md, checked in fresh interpreters."""

import subprocess
import sys

import pytest

CASES = [
    ("twin", ["jax", "networkx", "pyNN", "nest", "matplotlib"]),
    ("twin.recording", ["jax", "networkx", "pyNN", "nest", "matplotlib"]),
    ("twin.wafer", ["jax", "pyNN", "nest", "matplotlib"]),
    ("twin.routing", ["jax", "pyNN", "nest"]),
    ("twin.hardware", ["jax", "pyNN", "nest", "matplotlib"]),
    ("twin.tiers", ["jax", "pyNN", "nest", "matplotlib"]),
    ("twin.stack", ["jax", "networkx", "pyNN", "nest"]),
    ("twin.analog", ["networkx", "pyNN", "nest"]),
    ("experiments.brunel", ["jax", "pyNN", "nest"]),
    # The NEST path and the results code never load the JAX emulator.
    ("experiments.runs.nest", ["jax"]),
    ("experiments.runs.result", ["jax", "pyNN", "nest"]),
    ("experiments.runs.plan", ["jax", "pyNN", "nest"]),
    ("experiments.runs.store", ["jax", "pyNN", "nest"]),
    ("experiments.runs.table", ["jax", "pyNN", "nest"]),
    ("experiments.report.ensemble", ["jax", "pyNN", "nest"]),
    ("experiments.report.compare", ["jax", "pyNN", "nest"]),
    ("experiments.report.summary", ["jax", "pyNN", "nest"]),
    ("experiments.report.plots", ["jax", "pyNN", "nest"]),
    ("experiments.microcircuit.network", ["jax", "pyNN", "nest"]),
    ("experiments.brunel.seed_network", ["jax", "pyNN", "nest"]),
]


@pytest.mark.parametrize(("module", "forbidden"), CASES)
def test_module_does_not_import_forbidden_packages(module, forbidden):
    code = (
        f"import sys, {module}\n"
        f"bad = [m for m in {forbidden!r} if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_wafer_routing_and_hardware_together_do_not_import_jax():
    code = (
        "import twin.wafer, twin.routing, twin.hardware, twin.tiers, sys; "
        "assert 'jax' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_only_twin_pynn_and_experiments_import_pynn():
    """Every module of ``twin`` outside ``twin.pynn`` imports neither pyNN nor nest."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1] / "twin"
    modules = [
        ".".join(p.relative_to(root.parent).with_suffix("").parts)
        for p in root.rglob("*.py")
        if "pynn" not in p.parts
    ]
    modules = [m.removesuffix(".__init__") for m in modules]
    code = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        "print(','.join(x for x in ('pyNN', 'nest') if x in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


WORKLOADS = ("experiments.brunel", "experiments.microcircuit")


def test_run_and_report_layers_import_no_workload():
    """No module of experiments.runs or experiments.report imports a workload."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1] / "experiments"
    modules = [
        ".".join(p.relative_to(root.parent).with_suffix("").parts)
        for layer in ("runs", "report")
        for p in (root / layer).rglob("*.py")
    ]
    modules = [m.removesuffix(".__init__") for m in modules]
    assert len(modules) >= 10
    code = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        f"print(','.join(m for m in sys.modules if m.startswith({WORKLOADS!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
