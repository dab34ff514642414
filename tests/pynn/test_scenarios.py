"""PyNN's own system scenarios run on ``twin.pynn``.

Every scenario either passes or stops with the twin's clear ``UnsupportedError``
naming the feature (plastic or stochastic synapses, current-based or alpha-shaped
cells, AC or noisy current sources, ...); no other error and no wrong value is
acceptable. The
scenarios in :data:`MUST_PASS` use only what the twin emulates and must pass.
"""

import warnings

import pytest

import twin.pynn as sim
from tests.conftest import in_ci
from twin.errors import UnsupportedError

try:
    from tests.pynn.scenarios import scenario, scenarios

    SCENARIOS = scenarios()
    WHY_NOT = ""
except RuntimeError as err:  # PyNN's source distribution could not be fetched
    SCENARIOS, WHY_NOT = [], str(err)

#: Scenarios that use only features the twin emulates.
MUST_PASS = {
    "test__simulation_control::test_run_until",
    "test_cell_types::test_SpikeSourcePoisson",
    "test_cell_types::test_issue511",
    "test_cell_types::test_update_SpikeSourceArray",
    "test_connection_handling::test_connection_access_weight_and_delay",
    "test_connection_handling::test_connections_attribute",
    "test_connectors::test_all_to_all_static_no_self",
    "test_connectors::test_fixed_number_post_no_replacement",
    "test_connectors::test_fixed_number_post_with_replacement",
    "test_connectors::test_fixed_number_pre_no_replacement",
    "test_connectors::test_fixed_number_pre_with_replacement",
    "test_connectors::test_issue309",
    "test_connectors::test_issue622",
    "test_electrodes::test_issue165",
    "test_issue231::test_issue231",
    "test_issue274::test_issue274",
    "test_parameter_handling::test_issue241",
    "test_parameter_handling::test_issue302",
    "test_procedural_api::test_ticket195",
    "test_recording::test_issue259",
    "test_recording::test_record_vm_and_gsyn_from_assembly",
    "test_recording::test_mix_procedural_and_oo",
    "test_recording::test_reset_recording",
    "test_recording::test_sampling_interval",
    "test_scenario1::test_scenario1",
    "test_ticket166::test_ticket166",
}


def test_the_scenarios_are_there():
    if not SCENARIOS:
        if in_ci():
            pytest.fail(f"PyNN's scenarios are needed in CI: {WHY_NOT}")
        pytest.skip(WHY_NOT)
    names = {f"{m}::{f}" for m, f in SCENARIOS}
    assert names >= MUST_PASS


@pytest.mark.parametrize(
    ("module", "name"), SCENARIOS, ids=[f"{m}::{f}" for m, f in SCENARIOS]
)
def test_scenario(module, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # some scenarios write files
    key = f"{module}::{name}"
    error = _outcome(scenario(module, name))
    if key in MUST_PASS:
        assert error is None, f"{key} uses only supported features: {error}"
    elif error is not None:
        assert "twin" in str(error)  # the message says what the twin supports


def _outcome(run):
    """Run a scenario with twin.pynn; return its UnsupportedError, if any."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run(sim)
    except UnsupportedError as err:
        return err
    finally:
        sim.end()
    return None
