"""Several networks as one: disjoint copies emulated in a single batched call.

``stack`` places networks side by side (populations, sources, projections and current
stimuli renamed ``name@k``, no connection between copies); ``unstack`` cuts a recording
of the stacked network back into one recording per copy. Variants that differ in
parameters or weights (an ablation: the hardware tier with each effect switched off in
turn) then run in the same compiled call as the (g, eta) variants of the batch. Every
copy keeps its own neurons and sources, so the copies are independent runs; the random
streams of a copy depend on the whole stack, which is therefore part of a run's
identity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import MappingProxyType

import numpy as np

from twin.errors import NetworkError
from twin.network import Network
from twin.recording import SpikeRecording

__all__ = ["stack", "unstack"]


def _tag(name: str, k: int) -> str:
    return f"{name}@{k}"


def _equal(a: object, b: object) -> bool:
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    return a == b


def _same_sources(networks: Sequence[Network]) -> bool:
    first = networks[0].sources
    return all(
        len(n.sources) == len(first)
        and all(
            type(a) is type(b)
            and all(
                _equal(getattr(a, f.name), getattr(b, f.name))
                for f in dataclasses.fields(a)
            )
            for a, b in zip(n.sources, first, strict=True)
        )
        for n in networks[1:]
    )


def stack(networks: Sequence[Network], share_sources: bool = False) -> Network:
    """Return one network holding disjoint copies of ``networks`` (in order).

    With ``share_sources`` every copy is driven by the *same* spike sources (the
    networks must have identical sources): the copies then see identical external
    input, and since the pool of sources is the one of each network alone, a copy's
    external events are exactly those of the network run alone with the same key.

    Raises
    ------
    NetworkError
        If ``networks`` is empty, the networks have different timesteps, or
        ``share_sources`` is set and their spike sources are not identical.

    Examples
    --------
    >>> from twin.network import Network, Population
    >>> net = Network(populations=(Population(name="p", size=3,
    ...                                       cell_type="IF_cond_exp"),))
    >>> [p.name for p in stack([net, net]).populations]
    ['p@0', 'p@1']
    """
    if not networks:
        raise NetworkError("nothing to stack; give at least one network")
    steps = {n.timestep for n in networks}
    if len(steps) > 1:
        raise NetworkError(f"networks with different timesteps {sorted(steps)}")
    if share_sources and not _same_sources(networks):
        raise NetworkError(
            "share_sources needs identical spike sources in every network; stack "
            "without sharing instead"
        )
    populations, sources, projections, stimuli = [], [], [], []
    for k, net in enumerate(networks):
        populations += [
            dataclasses.replace(p, name=_tag(p.name, k)) for p in net.populations
        ]
        if not share_sources or k == 0:
            sources += [
                dataclasses.replace(s, name=_tag(s.name, 0 if share_sources else k))
                for s in net.sources
            ]

        def pre(name: str, net: Network = net, k: int = k) -> str:
            shared = share_sources and net.is_source(name)
            return _tag(name, 0 if shared else k)

        projections += [
            p.replace(pre=pre(p.pre), post=_tag(p.post, k), name=_tag(p.name, k))
            for p in net.projections
        ]
        stimuli += [
            dataclasses.replace(
                s, name=_tag(s.name, k), population=_tag(s.population, k)
            )
            for s in net.stimuli
        ]
    return Network(
        populations=tuple(populations),
        sources=tuple(sources),
        projections=tuple(projections),
        timestep=networks[0].timestep,
        stimuli=tuple(stimuli),
    )


def unstack(rec: SpikeRecording, networks: Sequence[Network]) -> list[SpikeRecording]:
    """Cut a recording of ``stack(networks)`` into one recording per network."""
    out, start = [], 0
    for k, net in enumerate(networks):
        n = net.n_neurons
        mine = (rec.ids >= start) & (rec.ids < start + n)
        recorded = {
            p.name: np.asarray(rec.recorded[_tag(p.name, k)]) - start
            for p in net.populations
            if _tag(p.name, k) in rec.recorded
        }
        counts = np.asarray(rec.counts)[start : start + n]
        out.append(
            dataclasses.replace(
                rec,
                times=rec.times[mine],
                ids=rec.ids[mine] - start,
                recorded=MappingProxyType(recorded),
                population_offsets=MappingProxyType(
                    {p.name: net.offset(p.name) for p in net.populations}
                ),
                counts=counts,
                traces=np.zeros((0, 0)),
                counters=MappingProxyType(
                    {
                        **rec.counters,
                        "spikes": int(counts.sum()),
                        "stacked_copies": len(networks),
                    }
                ),
            )
        )
        start += n
    return out
