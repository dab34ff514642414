"""The package layering of DESIGN.md, checked in fresh interpreters."""

import subprocess
import sys

import pytest

CASES = [
    ("twin", ["jax", "networkx", "pyNN", "nest", "matplotlib"]),
    ("twin.wafer", ["jax", "pyNN", "nest", "matplotlib"]),
    ("twin.routing", ["jax", "pyNN", "nest"]),
    ("twin.analog", ["networkx", "pyNN", "nest"]),
    ("experiments.brunel", ["jax", "pyNN", "nest"]),
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


def test_wafer_and_routing_together_do_not_import_jax():
    code = "import twin.wafer, twin.routing, sys; assert 'jax' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
