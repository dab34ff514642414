"""``twin calibrate`` recovers the saturation and inhibitory scale it was given."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel import calibrate as calibrate_module
from experiments.brunel.calibrate import calibrate, load_calibration, save_calibration
from experiments.brunel.layout import SEED_FILE_NEURONS
from experiments.brunel.seed_files import write_seed_files
from experiments.brunel.wafer_files import load_wafer
from experiments.brunel.workload import grid
from experiments.brunel.workload import sweep as run_sweep
from twin.errors import ConfigError
from twin.hardware import HardwareConfig
from twin.hardware.saturation import Saturation
from twin.tiers import tier_list

# The planted values and candidate grids of the emulated fit: 5 g_sat values in steps
# of 2x and 3 inh_scale values, each planted value with wrong neighbours on both sides.
G_SATS = (0.0075, 0.015, 0.03, 0.06, 0.12)  # µS
TRUE_G_SAT = G_SATS[2]
INH_SCALES = (1.0, 1.5, 2.25)
TRUE_INH_SCALE = INH_SCALES[1]


def test_calibrate_recovers_a_known_saturation_and_inhibitory_scale(tmp_path):
    base = BrunelConfig.tiny(t_stop=1100.0)
    truth = HardwareConfig(
        saturation=Saturation(TRUE_G_SAT, TRUE_G_SAT), inh_scale=TRUE_INH_SCALE
    )
    points = grid(base, gs=(4.0, 8.0), etas=(0.8, 2.4))
    wafer = run_sweep(points, tiers=tier_list(["hardware"], hardware=truth))
    write_seed_files(wafer, tmp_path, base.n_exc, base.n_inh, SEED_FILE_NEURONS)
    target = load_wafer(tmp_path)
    assert len(target) == 4
    cal = calibrate(target, base, g_sats=G_SATS, inh_scales=INH_SCALES)
    # In this 250-neuron network the inhibitory input is deep in saturation at this
    # g_sat, so between grid values of g_sat a neighbouring inh_scale with a slightly
    # different g_sat fits the 4 points almost as well as the truth. The planted g_sat
    # therefore sits on the grid: there the truth is the best grid cell (its rates are
    # reproduced), the fit never returns a worse loss than its best grid cell, and at
    # the planted g_sat both neighbouring inh_scales miss the rates. Anything but the
    # planted inh_scale is a wrong answer.
    assert cal.inh_scale == TRUE_INH_SCALE
    # g_sat: within 10 % (the golden-section search may move off the grid value
    # within the valley of the planted inh_scale).
    assert cal.g_sat == pytest.approx(TRUE_G_SAT, rel=0.10)
    path = save_calibration(cal, tmp_path / "cal.json")
    assert json.loads(path.read_text())["g_sat_E"] == pytest.approx(cal.g_sat)
    again = load_calibration(path)
    assert again.hardware().saturation == Saturation(cal.g_sat, cal.g_sat)
    assert again.inh_scale == TRUE_INH_SCALE


def _model_rate(g_sat, inh_scale, point):
    """A smooth stand-in for the emulator: Hz, rising with g_sat, falling with g."""
    g, eta = point
    return 40.0 * eta * np.sqrt(g_sat / 0.05) * np.exp(-inh_scale * g / 8.0)


def test_fit_refines_g_sat_between_grid_values_and_picks_the_inh_scale(monkeypatch):
    # The fit's search alone, on a rate model where g_sat sets the level and
    # inh_scale the ratio between g = 4 and g = 8 (so neither can stand in for the
    # other): the planted g_sat lies between grid values, the planted inh_scale has
    # wrong neighbours on both sides.
    def predicted(base, points, hardware, inh_scales=(1.0,), **_):
        g_sat = hardware.saturation.g_sat_e
        return {(k, p): _model_rate(g_sat, k, p) for k in inh_scales for p in points}

    monkeypatch.setattr(calibrate_module, "predicted_rates", predicted)
    points = [(g, eta) for g in (4.0, 8.0) for eta in (0.8, 2.4)]
    target = {p: SimpleNamespace(rate=_model_rate(0.05, 1.5, p)) for p in points}
    cal = calibrate(
        target,
        BrunelConfig.tiny(),
        g_sats=(0.01, 0.02, 0.04, 0.08, 0.16),
        inh_scales=(1.0, 1.5, 2.25),
    )
    assert cal.inh_scale == 1.5
    # 10 golden-section steps shrink the bracket [0.02, 0.08] to 1.1 % in log g_sat.
    assert cal.g_sat == pytest.approx(0.05, rel=0.02)
    assert cal.loss < 1e-4


def test_unreadable_calibration_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="twin calibrate"):
        load_calibration(bad)
