"""The package layering of DESIGN.md, checked in fresh interpreters."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CASES = [
    ("twin", ["jax", "networkx", "pyNN", "nest", "matplotlib"]),
    ("twin.recording", ["jax", "networkx", "pyNN", "nest", "matplotlib"]),
    ("twin.wafer", ["jax", "pyNN", "nest", "matplotlib"]),
    ("twin.routing", ["jax", "pyNN", "nest"]),
    ("twin.hardware", ["jax", "pyNN", "nest", "matplotlib"]),
    ("twin.hardware.cost", ["jax", "pyNN", "nest", "matplotlib"]),
    ("twin.tiers", ["jax", "pyNN", "nest", "matplotlib"]),
    ("twin.stack", ["jax", "networkx", "pyNN", "nest"]),
    # The mean-field theory is numpy and scipy only.
    ("twin.theory", ["jax", "pyNN", "nest", "matplotlib"]),
    # The one tier run composes the emulator with the wafer's model, never PyNN.
    ("twin.tier_run", ["pyNN", "nest", "matplotlib"]),
    # The emulator knows numpy and JAX only, never the wafer's model.
    ("twin.analog", ["networkx", "pyNN", "nest", "twin.hardware", "twin.routing"]),
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
    ("experiments.report.load", ["jax", "pyNN", "nest"]),
    ("experiments.report.outputs", ["jax", "pyNN", "nest"]),
    ("experiments.brunel.plots", ["jax", "pyNN", "nest"]),
    ("experiments.brunel.report", ["jax", "pyNN", "nest"]),
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


def _imported_modules(path):
    """Every module an ``import`` or ``from ... import`` names in a source file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_emulator_sources_import_nothing_of_the_wafer_model():
    """Also under ``TYPE_CHECKING``: twin.analog names no hardware/routing/wafer."""
    root = Path(__file__).resolve().parents[1] / "twin" / "analog"
    bad = sorted(
        f"{path.relative_to(root)}: {name}"
        for path in root.rglob("*.py")
        for name in _imported_modules(path)
        if name.split(".")[:2]
        in (["twin", "hardware"], ["twin", "routing"], ["twin", "wafer"])
    )
    assert bad == []
