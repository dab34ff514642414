"""The compiled loop's settings, inputs, state and outputs (:mod:`twin.analog.kernel`).

Leading axis ``nb``: the variants of a batch. ``Static`` is the static (shape
determining) argument of the compiled functions; ``Carry`` the loop's state between
blocks; ``Resume`` the state a run ends in and the next starts from; ``KernelOutput``
what a run returns (:func:`output` assembles it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from jax import Array

from twin.analog.adex import NeuronState

__all__ = [
    "Batch",
    "Carry",
    "KernelOutput",
    "Resume",
    "Static",
    "TimedEvents",
    "output",
]


class Batch(NamedTuple):
    """Per-variant values of a batch (leading axis ``nb``)."""

    g_scale: Array  # (nb,) factor on inhibitory weights
    w_scale: Array  # (nb,) factor on every weight (excitatory, inhibitory, external)
    rate_scale: Array  # (nb,) factor on Poisson rates
    key: Array  # (nb, 2) uint32 PRNG keys


class TimedEvents(NamedTuple):
    """Spike-time source events per block, shared by all variants."""

    source: Array  # (n_blocks, e) int32
    step: Array  # (n_blocks, e) int32
    valid: Array  # (n_blocks, e) bool


@dataclass(frozen=True, slots=True)
class Static:
    """Shape-determining settings of the compiled loop (a static jit argument)."""

    n: int  # neurons
    n_blocks: int
    block_steps: int
    n_steps: int  # steps actually simulated (the rest of the last block is masked)
    slots: (
        int  # ring-buffer length: a multiple of block_steps, > block_steps + max delay
    )
    dt: float
    spike_chunk: int
    capacity: int  # Poisson events per block and variant
    equal_rates: bool  # every Poisson source has the same rate
    record: tuple[int, ...]  # recorded neuron ids
    trace: tuple[int, ...]  # neuron ids whose V is traced
    exponential: bool  # some neuron has delta_T > 0 (AdEx); False: LIF only
    saturating: bool  # some neuron has a finite g_sat (hardware tier)
    record_from_block: int  # blocks before this one are not recorded (warm-up)
    n_stages: int = 0  # rate-limit stages applied to the spikes (0: none)
    windowed: bool = False  # some Poisson generator has a start/stop window
    keep_final: bool = False  # return the state at n_steps (a run to be continued)
    record_poisson: bool = False  # return every Poisson event (source, stamp)
    from_rest: bool = True  # the run starts at session step 0 (offset 0)
    stimulated: bool = False  # some neuron receives a current stimulus
    native: bool = False  # deliver with the native (C++) handlers, CPU only
    fast: bool = False  # a block's steps in one native call (twin.analog.fast)
    # (rows, k) of the plastic synapses' tables per kind (None: no table); () when
    # no synapse has short-term plasticity (Tables.stp is None)
    stp: tuple[tuple[int, int] | None, ...] = ()
    kinds: tuple[str, ...] = (
        "cond_exp",
    )  # synapse kinds present (cells.SYNAPSE_KINDS)

    @property
    def conductance(self) -> bool:
        """Some neuron has conductance-based synapses (the AdEx kernel)."""
        return "cond_exp" in self.kinds or "cond_alpha" in self.kinds

    @property
    def current(self) -> bool:
        """Some neuron has current-based synapses (exact integration)."""
        return "curr_exp" in self.kinds or "curr_alpha" in self.kinds

    @property
    def alpha(self) -> bool:
        """Some neuron has alpha-shaped synapses (state ``dg_e``/``dg_i`` carried)."""
        return "curr_alpha" in self.kinds or "cond_alpha" in self.kinds

    @property
    def cond_alpha(self) -> bool:
        """Some neuron has alpha-shaped conductances."""
        return "cond_alpha" in self.kinds


class Resume(NamedTuple):
    """The state a run ends in and the next one starts from (leading axis ``nb``)."""

    state: NeuronState  # each leaf (nb, n)
    pending: Array  # (nb, p, 2n): input arriving at steps 0..p-1 of the next run
    queues: Array  # (nb, stages, groups) rate-limit queue contents
    step: int | None = None  # session step it was taken at (set by simulate_batch)
    plastic: Any = None  # StpState per kind (twin.analog.short_term); last: <= 0


class KernelOutput(NamedTuple):
    """Raw outputs of the loop (JAX arrays, or numpy arrays after ``device_get``)."""

    words: Any  # (steps, nb, n_words) uint32: packed spikes from record_from_block on
    traces: Any  # (steps, nb, 4, n_trace) V, g_E, g_I, w of traced neurons
    counts: Any  # (nb, n) spikes per neuron
    poisson_events: Any  # (nb,) external events delivered
    overflow: Any  # (nb,) Poisson events beyond the block capacity
    limit_offered: Any  # (nb, stages, G + 1) spikes offered to each rate-limited group
    limit_dropped: Any  # (nb, stages, G + 1) spikes each group dropped
    first_nonfinite: Any  # (nb, n) first step with a non-finite V or w (-1: none)
    final: Any = None  # Resume at n_steps (with Static.keep_final), else None
    poisson: Any = None  # (blocks, nb, capacity) source, step, valid (record_poisson)
    beyond_steps: Any = None  # (nb,) steps with a sub-step beyond the native step


class Carry(NamedTuple):
    """The loop's state between blocks (leading axis ``nb``).

    Made by :func:`twin.analog.kernel.start`, advanced by
    :func:`twin.analog.kernel.advance`.
    """

    state: NeuronState  # each leaf (nb, n)
    buf: Array  # (nb, slots, 2n) ring buffer
    counts: Array  # (nb, n) spikes per neuron
    arriving: Array  # (nb, 2n) input of the next step (its slot, read already)
    limits: tuple[Array, Array, Array]  # queues, offered, dropped (nb, stages, G+1)
    bad: Array  # (nb, n) first step with a non-finite V or w (-1: none)
    n_ext: Array  # (nb,) external events delivered
    overflow: Array  # (nb,) Poisson events beyond the block capacity
    plastic: Any = None  # StpState per kind of source (Static.stp), else None
    beyond: Any = None  # (nb,) int32 steps beyond the native step (Static.fast)


def output(finished: tuple[Any, ...], recorded: tuple[Any, Any, Any]) -> KernelOutput:
    """Assemble a :class:`KernelOutput` from the loop's end and its recording.

    Parameters
    ----------
    finished
        What :func:`twin.analog.kernel.finish` returns: counts, external events,
        overflow, offered, dropped, first non-finite step, final state and the steps
        with an exponential-Euler sub-step (``Static.fast``; else ``None``).
    recorded
        The (words, traces, poisson) of every recorded block, in time order (the
        segments' parts concatenated on the host).

    Returns
    -------
    KernelOutput
        The fields of both, by name.
    """
    counts, n_ext, overflow, offered, dropped, bad, final, beyond = finished
    words, traces, poisson = recorded
    return KernelOutput(
        words=words,
        traces=traces,
        counts=counts,
        poisson_events=n_ext,
        overflow=overflow,
        limit_offered=offered,
        limit_dropped=dropped,
        first_nonfinite=bad,
        final=final,
        poisson=poisson,
        beyond_steps=beyond,
    )
