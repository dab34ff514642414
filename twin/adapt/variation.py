"""``with_variation``: the calibration spreads as per-neuron and per-synapse variation.

What the seed does for its NEST run (``brunel_bss1.md`` §1.2, ``experiments.brunel``):
every neuron parameter drawn from PyNN's ``normal_clipped`` around its population's
value with the wafer's calibration spread (:data:`twin.spreads.SPREADS`), values
outside the bounds drawn again (time constants and ``cm`` above 0, further bounds from
the caller: the seed's ``v_reset`` below 0.9 ``v_thresh``), then resets at or above
their neuron's threshold drawn again (NEST rejects them); every weight times a factor
``normal_clipped(1, weight_spread, low=0)`` (the seed's 50 % spread: ``N(w, w/2)``
clipped at 0); every delay drawn from ``normal_clipped(d, delay_sd, low=delay_min)``
(the seed's ``N(1.5, 0.2)`` above 0.3 ms). The draws are :mod:`twin.adapt.draws`, the
functions ``experiments.brunel`` draws its NEST-side variation with.

Randomness: one stream per population and parameter, per projection and quantity
(``adapt.with_variation``, seed, ...).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from twin.adapt.checks import check_positive, stream
from twin.adapt.draws import normal_clipped, redraw
from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.errors import AdaptError
from twin.network import Network, Population, Projection
from twin.streams import rng

__all__ = ["POSITIVE", "STEP", "with_variation"]

#: The step's name (its rung in an :class:`twin.adapt.Adapted`).
STEP = "with_variation"
#: Parameters drawn above 0 (PyNN ``normal_clipped`` with low 0; the seed's rule).
POSITIVE = frozenset({"tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac", "cm"})
_REMEDY = "lower the spread or widen the bound"


def with_variation(
    spreads: Mapping[str, float],
    *,
    seed: int,
    weight_spread: float = 0.0,
    delay_sd: float = 0.0,
    delay_min: float | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> Step:
    """Return the step that draws per-neuron parameters and per-synapse weights/delays.

    Parameters
    ----------
    spreads
        Standard deviation per parameter (PyNN names and units), e.g.
        ``twin.spreads.SPREADS[("big", "normal")]``; parameters a population lacks
        are skipped.
    seed
        Seed of the draws.
    weight_spread
        Relative standard deviation of every weight (the seed: 0.5); 0: unchanged.
    delay_sd
        Standard deviation of every delay, ms (the seed: 0.2); 0: unchanged.
    delay_min
        Lower bound of the drawn delays, ms (the seed: 0.3; default: the network's
        timestep).
    bounds
        Parameter -> ``(low, high)`` bounds of its draw (default ``(0, inf)`` for
        :data:`POSITIVE`, unbounded otherwise).

    Returns
    -------
    Step
        ``"with_variation"``.

    Raises
    ------
    AdaptError
        If a spread is negative or not finite; when applied, if a varied parameter
        or delay is not one value per population or projection (the spread is
        about a mean), or the draws fail (a bound crossed by the mean, or resets
        still at or above threshold after PyNN's redraw bound).
    """
    for name, sd in spreads.items():
        if sd:
            check_positive(STEP, f"spread of {name}", sd)
    if weight_spread:
        check_positive(STEP, "weight_spread", weight_spread)
    if delay_sd:
        check_positive(STEP, "delay_sd", delay_sd)
    stream(STEP, seed)
    sds = {k: float(v) for k, v in spreads.items() if v}
    limits = dict(bounds or {})

    def apply(network: Network) -> tuple[Network, StepReport]:
        low = network.timestep if delay_min is None else delay_min
        numbers: dict[str, float] = {
            "weight_spread": weight_spread,
            "delay_sd": delay_sd,
        }
        pops = tuple(_vary(p, sds, limits, seed, numbers) for p in network.populations)
        projs = tuple(
            _synapses(p, weight_spread, delay_sd, low, seed)
            for p in network.projections
        )
        out = network.replace(populations=pops, projections=projs)
        return out, StepReport(
            step=STEP,
            formula="x ~ normal_clipped(mean, sd) per neuron; w x normal_clipped(1, "
            "spread, low 0); d ~ normal_clipped(d, sd, low)",
            source="the seed's NEST-side variation (parameters.py; brunel_bss1.md "
            "§1.2), calibration spreads of wafer 30",
            numbers=numbers,
            notes=("PyNN's redraw semantics (twin.adapt.draws)",),
        )

    return Step(STEP, apply)


def _mean(values: np.ndarray, what: str) -> float:
    if not np.all(values == values[0]):
        raise AdaptError(
            f"with_variation: {what} has values from {values.min():g} to "
            f"{values.max():g}; the spread is drawn about one mean, vary a network "
            "with one value per population (before any other variation)"
        )
    return float(values[0])


def _vary(
    pop: Population,
    sds: Mapping[str, float],
    limits: Mapping[str, tuple[float, float]],
    seed: int,
    numbers: dict[str, float],
) -> Population:
    params = dict(pop.parameters)
    for key, sd in sds.items():
        if key not in params:
            continue
        mean = _mean(np.asarray(params[key]), f"{pop.name}.{key}")
        low, high = limits.get(
            key, (0.0, np.inf) if key in POSITIVE else (-np.inf, np.inf)
        )
        gen = rng(stream(STEP, seed, ("population", pop.name), ("parameter", key)))
        params[key] = normal_clipped(
            gen, mean, sd, pop.size, low, high, name=f"{pop.name}.{key}", remedy=_REMEDY
        )
        numbers[f"sd[{pop.name}.{key}]"] = sd
    if "v_reset" in sds and "v_reset" in params:
        _redraw_resets(pop, params, sds["v_reset"], limits, seed)
    return Population(
        name=pop.name, size=pop.size, cell_type=pop.cell_type, parameters=params
    )


def _redraw_resets(
    pop: Population,
    params: dict[str, np.ndarray],
    sd: float,
    limits: Mapping[str, tuple[float, float]],
    seed: int,
) -> None:
    """Draw again the resets at or above their neuron's threshold (NEST's rule)."""
    mean = float(pop.parameters["v_reset"][0])
    low, high = limits.get("v_reset", (-np.inf, np.inf))
    gen = rng(stream(STEP, seed, ("population", pop.name), ("parameter", "reset")))
    thresh = params["v_thresh"]
    values = np.array(params["v_reset"])
    left = redraw(
        values,
        lambda n: normal_clipped(
            gen, mean, sd, n, low, high, name="v_reset", remedy=_REMEDY
        ),
        lambda v, idx: v >= thresh[idx],
    )
    if left.size:
        raise AdaptError(
            f"with_variation: {left.size} resets of {pop.name!r} still at or above "
            "their threshold after PyNN's redraw bound; lower the spread of v_reset"
        )
    params["v_reset"] = values


def _synapses(
    proj: Projection, spread: float, delay_sd: float, delay_min: float, seed: int
) -> Projection:
    if not proj.size or not (spread or delay_sd):
        return proj
    weight, delay = proj.weight, proj.delay
    if spread:
        gen = rng(stream(STEP, seed, ("projection", proj.name), ("quantity", "weight")))
        factor = normal_clipped(
            gen, 1.0, spread, proj.size, 0.0, name=f"{proj.name} weight", remedy=_REMEDY
        )
        weight = weight * factor
    if delay_sd:
        mean = _mean(proj.delay, f"projection {proj.name!r} delay")
        gen = rng(stream(STEP, seed, ("projection", proj.name), ("quantity", "delay")))
        delay = normal_clipped(
            gen, mean, delay_sd, proj.size, delay_min, name="delay", remedy=_REMEDY
        )
    return proj.replace(weight=weight, delay=delay)
