"""The ladder and the weight-factor fit of Brunel's model A adapted as the seed did.

:func:`adapt_brunel2000` builds model A (:mod:`experiments.brunel2000`) at the first
listed Fig. 8 state, adapts it with the seed's steps
(:func:`experiments.brunel2000.seed_adaptation`, ``orig_weight`` 1.2), runs the
ladder at every listed state and, on request, fits the weight factor that replaces
the seed's 1.2: the fit adapts the same network with ``orig_weight`` 1 (the
charge-preserving conversion only) and finds the factor on top of it
(:func:`twin.adapt.fit.fit_weight_factor`) against the original's rates of the
ladder's first rung, twice: for the fully adapted network (with the seed's
NEST-side variation) and for the network before the variation step.

The states are points of one network: a state's (g, eta) is the first state's
times ``(g_scale, rate_scale)`` (inhibitory weights are ``g`` times the excitatory
ones, and every external rate is proportional to eta, before and after each step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from experiments.adapt.files import write_ladder
from experiments.brunel2000 import (
    FIG8_STATES,
    Brunel2000Config,
    build_network,
    seed_adaptation,
)
from experiments.brunel2000.adaptation import SEED
from experiments.runs.analysis import activity
from twin.adapt import Adapted, adapt_steps
from twin.adapt.fit import FitResult, fit_weight_factor
from twin.adapt.fit_runs import Point
from twin.adapt.ladder import ORIGINAL, Ladder, run_ladder
from twin.adapt.wafer_ranges import STEP as WAFER_RANGES_STEP
from twin.errors import ConfigError
from twin.hardware.cost import WaferCost, wafer_cost

__all__ = ["REFERENCE_FACTOR", "AdaptOutcome", "adapt_brunel2000", "state_points"]

#: The seed's hand-tuned weight factor (``orig_weight``, ``parameters.py``).
REFERENCE_FACTOR: Final = SEED.orig_weight
#: The fits' labels, and the step the second one stops before.
WITH_VARIATION: Final = "with the NEST-side variation"
WITHOUT_VARIATION: Final = "without the variation"
BEFORE_VARIATION: Final = WAFER_RANGES_STEP


@dataclass(frozen=True, slots=True, eq=False)
class AdaptOutcome:
    """What :func:`adapt_brunel2000` made.

    Attributes
    ----------
    adapted
        The original network and its cumulative steps.
    ladder
        The ladder's rows.
    fits
        The weight-factor fits (none if not asked for), each labelled: of the fully
        adapted network (with the NEST-side variation) and of the network before
        the variation step.
    cost
        What the ladder's wafer runs would cost on the wafer.
    paths
        The files written.
    """

    adapted: Adapted
    ladder: Ladder
    fits: tuple[tuple[str, FitResult], ...]
    cost: WaferCost
    paths: tuple[Path, ...]


def state_points(states: Sequence[str]) -> tuple[Brunel2000Config, tuple[Point, ...]]:
    """Return the first state's config and every state as a point of it.

    Raises
    ------
    ConfigError
        If ``states`` is empty, names a state twice or an unknown state.
    """
    states = tuple(states)
    bad = [s for s in states if s not in FIG8_STATES]
    if not states or bad or len(set(states)) != len(states):
        raise ConfigError(
            f"states {list(states)}: give distinct Fig. 8 states from "
            f"{', '.join(FIG8_STATES)}"
        )
    g0, eta0 = FIG8_STATES[states[0]]
    points = tuple(
        Point(s, FIG8_STATES[s][0] / g0, FIG8_STATES[s][1] / eta0) for s in states
    )
    return Brunel2000Config(g=g0, eta=eta0), points


def adapt_brunel2000(
    states: Sequence[str],
    out: str | Path,
    *,
    scale: float = 1.0,
    t_stop: float = 2000.0,
    seed: int = 1234,
    tiers: Sequence[str] = ("mapped", "hardware"),
    fit: bool = False,
    fit_states: int = 1,
    progress: Callable[[str], None] | None = None,
) -> AdaptOutcome:
    """Run the ladder of model A at ``states`` and write it into ``out``.

    Parameters
    ----------
    states
        Fig. 8 states (:data:`experiments.brunel2000.FIG8_STATES`), the first one
        the network's own point.
    out
        Output folder (``ladder.csv``, ``ladder.md``, ``ladder.png``).
    scale
        The original's scale (1: 12,500 neurons; <= 6, the seed's).
    t_stop
        Run length per rung and point, ms.
    seed
        Seed of the connectivity, the variation and the Poisson streams.
    tiers
        The wafer tiers of the last rungs.
    fit
        Also fit the weight factor.
    fit_states
        The fit matches the rates at the first ``fit_states`` states.
    progress
        Told what runs next.

    Returns
    -------
    AdaptOutcome
        The adaptation, the ladder, the fit, the wafer cost, the files.

    Raises
    ------
    ConfigError
        If a state is unknown, the scale is above 6 or the settings are invalid;
        an :class:`twin.errors.AdaptError` if the fit finds no crossing.
    """
    base, points = state_points(states)
    config = base.replace(scale=scale, seed=seed, t_stop=t_stop)
    original = build_network(config)
    adapted = adapt_steps(original, seed_adaptation(config))
    ladder = run_ladder(adapted, points, tiers=tiers, t_stop=t_stop, seed=seed,
                        measure=activity, progress=progress)  # fmt: skip
    fits = []
    if fit:
        chosen = points[: max(1, fit_states)]
        target = {
            pop.name: [
                ladder.rates(pop.name, p.name)[ladder.rungs.index(ORIGINAL)]
                for p in chosen
            ]
            for pop in original.populations
        }
        unit = adapt_steps(original, seed_adaptation(config, orig_weight=1.0))
        for label, network in (
            (WITH_VARIATION, unit.network),
            (WITHOUT_VARIATION, unit.rung(BEFORE_VARIATION)),
        ):
            if progress is not None:
                progress(f"fit ({label})")
            found = fit_weight_factor(target, network, points=chosen,
                                      t_stop=t_stop, seed=seed)  # fmt: skip
            fits.append((label, found))
    cost = wafer_cost(t_stop, runs=len(points), setups=1,
                      recorded_spikes=ladder.spikes(ladder.rungs[-1]))  # fmt: skip
    paths = write_ladder(
        ladder, out, title="Adaptation ladder: Brunel (2000) model A on the wafer",
        fits=fits, reference=REFERENCE_FACTOR, cost=cost, reports=adapted.reports,
    )  # fmt: skip
    return AdaptOutcome(adapted, ladder, tuple(fits), cost, tuple(paths))
