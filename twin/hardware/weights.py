"""4-bit synaptic weights with a per-row gmax choice and stochastic rounding.

A weight w (µS, bio) becomes the hardware conductance ``w * scale`` (nS) with
``scale = 1000 * speedup * C_hw / C_bio`` (C_hw: the logical neuron's capacitance, the
sum over its denmems; marocco ``weight_scale_array``). A synapse row can realise the
16 conductances ``f * g_cal(k)``, k = 0..15, where ``g_cal`` is calibtic's default
synapse calibration ``93.94 + 81.34 k - 1.597 k**2`` nS (V_gmax 500, gmax_div 11) and
``f = 11 / gmax_div`` the row's scale (gmax_div 2..30, one per row). Digital weight 0
switches the synapse off (0 nS). Per row the smallest scale whose top level holds the
row's largest weight is chosen (the largest scale if none does: the excess is clipped);
each weight then rounds stochastically to one of its two neighbouring levels with the
probability that keeps its mean (marocco's stochastic rounding). The realised weight is
the chosen level over ``scale``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from twin.errors import ConfigError
from twin.units import SPEEDUP

__all__ = [
    "C_BIG_PF",
    "C_SMALL_PF",
    "WeightReport",
    "calibration_levels",
    "quantise_weights",
    "weight_scale",
]

C_BIG_PF: Final = 2.16456  # big capacitor of one denmem, pF [calibtic]
C_SMALL_PF: Final = 0.1642  # small capacitor, pF [calibtic]
_CAL: Final = (93.94, 81.34, -1.597)  # nS: g(k) = c0 + c1 k + c2 k^2 [calibtic default]
_DIVS: Final = np.arange(2, 31)  # gmax_div range [guidebook: 2..30]


def calibration_levels(gmax_div: int | np.ndarray = 11) -> np.ndarray:
    """Return the 16 conductances (nS, hw) of a row, level 0 = off.

    Examples
    --------
    >>> calibration_levels()[[0, 1, 15]].round(2).tolist()
    [0.0, 173.68, 954.72]
    """
    k = np.arange(16.0)
    g = _CAL[0] + _CAL[1] * k + _CAL[2] * k**2
    g[0] = 0.0
    f = 11.0 / np.asarray(gmax_div, dtype=float)
    return np.multiply.outer(f, g) if np.ndim(f) else f * g


def weight_scale(
    cm_nf: np.ndarray, neuron_size: int, big_cap: bool = True
) -> np.ndarray:
    """Return nS (hw) per µS (bio): ``1000 * speedup * C_hw / C_bio``."""
    c_hw_nf = neuron_size * (C_BIG_PF if big_cap else C_SMALL_PF) * 1e-3
    return 1000.0 * SPEEDUP * c_hw_nf / np.asarray(cm_nf, dtype=float)


@dataclass(frozen=True, slots=True)
class WeightReport:
    """Outcome of the quantisation of one set of synapses."""

    n_synapses: int
    n_rows: int
    clipped: int  # weights above the chosen row's top level
    zeroed: int  # non-zero weights rounded to level 0 (synapse off)
    mean_relative_error: float  # mean |realised - requested| / requested


def quantise_weights(
    weight: np.ndarray, scale: np.ndarray, row: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, WeightReport]:
    """Realise bio weights (µS) on 4-bit synapses; return them (µS) and a report.

    Parameters
    ----------
    weight
        Requested weights, µS, >= 0.
    scale
        nS (hw) per µS (bio) of each synapse's target neuron (:func:`weight_scale`).
    row
        Row id of every synapse: synapses with the same id share one gmax choice.
    rng
        Source of the stochastic rounding.

    Raises
    ------
    ConfigError
        If a weight is negative.
    """
    weight = np.asarray(weight, dtype=float)
    if (weight < 0).any():
        raise ConfigError("weights must be >= 0 µS (the receptor gives the sign)")
    hw = weight * scale
    if hw.size == 0:
        return weight.copy(), WeightReport(0, 0, 0, 0, 0.0)
    rows, inverse = np.unique(row, return_inverse=True)
    row_max = np.zeros(rows.size)
    np.maximum.at(row_max, inverse, hw)
    tops = calibration_levels(_DIVS)[:, 15]  # decreasing with div
    fits = tops[None, :] >= row_max[:, None]
    # smallest top that holds the row maximum = the largest fitting div
    best = np.where(
        fits.any(axis=1), fits.shape[1] - 1 - np.argmax(fits[:, ::-1], 1), 0
    )
    levels = calibration_levels(_DIVS[best])[inverse]  # (n, 16)
    clipped_mask = hw > levels[:, 15]
    target = np.minimum(hw, levels[:, 15])
    upper = np.clip((levels < target[:, None]).sum(axis=1), 1, 15)
    lo = np.take_along_axis(levels, (upper - 1)[:, None], 1)[:, 0]
    hi = np.take_along_axis(levels, upper[:, None], 1)[:, 0]
    p_up = (target - lo) / (hi - lo)
    chosen = np.where(rng.random(hw.size) < p_up, hi, lo)
    realised = chosen / scale
    nonzero = weight > 0
    report = WeightReport(
        n_synapses=int(hw.size),
        n_rows=int(rows.size),
        clipped=int(clipped_mask.sum()),
        zeroed=int((nonzero & (chosen == 0)).sum()),
        mean_relative_error=float(
            np.mean(np.abs(realised[nonzero] - weight[nonzero]) / weight[nonzero])
        )
        if nonzero.any()
        else 0.0,
    )
    return realised, report
