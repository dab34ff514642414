"""``simulate`` and ``simulate_batch``: run a ``Network`` on the emulator.

The network is converted once (parameters, push tables, source rates, spike-time
events; :mod:`twin.analog.inputs`); the compiled loop of :mod:`twin.analog.kernel`
runs a batch of variants of it; the packed spikes are decoded into one
:class:`SpikeRecording` per variant (:mod:`twin.analog.decode`), returned with the
final states and the wall times in a :class:`BatchResult`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from jax import Array

from twin.analog.config import SimConfig
from twin.analog.decode import decode, with_limits
from twin.analog.delivery import use_native
from twin.analog.fast import eligible, use_fast
from twin.analog.inputs import (
    checked_resume,
    initial_values,
    poisson_rates,
    recorded_ids,
    timed_events,
    traced_ids,
)
from twin.analog.kernel import Resume, Static
from twin.analog.limits import stage_arrays
from twin.analog.params import from_network
from twin.analog.poisson import block_capacity, rates_of
from twin.analog.runner import Progress, run_chunks
from twin.analog.short_term import shapes_of
from twin.analog.store import CompiledStore
from twin.analog.tables import build_tables
from twin.cells import SYNAPSE_KINDS
from twin.errors import ConfigError
from twin.network import Network
from twin.recording import SpikeRecording

if TYPE_CHECKING:
    from twin.stages import Stage

__all__ = ["BatchResult", "SimConfig", "simulate", "simulate_batch", "split_keys"]


@dataclass(frozen=True, slots=True, eq=False)
class BatchResult:
    """What one :func:`simulate_batch` call returns.

    Attributes
    ----------
    recordings
        One :class:`SpikeRecording` per variant, in the order of the keys.
    final
        The state the run ended in (``keep_final=True``; else ``None``): a
        :class:`twin.analog.kernel.Resume` with numpy leaves of leading axis ``nb``,
        in variant order, taken at session step ``offset + n_steps``; pass it as
        ``resume`` to a run that continues this one.
    timings
        Wall times, s: ``prepare`` (host conversion), ``compile``, ``run`` (compiled
        calls; of the last attempt where a run was repeated, e.g. on the reference
        step) and ``decode``.
    step
        The step the spikes came from: ``"native"`` (a block of steps per call of
        the C++ handler, :mod:`twin.analog.fast`) or ``"jax"`` (the reference).
    """

    recordings: tuple[SpikeRecording, ...]
    final: Resume | None
    timings: Mapping[str, float]
    step: str = "jax"


def simulate_batch(
    network: Network,
    config: SimConfig,
    *,
    keys: Array,
    g_scale: Sequence[float] | None = None,
    rate_scale: Sequence[float] | None = None,
    weight_scale: Sequence[float] | None = None,
    chunk: int | None = None,
    check_finite: bool = True,
    capacity_scale: float | None = None,
    limits: Sequence[Stage] = (),
    v0: np.ndarray | None = None,
    w0: np.ndarray | None = None,
    resume: Resume | None = None,
    keep_final: bool = False,
    store: CompiledStore | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Simulate variants of one network in compiled, batched calls.

    Parameters
    ----------
    network
        Connectivity and parameters shared by all variants.
    config
        Run settings.
    keys
        One PRNG key per variant, shape ``(nb, 2)`` (``jax.random.split``).
    g_scale
        Per variant factor on every inhibitory weight (default 1).
    rate_scale
        Per variant factor on every Poisson rate (default 1).
    weight_scale
        Per variant factor on every weight: excitatory, inhibitory (on top of
        ``g_scale``) and from the sources (default 1). It scales the network's
        weights as given (on the hardware tier: the realised, quantised ones).
    chunk
        Variants per compiled call (memory bound); default: all at once.
    check_finite
        Raise :class:`NumericalError` if any neuron's membrane potential or
        adaptation current became non-finite (every neuron is watched, every step).
    capacity_scale
        The largest rate scale the Poisson block capacity is sized for (default: the
        batch's largest). It sizes a buffer only: a variant's draws depend on its key
        and rate scale alone, so it gives the same spikes alone or in any batch.
    limits
        Rate-limit stages applied to the spikes in series (:mod:`twin.analog.limits`):
        dropped spikes reach no synapse and no recording; counted per group.
    v0, w0
        Initial membrane potential (mV) and adaptation current (nA) of every neuron,
        shape ``(n_neurons,)`` (default: ``config.v_init``, else each neuron's
        v_rest; w = 0).
    resume
        Continue from the state another run ended in (its
        :attr:`BatchResult.final`), instead of starting from ``v0``, ``w0``; leaves
        with leading axis ``nb``. The run starts
        at session time ``config.offset``, which must be where ``resume`` was taken.
    keep_final
        Keep the state the run ends in (:attr:`BatchResult.final`) for a run that
        continues it. ``resume`` and ``keep_final`` run all variants in one call on
        one device.
    store
        The caller's store of compiled loops (:class:`twin.analog.store.CompiledStore`):
        a loop compiled before for the same argument shapes and settings is reused,
        a new one added. Default: compile anew.
    progress
        Called with the fraction of the call's simulated time done (in (0, 1]) after
        every segment of the loop (:mod:`twin.analog.runner`), for progress bars; if
        a Poisson block overflowed, the call runs again and the fraction restarts.

    Returns
    -------
    BatchResult
        One recording per variant, in order; the final state if ``keep_final``; the
        wall times.

    Raises
    ------
    ConfigError
        On scales that are not finite and >= 0, not one ``g_scale``,
        ``rate_scale`` and ``weight_scale`` per key, a capacity scale below the
        largest rate scale, a negative count in ``config.record``, a traced index
        outside its population, spike times on stamp 0, a stage of ``limits``
        without one group per neuron, ``v0``/``w0`` not one finite value per
        neuron, or a Poisson window time off the step grid.
    NetworkError
        If a delay rounds to less than one step of ``config.dt``, or
        ``config.record`` or ``config.trace`` names a population the network does
        not have.
    NumericalError
        If ``check_finite`` and a neuron's state became non-finite.
    """
    keys = jnp.asarray(keys)
    nb = keys.shape[0]
    g = np.ones(nb) if g_scale is None else np.asarray(g_scale, dtype=float)
    r = np.ones(nb) if rate_scale is None else np.asarray(rate_scale, dtype=float)
    w = np.ones(nb) if weight_scale is None else np.asarray(weight_scale, dtype=float)
    if g.shape != (nb,) or r.shape != (nb,) or w.shape != (nb,):
        raise ConfigError(
            f"give one g_scale, rate_scale and weight_scale per key ({nb} keys)"
        )
    for name, values in (("g_scale", g), ("rate_scale", r), ("weight_scale", w)):
        bad = ~(np.isfinite(values) & (values >= 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ConfigError(f"{name}[{i}] = {values[i]}; give finite factors >= 0")
    if capacity_scale is not None and capacity_scale < r.max(initial=0.0):
        raise ConfigError(
            f"capacity_scale {capacity_scale} is below the largest rate scale "
            f"{r.max()}; give at least that"
        )
    clock: dict[str, float] = {}
    start = time.perf_counter()
    dtype = jnp.float64 if config.dtype == "float64" else jnp.float32
    params = from_network(network, config.dt, dtype)
    tables = build_tables(network, config.dt, dtype, offset_steps=config.offset_steps)
    rates, window = poisson_rates(network, config)
    n_blocks = -(-config.n_steps // config.block_steps)
    recorded = recorded_ids(network, config)
    record = np.concatenate(list(recorded.values())) if recorded else np.zeros(0, int)
    trace = traced_ids(network, config)
    max_delay = int(max(int(t.delay.max()) for t in tables.pushes))
    ahead = 0 if resume is None else int(resume.pending.shape[1])  # pending steps
    stages, labels = stage_arrays(limits, network.n_neurons, config.dt, dtype)
    static = Static(
        n=network.n_neurons,
        n_blocks=n_blocks,
        block_steps=config.block_steps,
        n_steps=config.n_steps,
        dt=config.dt,
        slots=config.block_steps
        * -(
            -max(config.block_steps + max_delay + 2, config.block_steps + ahead)
            // config.block_steps
        ),
        spike_chunk=config.spike_chunk,
        capacity=block_capacity(
            float(rates.sum() * (capacity_scale or r.max(initial=1.0))),
            config.dt,
            config.block_steps,
        ),
        equal_rates=bool(np.all(rates == rates[0])),
        record=tuple(int(i) for i in record),
        trace=trace,
        exponential=bool((np.asarray(params.delta_t) > 0).any()),
        saturating=bool(
            np.isfinite(np.asarray(params.g_sat_e)).any()
            or np.isfinite(np.asarray(params.g_sat_i)).any()
        ),
        record_from_block=min(
            config.record_from_step // config.block_steps, n_blocks - 1
        ),
        n_stages=len(limits),
        windowed=window is not None,
        keep_final=keep_final,
        record_poisson=config.record_poisson,
        from_rest=config.offset_steps == 0,
        stimulated=bool(tables.current.step.shape[0]),
        native=use_native(config.delivery),
        stp=shapes_of(tables.stp),
        kinds=tuple(sorted({SYNAPSE_KINDS[p.cell_type] for p in network.populations})),
    )
    fast = use_fast(config.step, static.native, eligible(static))
    static = dataclasses.replace(static, fast=fast)
    first_step = static.record_from_block * config.block_steps
    timed = timed_events(network, config, n_blocks)
    init: tuple[Array, Array] | Resume = (
        initial_values(network, config, params, v0, w0, dtype)
        if resume is None
        else checked_resume(
            resume, config, nb, network.n_neurons, len(limits), dtype, static.stp
        )
    )
    args = (params, tables, rates_of(rates, dtype, window), timed, stages, init)
    clock["prepare"] = time.perf_counter() - start
    while True:  # grows the Poisson capacity if a block ever exceeded it
        outs = run_chunks(args, static, keys, g, r, w, chunk, clock, store, progress)
        if outs is None:  # a Poisson block overflowed: twice the capacity
            static = dataclasses.replace(static, capacity=2 * static.capacity)
        elif static.fast and any(np.any(o.beyond_steps) for _, o in outs):
            # An exponential-Euler sub-step (beyond the native step): the reference.
            static = dataclasses.replace(static, fast=False)
        else:
            break
    results: list[SpikeRecording | None] = [None] * nb
    start = time.perf_counter()
    for dealt, out in outs:
        for j, variant in enumerate(dealt):
            if results[variant] is None:  # padding repeats variants
                rec = decode(
                    out, j, record, first_step, network, config, recorded, check_finite
                )
                results[variant] = with_limits(rec, out, j, limits, labels)
    final = None
    if keep_final:
        dealt, out = outs[0]  # one chunk: every variant, padding after them
        first = [int(np.flatnonzero(dealt == v)[0]) for v in range(nb)]
        final = jax.tree_util.tree_map(lambda x: np.asarray(x)[first], out.final)
        final = final._replace(step=config.offset_steps + config.n_steps)
    clock["decode"] = time.perf_counter() - start
    return BatchResult(
        tuple(rec for rec in results if rec is not None),
        final,
        MappingProxyType(clock),
        "native" if static.fast else "jax",
    )


def simulate(network: Network, config: SimConfig, key: Array) -> SpikeRecording:
    """Simulate one network; see :func:`simulate_batch`.

    Raises
    ------
    ConfigError
        On a negative count in ``config.record``, a traced index outside its
        population, spike times on stamp 0 or a Poisson window time off the step
        grid.
    NetworkError
        If a delay rounds to less than one step of ``config.dt``, or
        ``config.record`` or ``config.trace`` names a population the network does
        not have.
    NumericalError
        If a neuron's membrane potential or adaptation current became non-finite.
    """
    return simulate_batch(network, config, keys=jnp.asarray(key)[None]).recordings[0]


def split_keys(seed: int, n: int) -> Array:
    """Return ``n`` independent keys derived from an integer seed."""
    return jr.split(jr.PRNGKey(seed), n)
