"""``twin calibrate``: fit the saturation and the inhibitory scale to a wafer sweep.

The unknown numbers of the hardware tier — the saturation conductance ``g_sat`` of the
synaptic inputs (one value for both receptors) and the wafer's effective inhibitory
scale ``inh_scale`` — are fitted to a real sweep in the seed's HDF5 layout. The loss is
the mean squared difference of ``log(1 + rate)`` between the twin's hardware tier and
the wafer over the wafer's points. Search: a log-spaced grid of ``g_sat`` (one batched
emulator call per value and layout, every ``inh_scale`` candidate a variant of the
batch), then a golden-section search between the best grid value's neighbours in log
``g_sat``.
The result is a JSON file that ``twin brunel --calibration FILE`` loads.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from experiments.brunel import BrunelConfig
from experiments.brunel.layout import LAYOUTS, layout_of
from experiments.brunel.workload import BrunelWorkload
from experiments.runs.execute import (
    map_task,
    point_variant,
    recording_link,
    tier_request,
    twin_result,
)
from experiments.runs.plan import MapTask
from twin.errors import ConfigError, ResultsError
from twin.files import atomic_write_text
from twin.hardware import HardwareConfig
from twin.hardware.saturation import Saturation
from twin.routing import WaferMapping
from twin.tier_run import run_tiers
from twin.tiers import HARDWARE, Tier
from twin.wafer import Wafer

__all__ = ["Calibration", "calibrate", "load_calibration", "predicted_rates"]

Point = tuple[float, float]


class Rated(Protocol):
    """A measured point of the target sweep (e.g. a wafer ``Stat`` of the report)."""

    @property
    def rate(self) -> float:
        """Mean rate, Hz."""
        ...


DEFAULT_G_SATS = tuple(np.geomspace(0.02, 1.0, 7))
DEFAULT_INH_SCALES = (0.8, 0.9, 1.0, 1.1, 1.2)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Fitted parameters and the fit's loss.

    Parameters
    ----------
    g_sat
        Saturation conductance of both synaptic inputs, µS.
    inh_scale
        Factor on every inhibitory weight (dimensionless).
    loss
        Mean squared difference of ``log(1 + rate / Hz)`` between the twin's
        hardware tier and the wafer over the wafer's points.
    """

    g_sat: float
    inh_scale: float
    loss: float

    def hardware(self, base: HardwareConfig | None = None) -> HardwareConfig:
        """Return the hardware settings with these parameters.

        Parameters
        ----------
        base
            Settings of every other effect (default: :class:`HardwareConfig`).

        Returns
        -------
        HardwareConfig
            ``base`` with ``Saturation(g_sat, g_sat)`` and ``inh_scale``.

        Raises
        ------
        ConfigError
            If ``g_sat`` or ``inh_scale`` is not > 0.
        """
        return dataclasses.replace(
            base or HardwareConfig(),
            saturation=Saturation(self.g_sat, self.g_sat),
            inh_scale=self.inh_scale,
        )


def predicted_rates(
    base: BrunelConfig,
    points: Sequence[Point],
    hardware: HardwareConfig,
    inh_scales: Sequence[float] = (1.0,),
    wafer: Wafer | None = None,
    mappings: dict[MapTask, WaferMapping] | None = None,
) -> dict[tuple[float, Point], float]:
    """Hardware-tier rates per (inh_scale, point): one batched call per layout.

    Parameters
    ----------
    base
        The realisation (seed, size, times); ``g`` and ``eta`` come from ``points``.
    points
        The (g, eta) points.
    hardware
        Settings of the hardware tier.
    inh_scales
        Factors on the inhibitory weights, each a variant of the same batch.
    wafer
        The wafer to map on (default: a perfect one).
    mappings
        Mappings of earlier calls, reused and added to (the caller owns them).

    Returns
    -------
    dict
        Mean rate (Hz) of the analysed neurons per ``(inh_scale, point)``.

    Raises
    ------
    ConfigError
        If an ``inh_scale`` or a point's ``g`` or ``eta`` is not a finite factor
        >= 0, or the network of ``base`` cannot be drawn (see
        :func:`experiments.brunel.build_network`).
    PlacementError
        If the wafer cannot hold the network (see :func:`twin.routing.map_network`).
    """
    workload = BrunelWorkload()
    mappings = {} if mappings is None else mappings
    tier = Tier(HARDWARE, HARDWARE, hardware)
    out: dict[tuple[float, Point], float] = {}
    for layout in LAYOUTS:
        mine = [p for p in points if layout_of(*p) == layout]
        if not mine:
            continue
        first = base.replace(g=mine[0][0], eta=mine[0][1])
        task = MapTask(workload.realisation(first), HARDWARE, layout, first)
        if task not in mappings:
            mappings[task] = map_task(workload, task, wafer)
        request, _ = tier_request(
            workload, first, tier, layout, wafer=wafer, mapping=mappings[task]
        )
        variants = [(k, p) for k in inh_scales for p in mine]
        configs = [base.replace(g=p[0], eta=p[1]) for _, p in variants]
        run = run_tiers(
            [request],
            workload.sim_config(base),
            [
                dataclasses.replace(point_variant(workload, c), g_scale=k * p[0])
                for (k, p), c in zip(variants, configs, strict=True)
            ],
            links=[recording_link(workload, c, layout) for c in configs],
            capacity_scale=max(p[1] for p in points),
        )
        for v, ((k, p), c) in enumerate(zip(variants, configs, strict=True)):
            result = twin_result(workload, c, layout, run, (v, 0), 0.0)
            out[(k, p)] = result["rate_hz"]
    return out


def _loss(pred: Mapping[Point, float], target: Mapping[Point, Rated]) -> float:
    diff = [np.log1p(pred[p]) - np.log1p(target[p].rate) for p in target]
    return float(np.mean(np.square(diff)))


def calibrate(
    target: Mapping[Point, Rated],
    base: BrunelConfig,
    *,
    g_sats: Sequence[float] = DEFAULT_G_SATS,
    inh_scales: Sequence[float] = DEFAULT_INH_SCALES,
    hardware: HardwareConfig | None = None,
    wafer: Wafer | None = None,
    refine_steps: int = 10,
) -> Calibration:
    """Fit ``g_sat`` and ``inh_scale`` to the wafer's rates ``target``.

    The grid gives a bracket of ``g_sat`` (the best grid value's neighbours); a
    golden-section search of ``refine_steps`` steps in log ``g_sat`` refines it, the
    loss at each ``g_sat`` being the best over the ``inh_scale`` candidates (all of
    them variants of one batched call). The refined ``g_sat`` replaces the best grid
    value only if its loss is lower; the ``inh_scale`` is the best candidate there.
    (Where ``g_sat`` and ``inh_scale`` trade off, the search can settle at a
    neighbouring ``inh_scale`` with a compensating ``g_sat``: the loss surface over
    ``g_sat`` then has one valley per candidate.)

    Parameters
    ----------
    target
        The wafer's statistics per (g, eta) point; the fit uses the mean rates, Hz.
    base
        The realisation the twin runs (seed, size, times).
    g_sats
        Candidate saturation conductances, µS (at least 3, all > 0).
    inh_scales
        Candidate factors on the inhibitory weights (finite, >= 0).
    hardware
        Settings of every other effect of the hardware tier.
    wafer
        The wafer to map on (default: a perfect one).
    refine_steps
        Golden-section steps between the best grid value's neighbours.

    Returns
    -------
    Calibration
        The fitted ``g_sat`` (µS) and ``inh_scale`` and their loss.

    Raises
    ------
    ResultsError
        If ``target`` has no points.
    ConfigError
        If fewer than 3 ``g_sats`` are given or one is not > 0, or an
        ``inh_scale`` is not a finite factor >= 0 (see :func:`predicted_rates`).
    PlacementError
        If the wafer cannot hold the network.
    """
    if not target:
        raise ResultsError("the wafer sweep has no points to fit")
    if len(g_sats) < 3 or any(not g > 0 for g in g_sats):
        raise ConfigError(f"give at least 3 positive g_sat candidates, got {g_sats}")
    hw = hardware or HardwareConfig()
    mappings: dict[MapTask, WaferMapping] = {}
    points = sorted(target)
    grid = np.full((len(g_sats), len(inh_scales)), np.inf)

    def loss_row(g_sat: float) -> list[float]:
        """Loss of every inh_scale at ``g_sat`` (µS)."""
        cal = Calibration(g_sat, 1.0, np.nan)
        pred = predicted_rates(
            base,
            points,
            cal.hardware(hw),
            inh_scales,
            wafer=wafer,
            mappings=mappings,
        )
        return [_loss({p: pred[(k, p)] for p in points}, target) for k in inh_scales]

    for i, g in enumerate(sorted(g_sats)):
        grid[i] = loss_row(float(g))
    i, j = (int(x) for x in np.unravel_index(np.argmin(grid), grid.shape))
    logs = np.log(sorted(g_sats))

    def losses_at(log_g: float) -> list[float]:
        return loss_row(float(np.exp(log_g)))

    lo, hi = logs[max(i - 1, 0)], logs[min(i + 1, len(logs) - 1)]
    best_log, best_loss = _golden(lambda x: min(losses_at(x)), lo, hi, refine_steps)
    if best_loss > grid[i, j]:
        best_log = float(logs[i])
    losses = losses_at(best_log)  # the best inh_scale at the refined g_sat
    jk = int(np.argmin(losses))
    return Calibration(float(np.exp(best_log)), float(inh_scales[jk]), losses[jk])


def _golden(
    f: Callable[[float], float], lo: float, hi: float, steps: int
) -> tuple[float, float]:
    """Golden-section search for a minimum of ``f`` on [lo, hi]; return (x, f(x))."""
    ratio = (np.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(steps):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (c, fc) if fc <= fd else (d, fd)


def save_calibration(cal: Calibration, path: Path) -> Path:
    """Write the calibration file (JSON, atomically).

    Parameters
    ----------
    cal
        The fit.
    path
        The file to write (its folder is created).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    data = {
        "g_sat_E": cal.g_sat,
        "g_sat_I": cal.g_sat,
        "inh_scale": cal.inh_scale,
        "loss": cal.loss,
        "units": "µS",
    }
    return atomic_write_text(path, json.dumps(data, indent=2) + "\n")


def load_calibration(path: str | Path) -> Calibration:
    """Read a calibration file written by :func:`save_calibration`.

    Parameters
    ----------
    path
        The JSON file.

    Returns
    -------
    Calibration
        The fitted parameters (``loss`` NaN if the file has none).

    Raises
    ------
    ConfigError
        If the file is missing, unreadable or lacks ``g_sat_E`` or ``inh_scale``;
        the message names the file and how to write one.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Calibration(
            float(data["g_sat_E"]),
            float(data["inh_scale"]),
            float(data.get("loss", np.nan)),
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ConfigError(
            f"calibration file {str(path)!r} is unreadable ({err!r}); write one with "
            "`twin calibrate --wafer DIR --out FILE`"
        ) from None
