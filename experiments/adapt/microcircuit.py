"""The ladder of P&D's microcircuit adapted as the BrainScaleS-1 demo did.

:func:`adapt_microcircuit` builds the original current-based model
(:func:`experiments.microcircuit.original.build_original`) at the demo's scales,
adapts it with :func:`experiments.microcircuit.adaptation.microcircuit_adaptation`
(with the demo's NEST-side variation) and runs the ladder at the model's own point:
original -> weights for the in-degree -> drive as resting potentials -> ... ->
variation -> mapped -> hardware. No weight-factor fit: the demo's conversion
constants are not public
(:func:`~experiments.microcircuit.adaptation.implied_conversion` gives the ones its
weights imply).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from experiments.adapt.brunel2000 import AdaptOutcome
from experiments.adapt.files import write_ladder
from experiments.microcircuit.adaptation import microcircuit_adaptation
from experiments.microcircuit.original import OriginalConfig, build_original
from experiments.runs.analysis import activity
from twin.adapt import adapt_steps
from twin.adapt.fit_runs import Point
from twin.adapt.ladder import run_ladder
from twin.hardware.cost import wafer_cost

__all__ = ["adapt_microcircuit"]


def adapt_microcircuit(
    out: str | Path,
    *,
    scale: float = 0.1,
    k_scale: float = 0.1,
    t_stop: float = 2000.0,
    seed: int = 1234,
    tiers: Sequence[str] = ("mapped", "hardware"),
    progress: Callable[[str], None] | None = None,
) -> AdaptOutcome:
    """Run the ladder of the adapted microcircuit and write it into ``out``.

    Parameters
    ----------
    out
        Output folder (``ladder.csv``, ``ladder.md``, ``ladder.png``).
    scale, k_scale
        Fractions of the neurons and in-degrees (the demo's 0.1 and 0.1: 7,713
        neurons, 3 M synapses).
    t_stop
        Run length per rung, ms.
    seed
        Seed of the connectivity, the variation and the Poisson streams.
    tiers
        The wafer tiers of the last rungs.
    progress
        Told what runs next.

    Returns
    -------
    AdaptOutcome
        The adaptation, the ladder, no fit, the wafer cost, the files.

    Raises
    ------
    ConfigError
        If the scales or the seed are invalid.
    """
    config = OriginalConfig(scale=scale, k_scale=k_scale, seed=seed)
    adapted = adapt_steps(
        build_original(config), microcircuit_adaptation(config, variation=True)
    )
    ladder = run_ladder(
        adapted, (Point("PD14"),), tiers=tiers, t_stop=t_stop, seed=seed,
        measure=activity, progress=progress,
    )  # fmt: skip
    cost = wafer_cost(t_stop, runs=1, setups=1)
    paths = write_ladder(
        ladder, out, title="Adaptation ladder: the cortical microcircuit (Potjans & "
        "Diesmann 2014) on the wafer", fits=[], reference=None, cost=cost,
        reports=adapted.reports,
    )  # fmt: skip
    return AdaptOutcome(adapted, ladder, (), cost, tuple(paths))
