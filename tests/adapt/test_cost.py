"""The wafer's own time for a run (twin.hardware.cost), each part by its formula."""

import pytest

from twin import ConfigError
from twin.hardware.cost import (
    COST_ASSUMPTIONS,
    L2_EVENT_BYTES,
    CostAssumptions,
    wafer_cost,
)
from twin.units import SPEEDUP


def test_the_seed_numbers_are_the_defaults():
    # The seed page: "approximately one minute" for the first set-up; speed-up 1e4.
    assert COST_ASSUMPTIONS.first_setup_s == 60.0
    assert COST_ASSUMPTIONS.speedup == SPEEDUP == 1e4
    # An L2 event is 32 bits wide (ESS L2_EVENT_WIDTH).
    assert L2_EVENT_BYTES * 8 == 32


def test_ten_seconds_of_biology_emulate_in_one_millisecond():
    # brunel_bss1.md 1.3: 10 s bio = 1 ms wall; 1 day bio = 8.64 s wall.
    assert wafer_cost(10_000.0).emulation_s == pytest.approx(1e-3)
    assert wafer_cost(86_400e3).emulation_s == pytest.approx(8.64)


def test_each_part_against_its_formula():
    a = CostAssumptions(
        first_setup_s=50.0,
        reconfigure_s=3.0,
        speedup=2e3,
        readout_overhead_s=0.5,
        host_link_bytes_per_s=1e6,
    )
    c = wafer_cost(2000.0, runs=16, setups=2, recorded_spikes=250_000, assumptions=a)
    assert c.configuration_s == pytest.approx(2 * 50.0 + 14 * 3.0)
    assert c.emulation_s == pytest.approx(16 * 2.0 / 2e3)
    assert c.readout_s == pytest.approx(16 * 0.5 + 250_000 * 4 / 1e6)
    assert c.total_s == pytest.approx(c.configuration_s + c.emulation_s + c.readout_s)
    assert (c.runs, c.setups) == (16, 2)


def test_a_sweep_of_new_networks_pays_the_set_up_every_time():
    one = wafer_cost(1000.0)
    many = wafer_cost(1000.0, runs=4, setups=4)
    assert many.configuration_s == pytest.approx(4 * one.configuration_s)
    assert many.total_s == pytest.approx(4 * one.total_s)


def test_the_lines_name_the_numbers():
    text = "\n".join(wafer_cost(1000.0, runs=3).lines())
    assert "3 run(s)" in text
    assert "set-up 60 s" in text
    assert "speed-up 10000" in text


@pytest.mark.parametrize(
    "kwargs",
    [
        {"t_stop": 0.0},
        {"t_stop": 10.0, "runs": 0},
        {"t_stop": 10.0, "runs": 2, "setups": 3},
        {"t_stop": 10.0, "setups": 0},
        {"t_stop": 10.0, "recorded_spikes": -1},
    ],
)
def test_bad_input_is_a_config_error(kwargs):
    with pytest.raises(ConfigError):
        wafer_cost(**kwargs)


def test_bad_assumptions_are_config_errors():
    with pytest.raises(ConfigError, match="speedup"):
        CostAssumptions(speedup=0.0)
    with pytest.raises(ConfigError, match="reconfigure_s"):
        CostAssumptions(reconfigure_s=-1.0)


def test_a_brunel_sweep_sets_up_once_per_realisation_and_member(capsys):
    from experiments.brunel import BrunelConfig
    from experiments.cli.brunel import _print_wafer_cost

    # 2 realisations x 3 points, 2 ensemble members: 12 runs, 4 set-ups.
    configs = [BrunelConfig(seed=s, g=g) for s in (1, 2) for g in (4.0, 6.0, 8.0)]
    _print_wafer_cost(2000.0, configs, 2)
    want = wafer_cost(2000.0, runs=12, setups=4)
    out = capsys.readouterr().out
    assert out.splitlines() == list(want.lines())
    assert want.configuration_s == 4 * 60.0 + 8 * 5.0
