"""The bounds of ``twin.cells.CELL_RULES`` against NEST itself, through PyNN.

NEST must reject what the twin rejects and accept what it accepts, on both sides of
every bound NEST checks; the twin's own bound (``tau_m > 0``) is one NEST lacks.
"""

import warnings

import pytest

from tests.test_cells import CASES, EIF, EXTRA, IDS, IF, TWINS, _neighbours
from twin import NetworkError, Population
from twin.cells import CELL_TYPES, SATURATION_DEFAULTS

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # PyNN's and NEST's import-time notices
    import nest
    import pyNN.nest as sim


def _nest_rejects(cell_type, params):
    """Return whether NEST refuses a one-neuron PyNN population with ``params``."""
    standard = {k: v for k, v in params.items() if k not in SATURATION_DEFAULTS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyNN's use of deprecated NEST calls
        # on the grid, pyNN.nest maps IF_curr_exp to iaf_psc_exp (the twin's model)
        sim.setup(timestep=0.1, spike_precision="on_grid")
        try:
            sim.Population(1, getattr(sim, cell_type)(**standard))
        except nest.NESTError:
            return True
    return False


def _twin_rejects(cell_type, params):
    try:
        Population(name="p", size=1, cell_type=cell_type, parameters=params)
    except NetworkError:
        return True
    return False


#: The cases of NEST's own bounds (tau_m > 0 of the conductance-based cells is the
#: twin's: see the test after).
NEST_CASES = [
    case for case in CASES if case[1] != "tau_m" or case[0] not in (IF, EIF, *TWINS)
]


@pytest.mark.parametrize(
    ("cell_type", "name", "pivot"),
    NEST_CASES,
    ids=[i for i, case in zip(IDS, CASES, strict=True) if case in NEST_CASES],
)
def test_nest_rejects_what_the_twin_rejects_and_accepts_the_rest(
    cell_type, name, pivot
):
    extra = EXTRA.get((cell_type, name, pivot), {})
    scale = abs(pivot) if pivot else 1.0
    verdicts = []
    for value in [*_neighbours(pivot), pivot - scale, pivot + scale]:
        params = {**CELL_TYPES[cell_type], **extra, name: float(value)}
        twin = _twin_rejects(cell_type, params)
        assert _nest_rejects(cell_type, params) == twin, value
        verdicts.append(twin)
    assert set(verdicts) == {True, False}  # both sides of the bound were checked


@pytest.mark.parametrize("cell_type", [IF, EIF, *TWINS])
def test_negative_tau_m_is_rejected_by_the_twin_alone(cell_type):
    params = {**CELL_TYPES[cell_type], "tau_m": -5.0}
    assert _twin_rejects(cell_type, params)
    assert not _nest_rejects(cell_type, params)  # NEST does not check g_L
