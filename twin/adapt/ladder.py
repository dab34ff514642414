"""The ladder: the original network and every cumulative adaptation step, run at points.

``original -> downscaled -> pooled -> conductance -> wafer ranges -> variation ->
mapped -> hardware``: each rung is the network after one more step
(:class:`twin.adapt.Adapted`), run on the ideal tier, and the last rungs are the fully
adapted network on the wafer's tiers (``mapped``: the mapping's lost synapses and
route delays; ``hardware``: plus the analog effects). Every rung runs every point in
one batched emulator call (:func:`twin.adapt.fit_runs.run_points`, the same Poisson
stream label per point on every rung), and each (rung, point, population) gives a
:class:`LadderRow`: rate, irregularity and synchrony by the analysis the caller
passes (the experiments' :func:`experiments.runs.analysis.activity`; ``twin`` does
not import the experiments), so the ladder shows which step moves the dynamics.

The hardware tier draws the wafer's own fixed-pattern variation: it runs the network
*before* the NEST-side variation step (``wafer_input``), as a workload requests the
mean parameters from it (:class:`twin.tiers.Behaviour`). Spikes dropped by the
recording link are not applied (the ladder compares the network's dynamics, not what
the wafer records).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.adapt.fit_runs import Point, as_tier, population_rates, run_points
from twin.adapt.pipeline import Adapted
from twin.adapt.variation import STEP as VARIATION_STEP
from twin.analog.store import CompiledStore
from twin.errors import AdaptError
from twin.network import Network
from twin.tiers import IDEAL, Tier
from twin.wafer import Wafer

__all__ = [
    "ORIGINAL",
    "Ladder",
    "LadderRow",
    "Measure",
    "Rung",
    "ladder_rungs",
    "run_ladder",
]

#: ``measure(times, ids, neurons, t_stop, window=...)`` -> an object with ``rate``
#: (Hz), ``cv`` and ``global_cv`` (:func:`experiments.runs.analysis.activity`).
Measure = Callable[..., Any]

#: Name of the rung of the network before any step.
ORIGINAL = "original"


@dataclass(frozen=True, slots=True, eq=False)
class Rung:
    """One rung: a network and the tier it runs at.

    Attributes
    ----------
    name
        The step's name (``"original"`` first; a wafer tier's name last).
    network
        The network (the tier's input).
    tier
        The tier.
    """

    name: str
    network: Network
    tier: Tier


@dataclass(frozen=True, slots=True)
class LadderRow:
    """The activity of one population at one point on one rung.

    Attributes
    ----------
    rung, tier, point, population
        Where it was measured.
    rate_hz
        Mean rate over the population's neurons in the analysed window, Hz.
    cv
        Mean CV of the inter-spike intervals (nan without a measure, or no neuron
        with two spikes).
    global_cv
        Synchrony: CV of the population's 0.2 ms spike-count histogram (nan
        without a measure).
    n_neurons
        Neurons of the population on this rung.
    synapse_loss
        Fraction of the rung's synapses the mapping lost (0 off the wafer).
    """

    rung: str
    tier: str
    point: str
    population: str
    rate_hz: float
    cv: float
    global_cv: float
    n_neurons: int
    synapse_loss: float


@dataclass(frozen=True, slots=True, eq=False)
class Ladder:
    """The rows of every rung, point and population, and how they were made.

    Attributes
    ----------
    rows
        In rung order, then point, then population.
    rungs
        The rungs' names, in order.
    points
        The points.
    t_stop, window
        Run length and analysed window at its end, ms.
    seconds
        Wall time of each rung's run (realisation and emulation), s.
    """

    rows: tuple[LadderRow, ...]
    rungs: tuple[str, ...]
    points: tuple[Point, ...]
    t_stop: float
    window: float
    seconds: tuple[float, ...]

    def spikes(self, rung: str) -> int:
        """Return the spikes of every neuron of ``rung`` over whole runs, estimated.

        ``sum over points and populations of rate x neurons x t_stop`` (the rates
        of the analysed window): what a wafer run of every point would read out.
        """
        rates = [r.rate_hz * r.n_neurons for r in self.rows if r.rung == rung]
        return round(float(np.nansum(rates)) * self.t_stop * 1e-3)

    def rates(self, population: str, point: str) -> np.ndarray:
        """Return the rate of ``population`` at ``point`` on each rung, Hz."""
        found = {(r.rung, r.point, r.population): r.rate_hz for r in self.rows}
        return np.array([found.get((g, point, population), np.nan) for g in self.rungs])


def ladder_rungs(
    adapted: Adapted,
    *,
    tiers: Sequence[Tier | str] = ("mapped", "hardware"),
    wafer_input: str | None = VARIATION_STEP,
) -> tuple[Rung, ...]:
    """Return the rungs: the original, each cumulative step, the wafer tiers.

    Parameters
    ----------
    adapted
        The original network and its cumulative steps.
    tiers
        The tiers of the last rungs, each running the fully adapted network (names
        or :class:`twin.tiers.Tier` objects; none: the ideal tier only).
    wafer_input
        The step whose variation a tier that supplies its own (the hardware tier)
        leaves out: such a tier runs the rung before it (``None``: the fully adapted
        network).

    Returns
    -------
    tuple of Rung
        ``original`` on the ideal tier, one rung per step, one per tier.

    Raises
    ------
    ConfigError
        If a tier name is unknown or a theory tier.
    """
    ideal = as_tier(IDEAL)
    rungs = [Rung(ORIGINAL, adapted.original, ideal)]
    rungs += [Rung(name, net, ideal) for name, net in adapted.rungs]
    before = adapted.original
    for name, net in adapted.rungs:
        if name == wafer_input:
            break
        before = net
    else:
        before = adapted.network
    for t in tiers:
        tier = as_tier(t)
        own = tier.behaviour.supplies_variation
        rungs.append(Rung(tier.name, before if own else adapted.network, tier))
    return tuple(rungs)


def _rows(
    rung: Rung,
    point: Point,
    recording: Any,
    window: float,
    loss: float,
    measure: Measure | None,
) -> list[LadderRow]:
    """Return the rows of one run: one per population."""
    rates = population_rates(recording, window)
    rows = []
    for pop in rung.network.populations:
        neurons = recording.recorded[pop.name]
        rate, cv, sync = rates[pop.name], float("nan"), float("nan")
        if measure is not None:
            found = measure(recording.times, recording.ids, neurons,
                            recording.t_stop, window=window)  # fmt: skip
            rate, cv, sync = found.rate, found.cv, found.global_cv
        rows.append(
            LadderRow(
                rung=rung.name,
                tier=rung.tier.name,
                point=point.name,
                population=pop.name,
                rate_hz=float(rate),
                cv=float(cv),
                global_cv=float(sync),
                n_neurons=pop.size,
                synapse_loss=float(loss),
            )
        )
    return rows


def run_ladder(
    adapted: Adapted,
    points: Sequence[Point],
    *,
    tiers: Sequence[Tier | str] = ("mapped", "hardware"),
    t_stop: float = 2000.0,
    seed: int = 0,
    measure: Measure | None = None,
    wafer_input: str | None = VARIATION_STEP,
    wafer: Wafer | None = None,
    store: CompiledStore | None = None,
    progress: Callable[[str], None] | None = None,
) -> Ladder:
    """Run every rung of the ladder at every point.

    Parameters
    ----------
    adapted
        The original network and its cumulative steps
        (:func:`twin.adapt.adapt_steps`).
    points
        The points (g and rate scales of each rung's own network), distinct names.
    tiers, wafer_input
        As :func:`ladder_rungs`.
    t_stop
        Run length, ms; the activity over the last ``min(1000, t_stop / 2)`` ms.
    seed
        Seed of the Poisson streams (one per point, the same on every rung) and of
        the wafer tiers' realisation.
    measure
        The analysis (``experiments.runs.analysis.activity``); ``None``: rates only.
    wafer
        The wafer the wafer tiers map on (default: a perfect one).
    store
        Compiled emulator programs to reuse and add to (default: the ladder's own;
        rungs of the same shapes share a program).
    progress
        Told each rung's name before it runs.

    Returns
    -------
    Ladder
        A row per rung, point and population.

    Raises
    ------
    AdaptError
        If there is no point or two points share a name.
    ConfigError
        As :func:`twin.adapt.fit_runs.run_points`.
    PlacementError, RoutingError, MappingLossError
        If a wafer tier cannot map the network.
    """
    points = tuple(points)
    names = [p.name for p in points]
    if not points or len(set(names)) != len(names):
        raise AdaptError(f"ladder points {names}; give at least one, distinct names")
    rows: list[LadderRow] = []
    seconds = []
    rungs = ladder_rungs(adapted, tiers=tiers, wafer_input=wafer_input)
    window = 0.0
    store = CompiledStore() if store is None else store
    for rung in rungs:
        if progress is not None:
            progress(rung.name)
        start = time.perf_counter()
        runs = run_points(rung.network, points, tier=rung.tier, t_stop=t_stop,
                          seed=seed, wafer=wafer, store=store)  # fmt: skip
        seconds.append(time.perf_counter() - start)
        window = runs.window
        for point, rec in zip(points, runs.recordings[0], strict=True):
            rows += _rows(rung, point, rec, window, runs.realised.synapse_loss,
                          measure)  # fmt: skip
    return Ladder(tuple(rows), tuple(r.name for r in rungs), points, t_stop,
                  window, tuple(seconds))  # fmt: skip
