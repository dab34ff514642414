"""Parameter bounds of the standard cell types: the twin rejects what NEST rejects.

The oracle below writes out the checks of NEST 3.10's ``Parameters_::set`` of
``iaf_cond_exp`` and ``aeif_cond_exp`` in PyNN names, independently of
``twin.cells.CELL_RULES``; the twin adds one bound of its own, ``tau_m > 0``.
"""

import math
import re
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin import NetworkError, Population
from twin.cells import CELL_RULES, CELL_TYPES

IF, EIF = "IF_cond_exp", "EIF_cond_exp_isfa_ista"
CURR_EXP, CURR_ALPHA = "IF_curr_exp", "IF_curr_alpha"
IF_ALPHA, EIF_ALPHA = "IF_cond_alpha", "EIF_cond_alpha_isfa_ista"
#: The alpha-conductance cells: the bounds of their exponential twins (NEST's
#: iaf_cond_alpha / aeif_cond_alpha check the same).
TWINS = {IF_ALPHA: IF, EIF_ALPHA: EIF}
IF_DEFAULTS, EIF_DEFAULTS = CELL_TYPES[IF], CELL_TYPES[EIF]
#: aeif_cond_exp: max_exp_arg = std::log(std::numeric_limits<double>::max() / 1e20).
NEST_MAX_EXP_ARG = math.log(sys.float_info.max / 1e20)


def nest_accepts(cell_type, p):
    """NEST's checks (PyNN names): True when NEST accepts the parameter set."""
    if not (
        p["cm"] > 0
        and p["tau_refrac"] >= 0
        and p["tau_syn_E"] > 0
        and p["tau_syn_I"] > 0
    ):
        return False
    if cell_type in (CURR_EXP, CURR_ALPHA):  # iaf_psc_exp/alpha check tau_m too
        return p["v_reset"] < p["v_thresh"] and p["tau_m"] > 0
    if cell_type in (IF, IF_ALPHA):
        return p["v_reset"] < p["v_thresh"]
    delta, spike, thresh = (float(p[k]) for k in ("delta_T", "v_spike", "v_thresh"))
    overflow = delta > 0 and (spike - thresh) / delta >= NEST_MAX_EXP_ARG
    return (
        spike >= thresh
        and delta >= 0
        and not overflow
        and p["v_reset"] < spike
        and p["tau_w"] > 0
    )


def twin_accepts(cell_type, p):
    """The twin: NEST's checks plus a positive membrane time constant (which NEST
    checks itself for the current-based cells)."""
    return nest_accepts(cell_type, p) and p["tau_m"] > 0


def _eif_overflow_delta():
    """delta_T at which (v_spike - v_thresh) / delta_T reaches NEST's bound."""
    return (EIF_DEFAULTS["v_spike"] - EIF_DEFAULTS["v_thresh"]) / NEST_MAX_EXP_ARG


#: (cell type, parameter varied, the value at which some bound switches).
CASES = [
    (IF, "v_reset", IF_DEFAULTS["v_thresh"]),
    (IF, "v_thresh", IF_DEFAULTS["v_reset"]),
    (IF, "cm", 0.0),
    (IF, "tau_refrac", 0.0),
    (IF, "tau_syn_E", 0.0),
    (IF, "tau_syn_I", 0.0),
    (IF, "tau_m", 0.0),
    (EIF, "v_spike", EIF_DEFAULTS["v_thresh"]),
    (EIF, "v_thresh", EIF_DEFAULTS["v_spike"]),
    (EIF, "delta_T", 0.0),
    (EIF, "delta_T", _eif_overflow_delta()),
    (EIF, "v_spike", EIF_DEFAULTS["v_thresh"] + NEST_MAX_EXP_ARG * 0.01),
    (EIF, "v_reset", EIF_DEFAULTS["v_spike"]),
    (EIF, "cm", 0.0),
    (EIF, "tau_refrac", 0.0),
    (EIF, "tau_syn_E", 0.0),
    (EIF, "tau_syn_I", 0.0),
    (EIF, "tau_w", 0.0),
    (EIF, "tau_m", 0.0),
    *(
        (cell, name, pivot)
        for cell in (CURR_EXP, CURR_ALPHA)
        for name, pivot in (
            ("v_reset", CELL_TYPES[cell]["v_thresh"]),
            ("v_thresh", CELL_TYPES[cell]["v_reset"]),
            ("cm", 0.0),
            ("tau_m", 0.0),
            ("tau_syn_E", 0.0),
            ("tau_syn_I", 0.0),
            ("tau_refrac", 0.0),
        )
    ),
]
CASES += [  # the alpha-conductance cells: the cases of their exponential twins
    (alpha, name, pivot)
    for alpha, twin in TWINS.items()
    for cell, name, pivot in list(CASES)
    if cell == twin
]
#: Other parameters of a case (the varied one: its value at the other neurons). The
#: overflow case near v_spike needs a small delta_T to reach the bound.
EXTRA = {
    (cell, "v_spike", CASES[11][2]): {
        "delta_T": 0.01,
        "v_spike": EIF_DEFAULTS["v_thresh"] + 1.0,
    }
    for cell in (EIF, EIF_ALPHA)
}
IDS = [f"{c}-{n}-{p:g}" for c, n, p in CASES]


def _neighbours(pivot):
    """The pivot and the floats just below and above it."""
    return [np.nextafter(pivot, -np.inf), pivot, np.nextafter(pivot, np.inf)]


def _near(pivot):
    """Values on both sides of ``pivot``: its neighbours and a band around it."""
    scale = abs(pivot) if pivot else 10.0
    band = st.floats(pivot - scale, pivot + scale, allow_nan=False)
    return st.one_of(st.sampled_from(_neighbours(pivot)), band)


def _check(cell_type, name, value, extra, size=1, index=0):
    """Build a population with ``name`` = ``value`` at ``index``; compare the oracle.

    Returns whether the twin accepted it.
    """
    base = {**CELL_TYPES[cell_type], **extra}
    assert twin_accepts(cell_type, base)  # the other neurons are valid
    column = np.full(size, base[name])
    column[index] = value
    params = {**extra, name: column}
    single = {**base, name: value}
    if twin_accepts(cell_type, single):
        pop = Population(name="p", size=size, cell_type=cell_type, parameters=params)
        assert pop.parameters[name][index] == value
        return True
    with pytest.raises(NetworkError) as err:
        Population(name="p", size=size, cell_type=cell_type, parameters=params)
    msg = str(err.value)
    assert msg.startswith("population 'p': ")
    assert f"[{index}] = " in msg  # the first bad neuron
    assert name in msg  # the varied parameter is the one named, or its bound
    assert "; give " in msg  # the remedy
    return False


@pytest.mark.parametrize(("cell_type", "name", "pivot"), CASES, ids=IDS)
def test_both_sides_of_each_bound(cell_type, name, pivot):
    extra = EXTRA.get((cell_type, name, pivot), {})
    outcomes = {_check(cell_type, name, v, extra) for v in _neighbours(pivot)}
    assert outcomes == {True, False}  # the bound switches at the pivot


@pytest.mark.parametrize(("cell_type", "name", "pivot"), CASES, ids=IDS)
@given(data=st.data())
def test_twin_accepts_exactly_what_nest_and_tau_m_allow(cell_type, name, pivot, data):
    extra = EXTRA.get((cell_type, name, pivot), {})
    value = data.draw(_near(pivot), label="value")
    size = data.draw(st.integers(1, 5), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    _check(cell_type, name, value, extra, size, index)


@given(
    size=st.integers(2, 6),
    bad=st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True),
)
def test_error_names_the_first_bad_neuron_and_its_value(size, bad):
    bad = sorted(i for i in bad if i < size) or [size - 1]
    cm = np.ones(size)
    cm[bad] = -0.5
    with pytest.raises(NetworkError) as err:
        Population(name="exc", size=size, parameters={"cm": cm})
    msg = str(err.value)
    assert re.search(rf"^population 'exc': cm\[{bad[0]}\] = -0\.5 nF must be > 0", msg)
    assert "give cm > 0 for every neuron" in msg


def test_every_rule_names_a_parameter_of_its_cell_type():
    for cell_type, rules in CELL_RULES.items():
        assert rules
        for rule in rules:
            assert rule.parameter in CELL_TYPES[cell_type]
            limit = getattr(rule, "limit", None)
            if isinstance(limit, str):
                assert limit in CELL_TYPES[cell_type]


def test_tau_m_is_the_only_rule_nest_lacks():
    twin_only = {
        (c, r.parameter) for c, rules in CELL_RULES.items() for r in rules if not r.nest
    }
    assert twin_only == {(c, "tau_m") for c in (IF, EIF, IF_ALPHA, EIF_ALPHA)}
