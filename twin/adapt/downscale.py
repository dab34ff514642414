"""``downscale(k)``: fewer neurons and in-degrees, stronger weights, same mean input.

Rule (the seed's ``parameters.py`` and PyNN's ``examples/brunel.py``; reference
``brunel_bss1.md`` §1.2-1.3):

- sizes: ``N = int(N_total / k)`` neurons in all; every population but the last
  ``int(N_p N / N_total)`` (the seed: 12,500 / 6 -> 2,083, ``int(0.8 x 2083)`` = 1,666
  excitatory, the last population the remainder, 417); the first ``N_p`` neurons of
  each population are kept with their parameters. PyNN's ``brunel.py`` rounds the
  order instead (``int(order / k)``, then 4x and 1x it); both agree when ``k`` divides;
- connection probability kept: a fixed in-degree ``C`` becomes
  ``int(C N_pre' / N_pre)`` (the seed's ``int(epsilon N_pre)``: 1000 -> 166 and
  250 -> 41 for k = 6), redrawn with replacement (without if the original has no
  multapse); a probabilistic projection is
  redrawn at its ``p``; one-to-one stays one-to-one (:mod:`twin.adapt.connectivity`);
- every weight x k (``J_eff = J k``), so ``J C`` -- the mean input per unit rate -- is
  kept, while the variance ``J^2 C`` grows k-fold (§1.3: 59.8 vs 10 mV^2);
- external drive (``drive="mean"``): the mean input from every source is kept. A
  shared pool shrinks like a population (size ``int(n / k)``, in-degree / k, weight
  x k, rate unchanged); a per-neuron generator (one-to-one) follows its population
  and its rate is divided by k (weight x k), as ``brunel.py``'s
  ``p_rate = eta theta / (J_eff tau_m)``; spike-time sources are thinned to 1/k
  (each spike kept with probability 1/k). ``drive="unchanged"`` leaves every
  neuron's external input as it was: source sizes (but per-neuron generators,
  which follow their population), in-degrees, weights and rates.

Randomness: one stream per projection (``adapt.downscale``, seed, projection name).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np

from twin.adapt.checks import check_positive, n_plastic, stream
from twin.adapt.connectivity import (
    bootstrap,
    draw_fixed_in_degree,
    draw_probability,
    has_multapses,
    rule_of,
)
from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.errors import AdaptError
from twin.network import (
    CurrentStimulus,
    Network,
    PoissonSource,
    Population,
    Projection,
    SpikeSource,
    SpikeTimesSource,
)
from twin.streams import rng

__all__ = ["Drive", "downscale", "population_sizes"]

Drive = Literal["mean", "unchanged"]
_STEP = "downscale"
_SOURCE = (
    "the seed's parameters.py (N = int(12500/scale), C = int(epsilon N), dV = 0.1 mV "
    "x scale; brunel_bss1.md §1.2-1.3) and PyNN's examples/brunel.py (N / downscale, "
    "J x downscale)"
)


def population_sizes(sizes: tuple[int, ...], k: float) -> tuple[int, ...]:
    """Return the downscaled population sizes.

    ``N = int(sum(sizes) / k)``; every population but the last ``int(N_p N / N_total)``
    (exact integer arithmetic), the last the remainder.

    Raises
    ------
    AdaptError
        If a population would keep no neuron.
    """
    total = sum(sizes)
    n_new = int(total / k)
    head = [size * n_new // total for size in sizes[:-1]]
    new = (*head, n_new - sum(head))
    if min(new) < 1:
        raise AdaptError(
            f"downscale: k = {k:g} leaves sizes {list(new)} of {list(sizes)} (a "
            "population without neurons); use a smaller k"
        )
    return new


def downscale(k: float, *, seed: int, drive: Drive = "mean") -> Step:
    """Return the step that downscales a network by ``k`` (see the module's rule).

    Parameters
    ----------
    k
        Down-scaling factor, >= 1 (need not be an integer: the seed's is 6, 12,500 /
        6 -> 2,083); 1 leaves the network as it is (no connection drawn again).
    seed
        Seed of the redrawn connectivity.
    drive
        ``"mean"`` (keep each neuron's mean external input) or ``"unchanged"``.

    Returns
    -------
    Step
        ``"downscale"``.

    Raises
    ------
    AdaptError
        If ``k`` is not finite or < 1, ``drive`` is unknown, ``seed`` is not an
        integer; when applied, if a population, a source or an in-degree would drop
        below 1.
    """
    k = check_positive(_STEP, "k", k, low=1.0)
    if drive not in ("mean", "unchanged"):
        raise AdaptError(f"downscale: drive = {drive!r}; use 'mean' or 'unchanged'")
    stream(_STEP, seed)  # checks the seed now

    def apply(network: Network) -> tuple[Network, StepReport]:
        if k == 1.0:
            return network, StepReport(
                step=_STEP,
                formula="k = 1: the network unchanged",
                source=_SOURCE,
                numbers={"k": 1.0},
                notes=("nothing drawn again: the same realisation",),
            )
        return _downscale(network, k, seed, drive)

    return Step(_STEP, apply)


def _per_neuron_sources(network: Network) -> dict[str, tuple[str, np.ndarray]]:
    """Return the per-neuron sources: population and generators in target order.

    A per-neuron source has one projection, one-to-one.
    """
    out = {}
    for src in network.sources:
        projs = list(network.projections_from(src.name))
        if len(projs) != 1:
            continue
        proj = projs[0]
        if rule_of(proj, src.size, network.size_of(proj.post))[0] == "one_to_one":
            out[src.name] = (proj.post, proj.pre_idx[np.argsort(proj.post_idx)])
    return out


def _new_source(
    src: SpikeSource, pick: np.ndarray, thin: float, seed: int
) -> SpikeSource:
    """Return the generators ``pick`` of ``src``, rates (or spikes) x ``thin``."""
    if isinstance(src, PoissonSource):
        return PoissonSource(
            name=src.name,
            size=pick.size,
            rate=np.asarray(src.rate)[pick] * thin,
            start=np.asarray(src.start)[pick],
            stop=np.asarray(src.stop)[pick],
        )
    gen = rng(stream(_STEP, seed, ("source", src.name)))
    trains = tuple(
        src.spike_times[i][gen.random(src.spike_times[i].size) < thin]
        if thin < 1
        else src.spike_times[i]
        for i in pick
    )
    return SpikeTimesSource(name=src.name, spike_times=trains)


def _downscale(
    network: Network, k: float, seed: int, drive: Drive
) -> tuple[Network, StepReport]:
    numbers: dict[str, float] = {"k": k}
    pops = network.populations
    sizes = population_sizes(tuple(p.size for p in pops), k)
    new_size = {p.name: n for p, n in zip(pops, sizes, strict=True)}
    populations = tuple(
        Population(
            name=p.name,
            size=n,
            cell_type=p.cell_type,
            parameters={key: v[:n] for key, v in p.parameters.items()},
        )
        for p, n in zip(pops, sizes, strict=True)
    )
    per_neuron = _per_neuron_sources(network)
    sources = []
    for src in network.sources:
        if src.name in per_neuron:
            post, order = per_neuron[src.name]
            n, thin = new_size[post], 1 / k if drive == "mean" else 1.0
            pick = order[:n]
        else:
            n, thin = (int(src.size / k), 1.0) if drive == "mean" else (src.size, 1.0)
            pick = np.arange(n)
        if n < 1:
            raise AdaptError(
                f"downscale: k = {k:g} leaves source {src.name!r} ({src.size}) "
                "without generators; use a smaller k or drive='unchanged'"
            )
        new_size[src.name] = n
        sources.append(_new_source(src, pick, thin, seed))
        numbers[f"size_before[{src.name}]"] = src.size
        numbers[f"size_after[{src.name}]"] = n
        numbers[f"rate_factor[{src.name}]"] = thin
    for p, n in zip(pops, sizes, strict=True):
        numbers[f"size_before[{p.name}]"] = p.size
        numbers[f"size_after[{p.name}]"] = n
    projections = []
    for proj in network.projections:
        keep_input = drive == "unchanged" and network.is_source(proj.pre)
        new = _redraw(network, proj, new_size, k, keep_input, seed)
        projections.append(new)
        n_post_old = network.size_of(proj.post)
        numbers[f"in_degree_before[{proj.name}]"] = proj.size / n_post_old
        numbers[f"in_degree_after[{proj.name}]"] = new.size / new_size[proj.post]
        numbers[f"weight_factor[{proj.name}]"] = 1.0 if keep_input else k
    stimuli = _stimuli(network, new_size)
    numbers["stimuli_dropped"] = len(network.stimuli) - len(stimuli)
    out = network.replace(
        populations=populations,
        sources=tuple(sources),
        projections=tuple(projections),
        stimuli=stimuli,
    )
    notes = (
        f"drive={drive!r}: "
        + (
            "mean input from every source kept (in-degree or rate / k, weight x k); "
            "its variance grows k-fold, as the recurrent input's"
            if drive == "mean"
            else "external input of every neuron unchanged (sizes, in-degrees, "
            "weights, rates)"
        ),
        "recurrent input: J C kept, J^2 C (the variance) x k",
        "the first N_p neurons of each population are kept, with their parameters "
        "and current stimuli (a stimulus left without a target is dropped)",
        f"{n_plastic(network)} plastic projections carried (each redrawn synapse "
        "copies the parameters of an original one)",
    )
    return out, StepReport(
        step=_STEP,
        formula="N = int(N_total/k), C' = int(C N_pre'/N_pre), w' = k w",
        source=_SOURCE,
        numbers=numbers,
        notes=notes,
    )


def _stimuli(network: Network, new_size: dict[str, int]) -> tuple[CurrentStimulus, ...]:
    """Return the current stimuli restricted to the kept neurons."""
    out = []
    for stim in network.stimuli:
        keep = stim.index < new_size[stim.population]
        if keep.any():
            out.append(dataclasses.replace(stim, index=stim.index[keep]))
    return tuple(out)


def _redraw(
    network: Network,
    proj: Projection,
    new_size: dict[str, int],
    k: float,
    keep_input: bool,
    seed: int,
) -> Projection:
    """Return ``proj`` drawn again at the new sizes by its own rule."""
    n_pre, n_post = network.size_of(proj.pre), network.size_of(proj.post)
    pre_new, post_new = new_size[proj.pre], new_size[proj.post]
    rule, value = rule_of(proj, n_pre, n_post)
    gen = rng(stream(_STEP, seed, ("projection", proj.name)))
    factor = 1.0 if keep_input else k
    if rule == "one_to_one":
        if network.is_source(proj.pre):  # its generators were put in target order
            keep = np.argsort(proj.post_idx)[:post_new]
            ids = np.arange(post_new)
            return proj.subset(keep).replace(
                pre_idx=ids, post_idx=ids, weight=proj.weight[keep] * factor
            )
        inside = (proj.pre_idx < pre_new) & (proj.post_idx < post_new)
        return proj.subset(inside).replace(weight=proj.weight[inside] * factor)
    if rule == "fixed_in_degree":
        c = int(value) if keep_input else int(value) * pre_new // n_pre
        if c < 1:
            raise AdaptError(
                f"downscale: k = {k:g} leaves projection {proj.name!r} an in-degree "
                f"int({int(value)} x {pre_new} / {n_pre}) = {c} < 1; use a smaller k"
            )
        replace = has_multapses(proj, n_post)
        pre_idx, post_idx = draw_fixed_in_degree(
            gen, pre_new, post_new, c, replace=replace
        )
    else:
        if proj.size and value * pre_new * post_new < 1:
            raise AdaptError(
                f"downscale: k = {k:g} leaves projection {proj.name!r} "
                f"{value * pre_new * post_new:.3g} expected synapses (p = {value:.3g}"
                f", {pre_new} x {post_new}); use a smaller k"
            )
        pre_idx, post_idx = draw_probability(gen, pre_new, post_new, value)
    return bootstrap(gen, proj, pre_idx, post_idx, factor)
