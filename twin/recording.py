"""``SpikeRecording``: spike times and ids of the recorded neurons, plus run counters.

The one spike-data type of every backend (the emulator, NEST, wafer files): numpy only,
so the NEST path and the results code do not import JAX. The emulator packs each step's
spikes into 32-bit words (:func:`twin.analog.recording.pack_bits`, one bit per neuron:
a 10 s run of 2,083 neurons is 26 MB); :meth:`SpikeRecording.from_bits` unpacks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from twin.arrays import readonly
from twin.timegrid import TimeGrid

__all__ = ["STATE_VARIABLES", "SpikeRecording", "set_bits", "unpack_bits"]

#: The traced state variables, in PyNN's names: V (mV), g_E and g_I (µS), w (nA).
STATE_VARIABLES = ("v", "gsyn_exc", "gsyn_inh", "w")


def unpack_bits(words: np.ndarray, n: int) -> np.ndarray:
    """Invert :func:`twin.analog.recording.pack_bits`: uint32 words -> (..., n) bool."""
    as_bytes = np.ascontiguousarray(words, dtype="<u4").view(np.uint8)
    bits = np.unpackbits(as_bytes, axis=-1, bitorder="little")
    return bits[..., :n].astype(bool)


def set_bits(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(row, bit)`` of every set bit of 2-D uint32 ``words``, row-major order.

    Bit ``j`` of word ``i`` is column ``32 i + j`` (:func:`unpack_bits`'s layout).
    Only the non-zero words are unpacked, so the cost and the memory follow the
    number of spikes, not steps × neurons (a 10 s run of 7,713 neurons is 771 M
    bits, of which some 0.4 M are set).
    """
    row, word = np.nonzero(words)
    if not row.size:
        return row, word
    as_bytes = np.ascontiguousarray(words[row, word], dtype="<u4").view(np.uint8)
    bits = np.unpackbits(as_bytes.reshape(-1, 4), axis=-1, bitorder="little")
    k, bit = np.nonzero(bits)  # row-major: bits of a word in order
    return row[k], 32 * word[k] + bit


@dataclass(frozen=True, slots=True, eq=False)
class SpikeRecording:
    """Spikes of the recorded neurons of one run.

    Attributes
    ----------
    times
        Spike times, ms, sorted by time then neuron.
    ids
        Global neuron id of each spike.
    recorded
        Population name -> global ids of its recorded neurons.
    population_offsets
        Population name -> global id of its first neuron.
    t_stop, dt
        Run length and time step, ms.
    counts
        Spikes emitted by every neuron (recorded or not) during the run.
    traces
        Membrane potential of the traced neurons, shape ``(steps, n_traced)`` (mV), or
        an empty array.
    counters
        Run counters (spikes emitted, external events, capacity overflows, spikes
        offered to and dropped by rate limits).
    limit_counts
        Rate-limit stage name -> array ``(3, groups)``: group id, spikes offered,
        spikes dropped over the whole run.
    state_traces
        :data:`STATE_VARIABLES` name -> its trace of the traced neurons, shape
        ``(steps, n_traced)`` (``traces`` is the ``"v"`` entry); the conductances
        include the events arriving at the next step, as NEST records them.
    poisson_events
        If requested: ``(generator, times ms)`` of every event of the Poisson
        generators (index over all Poisson generators of the network, in source
        order), sorted by time; else ``None``.
    """

    times: np.ndarray
    ids: np.ndarray
    recorded: Mapping[str, np.ndarray]
    population_offsets: Mapping[str, int]
    t_stop: float
    dt: float
    counts: np.ndarray
    traces: np.ndarray
    counters: Mapping[str, int]
    limit_counts: Mapping[str, np.ndarray] = field(
        default_factory=lambda: MappingProxyType({})
    )
    state_traces: Mapping[str, np.ndarray] = field(
        default_factory=lambda: MappingProxyType({})
    )
    poisson_events: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_bits(
        cls,
        words: np.ndarray,
        ids: np.ndarray,
        *,
        n_steps: int,
        dt: float,
        first_step: int = 0,
        **fields: object,
    ) -> SpikeRecording:
        """Decode packed per-step spike words (steps × words) of neurons ``ids``.

        Row ``i`` of ``words`` is step ``first_step + i``; steps from ``n_steps`` on
        (padding of the last block) are ignored.
        """
        step, col = set_bits(np.asarray(words)[: max(n_steps - first_step, 0)])
        keep = col < ids.size  # the last word's padding bits are never set; be safe
        step, col = step[keep], col[keep]
        return cls(
            # The stamp of a spike in step n is (n + 1) dt, as in NEST.
            times=readonly(TimeGrid(dt).stamp_ms(step + first_step + 1)),
            ids=readonly(ids[col]),
            t_stop=n_steps * dt,
            dt=dt,
            **fields,  # type: ignore[arg-type]
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpikeRecording):
            return NotImplemented
        return (
            np.array_equal(self.times, other.times)
            and np.array_equal(self.ids, other.ids)
            and np.array_equal(self.counts, other.counts)
        )

    __hash__ = None  # type: ignore[assignment]

    def spiketrains(self, population: str) -> list[np.ndarray]:
        """Spike times (ms) of each recorded neuron of ``population``, in order."""
        ids = self.recorded[population]
        order = np.argsort(self.ids, kind="stable")
        sorted_ids = self.ids[order]
        trains = []
        for gid in ids:
            lo, hi = np.searchsorted(sorted_ids, [gid, gid + 1])
            trains.append(self.times[order[lo:hi]])
        return trains
