"""Batched runs of one network at points and weight factors, for the fit and the ladder.

A :class:`Point` moves a network as the twin's batched runs do (inhibitory weights ×
``g_scale``, Poisson rates × ``rate_scale``, :class:`twin.tier_inputs.RunVariant`);
a weight factor multiplies every weight (``RunVariant.weight_scale``). One
:func:`run_points` call runs every (factor, point) pair as a variant of one compiled
emulator call (:func:`twin.tier_run.run_tiers`). A point's Poisson stream is labelled
by the seed and the point only, so every factor at a point sees the same external
input realisation (common random numbers: the rate-vs-factor curve is smooth).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from twin.analog import SimConfig
from twin.analog.store import CompiledStore
from twin.errors import ConfigError
from twin.network import Network
from twin.recording import SpikeRecording
from twin.tier_inputs import RunVariant, TierRequest
from twin.tier_run import run_tiers
from twin.tiers import IDEAL, Realised, Tier, tier_list
from twin.wafer import Wafer

__all__ = [
    "WINDOW",
    "Point",
    "PointRuns",
    "analysis_window",
    "as_tier",
    "population_rates",
    "run_points",
]

#: Analysed window at the end of each run, ms (the seed: the last 1000 ms; shorter
#: runs analyse their second half, :func:`analysis_window`).
WINDOW: Final = 1000.0

#: Name of the Poisson streams of the fit's and the ladder's runs.
STREAM: Final = "adapt"


@dataclass(frozen=True, slots=True)
class Point:
    """A point of a network: inhibitory weights × ``g_scale``, rates × ``rate_scale``.

    Attributes
    ----------
    name
        The point's label (e.g. ``"AI"``).
    g_scale
        Factor on every inhibitory weight (>= 0).
    rate_scale
        Factor on every Poisson source's rate (>= 0).
    """

    name: str = "base"
    g_scale: float = 1.0
    rate_scale: float = 1.0


@dataclass(frozen=True, slots=True, eq=False)
class PointRuns:
    """The recordings of :func:`run_points`.

    Attributes
    ----------
    recordings
        ``recordings[i][j]``: factor ``i`` at point ``j``.
    realised
        The network as the tier realised it (to reuse in a later call).
    window
        The analysed window at the end of each run, ms.
    """

    recordings: tuple[tuple[SpikeRecording, ...], ...]
    realised: Realised
    window: float


def as_tier(tier: Tier | str) -> Tier:
    """Return ``tier`` as a :class:`twin.tiers.Tier` (a name: its default settings).

    Raises
    ------
    ConfigError
        If a name is not an emulated tier.
    """
    if isinstance(tier, Tier):
        return tier
    (found,) = tier_list([tier])
    if found.behaviour.theory:
        raise ConfigError(
            f"tier {tier!r} is computed by mean-field theory; give an emulated tier "
            "(ideal, mapped or hardware)"
        )
    return found


def analysis_window(t_stop: float) -> float:
    """Return the analysed window of a run of ``t_stop`` ms, ``min(WINDOW, t_stop/2)``.

    Examples
    --------
    >>> analysis_window(10_000.0), analysis_window(400.0)
    (1000.0, 200.0)
    """
    return min(WINDOW, t_stop / 2)


def run_points(
    network: Network,
    points: Sequence[Point],
    *,
    factors: Sequence[float] = (1.0,),
    tier: Tier | str = IDEAL,
    t_stop: float = 2000.0,
    seed: int = 0,
    realised: Realised | None = None,
    store: CompiledStore | None = None,
    wafer: Wafer | None = None,
) -> PointRuns:
    """Run ``network`` at every (factor, point) pair in one batched emulator call.

    Parameters
    ----------
    network
        The network (at its tier's input: the tier realises it).
    points
        The points (>= 1).
    factors
        Weight factors (> 0), each on every weight of the run.
    tier
        The tier (a name or a :class:`twin.tiers.Tier`).
    t_stop
        Run length, ms; spikes are recorded over the last
        ``min(1000, t_stop / 2)`` ms.
    seed
        Seed of the Poisson streams and of the tier's realisation.
    realised
        The tier's realisation of ``network`` made before (reused as it is).
    store
        Compiled emulator programs to reuse and add to.
    wafer
        The wafer a mapping tier maps on (default: a perfect one).

    Returns
    -------
    PointRuns
        The recordings, ``[factor][point]``, and the realisation.

    Raises
    ------
    ConfigError
        If there is no point or factor, a factor is not > 0, or the tier is a
        theory tier; see also :func:`twin.tier_run.run_tiers`.
    """
    if not points or not factors:
        raise ConfigError(
            f"{len(points)} point(s), {len(factors)} factor(s); give at least one each"
        )
    bad = [f for f in factors if not (np.isfinite(f) and f > 0)]
    if bad:
        raise ConfigError(f"weight factors {bad}; give finite factors > 0")
    window = analysis_window(t_stop)
    config = SimConfig(t_stop=t_stop, record_from=t_stop - window)
    request = TierRequest(
        as_tier(tier), network, seed=seed, wafer=wafer, realised=realised
    )
    variants = [
        RunVariant(
            (("stream", STREAM), ("seed", seed), ("point", j)),
            g_scale=p.g_scale,
            rate_scale=p.rate_scale,
            weight_scale=float(f),
        )
        for f in factors
        for j, p in enumerate(points)
    ]
    run = run_tiers([request], config, variants, store=store)
    flat = [per_tier[0] for per_tier in run.recordings]
    n = len(points)
    recordings = tuple(tuple(flat[i * n : (i + 1) * n]) for i in range(len(factors)))
    return PointRuns(recordings, run.realised[0], window)


def population_rates(recording: SpikeRecording, window: float) -> dict[str, float]:
    """Return each population's mean rate over the last ``window`` ms, Hz.

    Spikes of the recorded neurons with ``t_stop - window < t <= t_stop``, divided by
    the number of recorded neurons and the window (the seed's rate,
    ``experiments.runs.analysis``).

    Parameters
    ----------
    recording
        A run's spikes.
    window
        The window, ms (> 0).

    Returns
    -------
    dict
        Population name -> rate, Hz (nan for a population with no recorded neuron).
    """
    start = recording.t_stop - window
    late = recording.ids[recording.times > start]
    rates = {}
    for name, ids in recording.recorded.items():
        n = int(np.isin(late, ids).sum())
        rates[name] = n / ids.size / (window * 1e-3) if ids.size else float("nan")
    return rates
