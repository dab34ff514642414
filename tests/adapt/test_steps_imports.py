"""The adaptation steps stay numpy-only: ``experiments.brunel`` imports their draws.

``experiments.runs.draws`` re-exports :mod:`twin.adapt.draws`, and importing it runs
``twin/adapt/__init__.py``: were the package to import the emulator (jax) or a
simulator, every workload importing the draws would too (``tests/test_layering.py``
forbids it for ``experiments.brunel``).
"""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["twin.adapt", "experiments.brunel2000"])
def test_steps_import_no_emulator_or_simulator(module):
    code = (
        f"import sys, {module}\n"
        "print(','.join(m for m in ('jax', 'pyNN', 'nest') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
