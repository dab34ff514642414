"""Decoding the compiled loop's output into one ``SpikeRecording`` per variant."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from twin.analog.config import SimConfig
from twin.analog.kernel import KernelOutput
from twin.errors import NumericalError
from twin.network import Network
from twin.recording import STATE_VARIABLES, SpikeRecording

if TYPE_CHECKING:
    from twin.stages import Stage

__all__ = ["decode", "poisson_events", "raise_if_nonfinite", "with_limits"]


def decode(
    out: KernelOutput,
    j: int,
    record: np.ndarray,
    first_step: int,
    network: Network,
    config: SimConfig,
    recorded: dict[str, np.ndarray],
    check_finite: bool,
) -> SpikeRecording:
    """Turn variant ``j`` of a kernel output into a :class:`SpikeRecording`.

    Raises
    ------
    NumericalError
        If ``check_finite`` and a neuron's V or w became non-finite.
    """
    if check_finite:
        raise_if_nonfinite(np.asarray(out.first_nonfinite[j]), j, network, config)
    return SpikeRecording.from_bits(
        out.words[:, j],
        record,
        n_steps=config.n_steps,
        dt=config.dt,
        first_step=first_step,
        recorded=MappingProxyType(recorded),
        population_offsets=MappingProxyType(
            {p.name: network.offset(p.name) for p in network.populations}
        ),
        counts=out.counts[j],
        traces=out.traces[: config.n_steps - first_step, j, 0],
        state_traces=MappingProxyType(
            dict(
                zip(
                    STATE_VARIABLES,
                    np.moveaxis(out.traces[: config.n_steps - first_step, j], 1, 0),
                    strict=True,
                )
            )
        ),
        poisson_events=None
        if out.poisson is None
        else poisson_events(out.poisson, j, first_step, config),
        counters=MappingProxyType(
            {
                "spikes": int(out.counts[j].sum()),
                "poisson_events": int(out.poisson_events[j]),
                "poisson_overflow": int(out.overflow[j]),
            }
        ),
    )


def poisson_events(
    events: tuple[np.ndarray, np.ndarray, np.ndarray],
    j: int,
    first_step: int,
    config: SimConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(generator, time ms)`` of variant ``j``'s Poisson events in the run.

    ``events`` are the kernel's per-block ``(source, step, valid)``, shape
    ``(blocks, nb, capacity)`` from block ``first_step // block_steps`` on.
    """
    source, step, valid = (np.asarray(x)[:, j] for x in events)
    block = np.arange(source.shape[0])[:, None]
    stamp = first_step + block * config.block_steps + step + 1
    keep = valid & (stamp <= config.n_steps)
    order = np.lexsort((source[keep], stamp[keep]))
    times = config.grid.stamp_ms(stamp[keep][order])
    return source[keep][order].astype(np.int64), times


def raise_if_nonfinite(
    first: np.ndarray, variant: int, network: Network, config: SimConfig
) -> None:
    """Raise :class:`NumericalError` naming the first neuron whose state diverged."""
    bad = np.flatnonzero(first >= 0)
    if not bad.size:
        return
    gid = int(bad[np.argmin(first[bad])])
    starts = np.cumsum([0] + [p.size for p in network.populations])
    k = int(np.searchsorted(starts, gid, side="right")) - 1
    pop = network.populations[k]
    t = config.offset + float(config.grid.stamp_ms(int(first[gid]) + 1))  # session
    raise NumericalError(
        f"neuron {pop.name}[{gid - starts[k]}] (id {gid}, variant {variant}) left "
        f"finite values at t = {t:g} ms ({bad.size} neurons in all); check its "
        "parameters and input (conductances, currents)"
    )


def with_limits(
    rec: SpikeRecording,
    out: KernelOutput,
    j: int,
    limits: Sequence[Stage],
    labels: list[np.ndarray],
) -> SpikeRecording:
    """Attach the per-group counts of the rate-limit stages to a recording."""
    if not limits:
        return rec
    counters = dict(rec.counters)
    groups = {}
    for k, (stage, lab) in enumerate(zip(limits, labels, strict=True)):
        offered = np.asarray(out.limit_offered[j, k, : lab.size])
        dropped = np.asarray(out.limit_dropped[j, k, : lab.size])
        counters[f"offered_{stage.name}"] = int(offered.sum())
        counters[f"dropped_{stage.name}"] = int(dropped.sum())
        groups[stage.name] = np.stack([lab, offered, dropped])
    return dataclasses.replace(
        rec,
        counters=MappingProxyType(counters),
        limit_counts=MappingProxyType(groups),
    )
