"""The hardware tier's spike losses of a session: per run and since the last reset.

Every run of a session is a segment of one run from rest (:mod:`twin.pynn.engine`), so
the wafer's queues carry over from one run to the next. The losses are counted on the
events each run really had, over the session steps it covered -- whatever is recorded:

- inside the run, the priority encoders and DNC mergers (the emulator counts them per
  run, :mod:`twin.analog.limits`);
- after it, the recording link of each chip, fed with the spikes of the recorded
  neurons;
- the external input links (per chip and per FPGA), fed with every event of the
  spike sources: the Poisson events the emulator drew and the ``SpikeSourceArray``
  times emitted in the run. The network still receives every event: the input loss
  is counted, not applied.

Each link is one queue from t = 0 over all runs
(:func:`twin.hardware.spike_loss.drop_events` with ``stationary=False``); an event
belongs to the run whose steps hold its stamp, so the runs' counts add up to the
session's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from twin.hardware.config import QUEUE_DEPTHS
from twin.hardware.spike_loss import QueueLoss, drop_events, summed_loss, tally_loss
from twin.sources import PoissonSource, SpikeTimesSource
from twin.timegrid import TimeGrid

if TYPE_CHECKING:
    from twin.pynn.emulation import Segment

__all__ = ["INPUT_LINKS", "RECORDING_LINK", "SessionLosses", "session_losses"]

#: The resource of the recording link per chip.
RECORDING_LINK = "recording_per_hicann"
#: The resources of the external input links, per chip and per FPGA.
INPUT_LINKS = ("input_per_hicann", "input_per_fpga")

Losses = dict[str, QueueLoss]


@dataclass(frozen=True, slots=True, eq=False)
class SessionLosses:
    """Spikes delivered through the recording link, and every resource's losses.

    Attributes
    ----------
    ids, times
        Global id and session time (ms) of each recorded spike the link delivered.
    per_run
        Resource name -> loss, one mapping per run since the last reset, in order.
    total
        Resource name -> loss over all those runs (the per-group sums of ``per_run``).
    """

    ids: np.ndarray
    times: np.ndarray
    per_run: tuple[Losses, ...]
    total: Losses


def _stamps(seg: Segment, times: np.ndarray) -> np.ndarray:
    """Session stamps of times (ms) measured from the segment's start."""
    return TimeGrid(seg.recording.dt).steps_of(times) + seg.start


def _in_run(seg: Segment) -> Losses:
    """Return the rate-limit stages' counts of one run (group, offered, dropped)."""
    out = {}
    for name, counts in seg.recording.limit_counts.items():
        ids, offered, dropped = (np.asarray(x, np.int64) for x in counts)
        out[name] = QueueLoss(
            name,
            MappingProxyType(dict(zip(ids.tolist(), offered.tolist(), strict=True))),
            MappingProxyType(
                {int(i): int(d) for i, d in zip(ids, dropped, strict=True) if d}
            ),
        )
    return out


def _source_events(seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    """Return (source index, session stamp) of every spike-source event of a run.

    Sources are numbered over all spike sources of the network, in source order.
    """
    net = seg.realised.network
    events = seg.recording.poisson_events
    assert events is not None  # the engine records them on the hardware tier
    grid = TimeGrid(seg.recording.dt)
    index, stamps, first, poisson_first = [], [], 0, []
    for src in net.sources:
        if isinstance(src, PoissonSource):
            poisson_first.append(np.full(src.size, first) + np.arange(src.size))
        elif isinstance(src, SpikeTimesSource):
            for i, train in enumerate(src.spike_times):
                s = grid.spike_stamps(np.asarray(train))
                s = s[(s > seg.start) & (s <= seg.start + seg.steps)]
                index.append(np.full(s.size, first + i))
                stamps.append(s)
        first += src.size
    if poisson_first:
        generator = np.concatenate(poisson_first)  # generator -> source index
        index.append(generator[np.asarray(events[0], np.int64)])
        stamps.append(_stamps(seg, events[1]))
    if not index:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(index), np.concatenate(stamps)


def _link(
    stamps: np.ndarray,
    ids: np.ndarray,
    group_of: np.ndarray,
    ends: np.ndarray,
    *,
    rate_bio: float,
    dt: float,
    name: str,
) -> tuple[np.ndarray, list[QueueLoss]]:
    """Run one link's queue from t = 0 over the session; return keep mask, run losses.

    ``stamps`` are session stamps of the events, ``ids`` index ``group_of`` and
    ``ends`` are the last stamps of the runs.
    """
    keep, _ = drop_events(
        TimeGrid(dt).stamp_ms(stamps),
        ids,
        group_of,
        rate_bio=rate_bio,
        depth=QUEUE_DEPTHS[name],
        dt=dt,
        resource=name,
        stationary=False,
    )
    run = np.searchsorted(ends, stamps, side="left")
    groups = np.asarray(group_of)[ids]
    lost = ~keep
    return keep, [
        tally_loss(groups[run == k], lost[run == k], name) for k in range(ends.size)
    ]


def session_losses(segments: Sequence[Segment], recorded: np.ndarray) -> SessionLosses:
    """Return the recording link's output and the losses of every run of a session.

    Parameters
    ----------
    segments
        The runs since the last reset, in order, on the hardware tier with its
        bandwidth effect (their recordings hold the Poisson events).
    recorded
        Global ids of the neurons whose spikes are recorded.

    Returns
    -------
    SessionLosses
        The delivered spikes and the per-run and total losses.

    Raises
    ------
    WaferSpecError
        If the hardware limits lack ``recording_per_hicann``, ``input_per_hicann``
        or ``input_per_fpga``.
    """
    last = segments[-1]
    sites, hardware = last.realised.sites, last.realised.hardware
    assert sites is not None
    assert hardware is not None
    dt = last.recording.dt
    ends = np.array([s.start + s.steps for s in segments])
    per_run = [_in_run(s) for s in segments]
    runs = len(segments)

    ids = np.concatenate([np.asarray(s.recording.ids, np.int64) for s in segments])
    stamps = np.concatenate([_stamps(s, s.recording.times) for s in segments])
    chip = sites.sites.hicann
    rec_group = np.full(chip.size, -1)
    rec_group[recorded] = chip[recorded]
    mine = np.isin(ids, recorded)
    rate = hardware.limits.bio
    keep, link = _link(
        stamps[mine], ids[mine], rec_group, ends,
        rate_bio=rate(RECORDING_LINK), dt=dt, name=RECORDING_LINK,
    )  # fmt: skip
    for k in range(runs):
        per_run[k][RECORDING_LINK] = link[k]

    events = [_source_events(s) for s in segments]
    source = np.concatenate([e[0] for e in events])
    source_stamps = np.concatenate([e[1] for e in events])
    source_chip = np.concatenate(
        [np.asarray(sites.source_chip[s.name]) for s in last.realised.network.sources]
        or [np.zeros(0, np.int64)]
    ).astype(np.int64)
    fpga = np.where(source_chip >= 0, sites.fpga_of_chip[source_chip], -1)
    for name, group_of in zip(INPUT_LINKS, (source_chip, fpga), strict=True):
        _, loss = _link(
            source_stamps, source, group_of, ends, rate_bio=rate(name), dt=dt, name=name
        )
        for k in range(runs):
            per_run[k][name] = loss[k]

    names = list(dict.fromkeys(n for run in per_run for n in run))
    total = {n: summed_loss([r[n] for r in per_run if n in r], n) for n in names}
    times = TimeGrid(dt).stamp_ms(stamps[mine][keep])
    return SessionLosses(ids[mine][keep], times, tuple(per_run), total)
