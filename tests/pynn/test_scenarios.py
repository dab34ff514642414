"""PyNN's own system scenarios run on ``twin.pynn``.

Every scenario is classified by name: it passes (:data:`MUST_PASS`, only what the
twin emulates), or it stops with the twin's clear error naming the first feature
it needs that the twin does not emulate (:data:`MUST_STOP`: plastic or stochastic
synapses, other cells and sources, ...), or PyNN skips
it itself (:data:`SKIPPED_BY_PYNN`). No other error, no wrong value and no
unclassified scenario is acceptable. README's table of the scenarios that stop
is checked against :data:`MUST_STOP`.
"""

import re
import warnings
from pathlib import Path

import pytest

import twin.pynn as sim
from tests.conftest import in_ci
from twin.errors import TwinError, UnsupportedError

try:
    from tests.pynn.scenarios import scenario, scenarios

    SCENARIOS = scenarios()
    WHY_NOT = ""
except RuntimeError as err:  # PyNN's source distribution could not be fetched
    SCENARIOS, WHY_NOT = [], str(err)

README = Path(__file__).resolve().parents[2] / "README.md"

#: Scenarios that use only features the twin emulates (with TsodyksMarkramSynapse:
#: test_all_to_all_tsodyksmarkram, the *_heterogeneous_parameters connectors,
#: test_issue505, test_set_synaptic_parameters_* and test_scenario4).
MUST_PASS = frozenset({
    "test__simulation_control::test_reset",
    "test__simulation_control::test_reset_with_clear",
    "test__simulation_control::test_reset_with_spikes",
    "test__simulation_control::test_run_until",
    "test__simulation_control::test_setup",
    "test_cell_types::test_EIF_cond_alpha_isfa_ista",
    "test_cell_types::test_SpikeSourcePoisson",
    "test_cell_types::test_issue511",
    "test_cell_types::test_update_SpikeSourceArray",
    "test_connection_handling::test_connection_access_weight_and_delay",
    "test_connection_handling::test_connections_attribute",
    "test_connection_handling::test_issue672",
    "test_connectors::test_all_to_all_static_no_self",
    "test_connectors::test_all_to_all_tsodyksmarkram",
    "test_connectors::test_fixed_number_post_no_replacement",
    "test_connectors::test_fixed_number_post_with_replacement",
    "test_connectors::test_fixed_number_post_with_replacement_heterogeneous_parameters",
    "test_connectors::test_fixed_number_pre_no_replacement",
    "test_connectors::test_fixed_number_pre_with_replacement",
    "test_connectors::test_fixed_number_pre_with_replacement_heterogeneous_parameters",
    "test_connectors::test_issue309",
    "test_connectors::test_issue622",
    "test_electrodes::test_changing_electrode",
    "test_electrodes::test_issue165",
    "test_electrodes::test_issue321",
    "test_electrodes::test_issue451",
    "test_electrodes::test_issue483",
    "test_electrodes::test_issue487",
    "test_electrodes::test_issue512",
    "test_electrodes::test_issue759",
    "test_electrodes::test_ticket226",
    "test_issue231::test_issue231",
    "test_issue274::test_issue274",
    "test_parameter_handling::test_issue241",
    "test_parameter_handling::test_issue302",
    "test_parameter_handling::test_issue505",
    "test_parameter_handling::test_set_synaptic_parameters_fully_connected",
    "test_parameter_handling::test_set_synaptic_parameters_multiply_connected",
    "test_parameter_handling::test_set_synaptic_parameters_partially_connected",
    "test_procedural_api::test_ticket195",
    "test_recording::test_issue259",
    "test_recording::test_issue499",
    "test_recording::test_mix_procedural_and_oo",
    "test_recording::test_record_vm_and_gsyn_from_assembly",
    "test_recording::test_record_with_filename",
    "test_recording::test_reset_recording",
    "test_recording::test_sampling_interval",
    "test_scenario1::test_scenario1",
    "test_scenario1::test_scenario1a",
    "test_scenario2::test_scenario2",
    "test_scenario4::test_scenario4",
    "test_ticket166::test_ticket166",
})  # fmt: skip

#: The PyNN feature the twin does not emulate -> the error the twin raises for it
#: and the scenarios that stop at it first.
STOPS_AT: dict[str, tuple[type[TwinError], frozenset[str]]] = {
    "ACSource": (UnsupportedError, frozenset({
        "test_electrodes::test_issue442",
        "test_electrodes::test_issue445",
        "test_electrodes::test_issue497",
        "test_electrodes::test_issue631",
        "test_electrodes::test_issue_465_474_630",
    })),
    "NoisyCurrentSource": (UnsupportedError, frozenset({
        "test_electrodes::test_issue437",
    })),
    "SpikePairRule": (UnsupportedError, frozenset({
        "test_connection_handling::test_issue652",
        "test_scenario3::test_scenario3",
    })),
    "AdExp": (UnsupportedError, frozenset({
        "test_cell_types::test_composed_neuron_model_homogeneous_receptors",
    })),
    "HH_cond_exp": (UnsupportedError, frozenset({
        "test_cell_types::test_HH_cond_exp",
    })),
    "SimpleStochasticSynapse": (UnsupportedError, frozenset({
        "test_synapse_types::test_simple_stochastic_synapse",
    })),
    "SpikeSourceGamma": (UnsupportedError, frozenset({
        "test_cell_types::test_SpikeSourceGamma",
    })),
    "SpikeSourcePoissonRefractory": (UnsupportedError, frozenset({
        "test_cell_types::test_SpikeSourcePoissonRefractory",
    })),
}  # fmt: skip

#: Scenario -> (error class, feature its message names).
MUST_STOP = {
    name: (error, feature)
    for feature, (error, names) in STOPS_AT.items()
    for name in names
}
#: Scenarios PyNN skips itself -> the reason it gives (a multi-compartment scenario
#: PyNN runs on Arbor and NEURON only).
SKIPPED_BY_PYNN = {"test_scenario5::test_scenario5": "morphio not available"}


def test_the_classes_are_disjoint():
    stop_names = [n for _, names in STOPS_AT.values() for n in names]
    assert len(stop_names) == len(set(stop_names))  # one first feature each
    assert not MUST_PASS & set(MUST_STOP)
    assert not (MUST_PASS | set(MUST_STOP)) & set(SKIPPED_BY_PYNN)


def test_every_scenario_is_classified():
    if not SCENARIOS:
        if in_ci():
            pytest.fail(f"PyNN's scenarios are needed in CI: {WHY_NOT}")
        pytest.skip(WHY_NOT)
    names = {f"{m}::{f}" for m, f in SCENARIOS}
    assert names == MUST_PASS | set(MUST_STOP) | set(SKIPPED_BY_PYNN)


def _readme_scenarios():
    """README's numbers of scenarios and its table: scenario -> feature it needs."""
    text = README.read_text()
    counts = re.search(
        r"PyNN's (\d+) system scenarios.*?(\d+) pass, (\d+) stop with that error, "
        r"(\d+) is skipped",
        text,
        re.S,
    )
    assert counts, "README: the scenarios' sentence is missing"
    table = text.split("| needs | scenarios |\n|---|---|\n", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.*) \|$", table, re.M)
    assert len(rows) == len(table.splitlines())  # every row parsed
    needs = {name.strip(" `"): feature for feature, names in rows
             for name in names.split(",")}  # fmt: skip
    return tuple(int(n) for n in counts.groups()), needs


def test_readme_lists_each_scenario_that_stops_by_its_feature():
    counts, needs = _readme_scenarios()
    classes = (MUST_PASS, MUST_STOP, SKIPPED_BY_PYNN)
    assert counts == (sum(len(c) for c in classes), *(len(c) for c in classes))
    assert needs == {name: feature for name, (_, feature) in MUST_STOP.items()}


@pytest.mark.parametrize(
    ("module", "name"), SCENARIOS, ids=[f"{m}::{f}" for m, f in SCENARIOS]
)
def test_scenario(module, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # some scenarios write files
    key = f"{module}::{name}"
    if key in SKIPPED_BY_PYNN:
        with pytest.raises(pytest.skip.Exception, match=SKIPPED_BY_PYNN[key]) as why:
            _outcome(scenario(module, name))
        pytest.skip(str(why.value))
    error = _outcome(scenario(module, name))
    if key in MUST_PASS:
        assert error is None, f"{key} uses only supported features: {error}"
    elif key in MUST_STOP:
        kind, feature = MUST_STOP[key]
        assert error is not None, f"{key} passes: move it to MUST_PASS (and README)"
        assert type(error) is kind, f"{key}: {type(error).__name__}: {error}"
        assert f"{feature} is not available on the BrainScaleS-1 twin" in str(error)
        assert "the twin supports" in str(error)  # ... and what to use instead
    else:
        pytest.fail(f"{key} is a new scenario ({error!r}): classify it")


def _outcome(run):
    """Run a scenario with twin.pynn; return the twin's error it stops with, if any."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run(sim)
    except TwinError as err:
        return err
    finally:
        sim.end()
    return None
