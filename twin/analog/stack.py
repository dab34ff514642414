"""Several networks as one: disjoint copies emulated in a single batched call.

``stack`` places networks side by side (populations, sources and projections renamed
``name@k``, no connection between copies); ``unstack`` cuts a recording of the stacked
network back into one recording per copy. Variants that differ in parameters or weights
(an ablation: the hardware tier with each effect switched off in turn) then run in the
same compiled call as the (g, eta) variants of the batch. Every copy keeps its own
neurons and sources, so the copies are independent runs; the random streams of a copy
depend on the whole stack, which is therefore part of a run's identity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import MappingProxyType

import numpy as np

from twin.analog.recording import SpikeRecording
from twin.errors import NetworkError
from twin.network import Network

__all__ = ["stack", "unstack"]


def _tag(name: str, k: int) -> str:
    return f"{name}@{k}"


def stack(networks: Sequence[Network]) -> Network:
    """Return one network holding disjoint copies of ``networks`` (in order).

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
    populations, sources, projections = [], [], []
    for k, net in enumerate(networks):
        populations += [
            dataclasses.replace(p, name=_tag(p.name, k)) for p in net.populations
        ]
        sources += [dataclasses.replace(s, name=_tag(s.name, k)) for s in net.sources]
        projections += [
            p.replace(pre=_tag(p.pre, k), post=_tag(p.post, k), name=_tag(p.name, k))
            for p in net.projections
        ]
    return Network(
        populations=tuple(populations),
        sources=tuple(sources),
        projections=tuple(projections),
        timestep=networks[0].timestep,
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
