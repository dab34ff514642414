"""The seed page as a notebook: ``examples/random_network.py`` and its ``.ipynb``.

The two files are one notebook paired by jupytext (the ``.py`` in percent format is
the one to edit and review); the documentation site executes the ``.ipynb``
(``make docs``), so these tests only check that the pair has not drifted apart.
"""

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PY = EXAMPLES / "random_network.py"
IPYNB = EXAMPLES / "random_network.ipynb"
REMEDY = "run: jupytext --sync examples/random_network.py"


def _cells(path: Path) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in jupytext.read(path).cells]


def test_py_and_ipynb_hold_the_same_cells() -> None:
    py, ipynb = _cells(PY), _cells(IPYNB)
    assert len(py) == len(ipynb), REMEDY
    for k, (a, b) in enumerate(zip(py, ipynb, strict=True)):
        assert a == b, f"cell {k} differs; {REMEDY}"


def test_both_files_declare_the_pairing() -> None:
    for path in (PY, IPYNB):
        formats = jupytext.read(path).metadata["jupytext"]["formats"]
        assert formats == "ipynb,py:percent", path.name


def test_ipynb_is_stored_without_outputs() -> None:
    # The site executes the notebook; outputs in the repository would be stale.
    cells = jupytext.read(IPYNB).cells
    code = [c for c in cells if c.cell_type == "code"]
    assert code, "the notebook has no code cells"
    assert all(not c.outputs and c.execution_count is None for c in code)
