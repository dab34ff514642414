"""``simulate`` and ``simulate_batch``: run a ``Network`` on the emulator.

The network is converted once (parameters, push tables, source rates, spike-time
events); the compiled loop of :mod:`twin.analog.kernel` runs a batch of variants of
it; the packed spikes are decoded into one :class:`SpikeRecording` per variant.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from jax import Array

from twin.analog.delivery import DELIVERIES, use_native
from twin.analog.kernel import (
    KernelOutput,
    Resume,
    Static,
    TimedEvents,
)
from twin.analog.limits import stage_arrays
from twin.analog.params import NeuronParams, from_network
from twin.analog.poisson import block_capacity, rates_of
from twin.analog.runner import Progress, run_chunks
from twin.analog.tables import build_tables
from twin.errors import ConfigError, NumericalError
from twin.network import Network, PoissonSource, SpikeTimesSource
from twin.recording import STATE_VARIABLES, SpikeRecording
from twin.timegrid import TimeGrid, ms_to_tics

if TYPE_CHECKING:
    from twin.stages import Stage

__all__ = ["SimConfig", "simulate", "simulate_batch"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SimConfig:
    """How to run a network.

    Parameters
    ----------
    t_stop
        Simulated biological time, ms: a positive multiple of ``dt`` (as NEST's
        ``Simulate``).
    dt
        Time step, ms: a positive multiple of NEST's tic, 0.001 ms.
    record
        ``(population, count)`` pairs: record the first ``count`` neurons (``None``:
        all) of each listed population. ``None`` records every neuron.
    trace
        ``(population, index)`` pairs whose membrane potential is stored every step.
    dtype
        ``"float32"`` (fast, default) or ``"float64"`` (needs ``jax_enable_x64``).
    v_init
        Initial membrane potential, mV (``None``: each neuron's v_rest).
    record_from
        Spikes and traces are recorded from this time on (ms, in [0, t_stop); rounded
        down to a block of external input); spike counts always cover the whole run.
    block_steps
        Steps per block of external input.
    spike_chunk
        Spikes delivered per inner iteration.
    record_poisson
        Also return every event of the Poisson generators
        (``SpikeRecording.poisson_events``).
    delivery
        How spikes and external events reach the ring buffer: ``"jax"`` (the pure-JAX
        reference, any device), ``"native"`` (C++ handlers built with the system
        compiler, :mod:`twin.analog.native`; CPU only; identical spikes) or
        ``"auto"`` (native on a CPU backend when it can be built, else JAX).
    offset
        Session time of the run's first step, ms (a multiple of ``dt``, default 0):
        a run that continues another (``simulate_batch(..., resume=)``) starts there.
        Spike times, Poisson windows and current steps are session times; the
        returned spike times and traces count from the run's own start.

    Raises
    ------
    ConfigError
        If ``dt`` is not a positive multiple of 0.001 ms, ``t_stop`` not a positive
        multiple of ``dt``, ``record_from`` outside [0, t_stop), an unknown dtype,
        float64 without 64-bit JAX, ``block_steps`` or ``spike_chunk`` below 1, or
        ``offset`` negative or off the step grid, or an unknown ``delivery``.
    """

    t_stop: float
    dt: float = 0.1
    record: tuple[tuple[str, int | None], ...] | None = None
    trace: tuple[tuple[str, int], ...] = ()
    dtype: Literal["float32", "float64"] = "float32"
    v_init: float | None = None
    record_from: float = 0.0
    block_steps: int = 100
    spike_chunk: int = 64
    record_poisson: bool = False
    offset: float = 0.0
    delivery: Literal["auto", "native", "jax"] = "auto"

    def __post_init__(self) -> None:
        grid = TimeGrid(self.dt)
        grid.run_steps(self.t_stop)  # a whole, positive number of steps
        if not self.offset >= 0:
            raise ConfigError(f"offset {self.offset} ms; give a time >= 0")
        grid.device_steps(self.offset, "offset")  # on the step grid
        if not (np.isfinite(self.record_from) and 0 <= self.record_from < self.t_stop):
            raise ConfigError(
                f"record_from {self.record_from} ms; give a time in [0, t_stop = "
                f"{self.t_stop}) ms"
            )
        if self.dtype not in ("float32", "float64"):
            raise ConfigError(f"dtype {self.dtype!r}; use 'float32' or 'float64'")
        if self.dtype == "float64" and not jax.config.read("jax_enable_x64"):
            raise ConfigError(
                "dtype 'float64' needs 64-bit JAX; set jax.config.update("
                "'jax_enable_x64', True) before simulating"
            )
        if self.block_steps < 1 or self.spike_chunk < 1:
            raise ConfigError("block_steps and spike_chunk must be >= 1")
        if self.delivery not in DELIVERIES:
            raise ConfigError(
                f"delivery {self.delivery!r}; use one of {', '.join(DELIVERIES)}"
            )

    @property
    def grid(self) -> TimeGrid:
        """The step grid of the run (NEST's rules, :mod:`twin.timegrid`)."""
        return TimeGrid(self.dt)

    @property
    def n_steps(self) -> int:
        """Number of time steps of the run (``t_stop`` is a whole number of them)."""
        return self.grid.run_steps(self.t_stop)

    @property
    def offset_steps(self) -> int:
        """Session step of the run's first step."""
        return int(self.grid.device_steps(self.offset, "offset"))

    @property
    def record_from_step(self) -> int:
        """First recorded step: ``record_from`` on the tic grid, rounded down."""
        return int(ms_to_tics(self.record_from)) // self.grid.tics_per_step


def _recorded_ids(network: Network, config: SimConfig) -> dict[str, np.ndarray]:
    wanted = config.record or tuple((p.name, None) for p in network.populations)
    out = {}
    for name, count in wanted:
        pop = network.population(name)
        if count is not None and count < 0:
            raise ConfigError(
                f"record ({name!r}, {count}): give a count >= 0 (None: all)"
            )
        n = pop.size if count is None else min(count, pop.size)
        out[name] = network.offset(name) + np.arange(n)
    return out


def _traced_ids(network: Network, config: SimConfig) -> tuple[int, ...]:
    ids = []
    for name, index in config.trace:
        size = network.population(name).size
        if not 0 <= index < size:
            raise ConfigError(
                f"trace ({name!r}, {index}): index outside 0..{size - 1}; give a "
                "position within the population"
            )
        ids.append(network.offset(name) + int(index))
    return tuple(ids)


def _timed_events(network: Network, config: SimConfig, n_blocks: int) -> TimedEvents:
    """Bin the spike-time sources into (block, step) events by NEST's stamp rule.

    Raises
    ------
    ConfigError
        If a spike time falls on stamp 0 (within half a tic of t = 0), which NEST
        would never emit.
    """
    sources, stamps = [], []
    start = 0
    grid = config.grid
    for src in network.sources:
        if isinstance(src, SpikeTimesSource):
            for i, times in enumerate(src.spike_times):
                s = grid.emitted_stamps(times, f"source {src.name!r}, train {i}")
                s = s - config.offset_steps  # stamps of this run (earlier: emitted)
                s = s[(s >= 1) & (s <= config.n_steps)]
                sources.append(np.full(s.size, start + i))
                stamps.append(s)
            start += src.size
    src_a = np.concatenate(sources) if sources else np.zeros(0, np.int64)
    stamp = np.concatenate(stamps) if stamps else np.zeros(0, np.int64)
    block, step = np.divmod(stamp - 1, config.block_steps)
    per_block = np.bincount(block, minlength=n_blocks)
    width = max(int(per_block.max(initial=0)), 1)
    out_src = np.zeros((n_blocks, width), np.int32)
    out_step = np.zeros((n_blocks, width), np.int32)
    valid = np.zeros((n_blocks, width), bool)
    order = np.argsort(block, kind="stable")
    col = np.arange(order.size) - np.repeat(np.cumsum(per_block) - per_block, per_block)
    out_src[block[order], col] = src_a[order]
    out_step[block[order], col] = step[order]
    valid[block[order], col] = True
    return TimedEvents(jnp.asarray(out_src), jnp.asarray(out_step), jnp.asarray(valid))


def _poisson_rates(
    network: Network, config: SimConfig
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Return every Poisson generator's rate (Hz) and, if any has one, the windows.

    Raises
    ------
    ConfigError
        If a window's start or stop is not on the step grid.
    """
    rates, starts, stops = [], [], []
    for src in network.sources:
        if isinstance(src, PoissonSource):
            rates.append(np.asarray(src.rate, dtype=float))
            context = f"source {src.name!r} window"
            starts.append(config.grid.device_steps(src.start, context))
            stops.append(config.grid.device_steps(src.stop, context))
    if not rates:
        return np.zeros(1), None
    start, stop = np.concatenate(starts), np.concatenate(stops)
    # Without a window inside the run the kernel only drops the session's step 0.
    inside = bool(
        np.any(start > 0) or np.any(stop < config.offset_steps + config.n_steps)
    )
    window = (start - config.offset_steps, stop - config.offset_steps)
    return np.concatenate(rates), window if inside else None


def simulate_batch(
    network: Network,
    config: SimConfig,
    *,
    keys: Array,
    g_scale: Sequence[float] | None = None,
    rate_scale: Sequence[float] | None = None,
    chunk: int | None = None,
    check_finite: bool = True,
    timings: dict[str, float] | None = None,
    capacity_scale: float | None = None,
    limits: Sequence[Stage] = (),
    v0: np.ndarray | None = None,
    w0: np.ndarray | None = None,
    resume: Resume | None = None,
    finals: list[Resume] | None = None,
    compiled: MutableMapping | None = None,
    progress: Progress | None = None,
) -> list[SpikeRecording]:
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
    chunk
        Variants per compiled call (memory bound); default: all at once.
    check_finite
        Raise :class:`NumericalError` if any neuron's membrane potential or
        adaptation current became non-finite (every neuron is watched, every step).
    timings
        If given, filled with wall times (s): ``prepare`` (host conversion),
        ``compile``, ``run`` (compiled calls) and ``decode``.
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
        Continue from the state another run ended in (its ``finals``), instead of
        starting from ``v0``, ``w0``; leaves with leading axis ``nb``. The run starts
        at session time ``config.offset``, which must be where ``resume`` was taken.
    finals
        If given (a list), the run keeps its final state and appends it (a
        :class:`twin.analog.kernel.Resume`, numpy leaves with leading axis ``nb``, in
        variant order) for a run that continues it. ``resume`` and ``finals`` run all
        variants in one call on one device.
    compiled
        A store of compiled loops the caller keeps (keyed by argument shapes and
        settings, at most :data:`twin.analog.runner.KEEP_COMPILED`): a loop compiled
        before for the same ones is reused, a new one added. Default: compile anew.
    progress
        Called with the fraction of the call's simulated time done (in (0, 1]) after
        every segment of the loop (:mod:`twin.analog.runner`), for progress bars; if
        a Poisson block overflowed, the call runs again and the fraction restarts.

    Returns
    -------
    list of SpikeRecording
        One per variant, in order.

    Raises
    ------
    ConfigError
        On scales that are not finite and >= 0, not one ``g_scale`` and
        ``rate_scale`` per key, a capacity scale below the largest rate scale, a
        negative count in ``config.record``, a traced index outside its population,
        spike times on stamp 0, a stage of ``limits`` without one group per
        neuron, ``v0``/``w0`` not one finite value per neuron, or a Poisson
        window time off the step grid.
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
    if g.shape != (nb,) or r.shape != (nb,):
        raise ConfigError(f"give one g_scale and rate_scale per key ({nb} keys)")
    for name, values in (("g_scale", g), ("rate_scale", r)):
        bad = ~(np.isfinite(values) & (values >= 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ConfigError(f"{name}[{i}] = {values[i]}; give finite factors >= 0")
    if capacity_scale is not None and capacity_scale < r.max(initial=0.0):
        raise ConfigError(
            f"capacity_scale {capacity_scale} is below the largest rate scale "
            f"{r.max()}; give at least that"
        )
    clock = timings if timings is not None else {}
    start = time.perf_counter()
    dtype = jnp.float64 if config.dtype == "float64" else jnp.float32
    params = from_network(network, config.dt, dtype)
    tables = build_tables(network, config.dt, dtype, offset_steps=config.offset_steps)
    rates, window = _poisson_rates(network, config)
    n_blocks = -(-config.n_steps // config.block_steps)
    recorded = _recorded_ids(network, config)
    record = np.concatenate(list(recorded.values())) if recorded else np.zeros(0, int)
    trace = _traced_ids(network, config)
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
        keep_final=finals is not None,
        record_poisson=config.record_poisson,
        from_rest=config.offset_steps == 0,
        stimulated=bool(tables.current.step.shape[0]),
        native=use_native(config.delivery),
    )
    first_step = static.record_from_block * config.block_steps
    timed = _timed_events(network, config, n_blocks)
    init: tuple[Array, Array] | Resume = (
        _initial_values(network, config, params, v0, w0, dtype)
        if resume is None
        else _checked_resume(resume, config, nb, network.n_neurons, len(limits), dtype)
    )
    args = (params, tables, rates_of(rates, dtype, window), timed, stages, init)
    clock["prepare"] = time.perf_counter() - start
    while True:  # grows the Poisson capacity if a block ever exceeded it
        outs = run_chunks(args, static, keys, g, r, chunk, clock, compiled, progress)
        if outs is not None:
            break
        static = dataclasses.replace(static, capacity=2 * static.capacity)
    results: list[SpikeRecording | None] = [None] * nb
    start = time.perf_counter()
    for dealt, out in outs:
        for j, variant in enumerate(dealt):
            if results[variant] is None:  # padding repeats variants
                rec = _decode(
                    out, j, record, first_step, network, config, recorded, check_finite
                )
                results[variant] = _with_limits(rec, out, j, limits, labels)
    if finals is not None:
        dealt, out = outs[0]  # one chunk: every variant, padding after them
        first = [int(np.flatnonzero(dealt == v)[0]) for v in range(nb)]
        final = jax.tree_util.tree_map(lambda x: np.asarray(x)[first], out.final)
        finals.append(final._replace(step=config.offset_steps + config.n_steps))
    clock["decode"] = time.perf_counter() - start
    return [rec for rec in results if rec is not None]


def _checked_resume(
    resume: Resume, config: SimConfig, nb: int, n: int, n_stages: int, dtype: type
) -> Resume:
    """Return ``resume`` as arrays of ``dtype``.

    Raises
    ------
    ConfigError
        If its shapes do not fit ``nb`` variants of ``n`` neurons and ``n_stages``
        rate-limit stages (a state from another network), or it was taken at another
        step than ``config.offset``.
    """
    if resume.step is not None and resume.step != config.offset_steps:
        raise ConfigError(
            f"resume: a state taken at step {resume.step} continues a run with "
            f"offset = {resume.step * config.dt:g} ms, not {config.offset} ms; give "
            "that offset"
        )
    v = np.asarray(resume.state.v)
    pending = np.asarray(resume.pending)
    queues = np.asarray(resume.queues)
    if (
        v.shape != (nb, n)
        or pending.ndim != 3
        or pending.shape[::2] != (nb, 2 * n)
        or queues.shape[:2] != (nb, n_stages)
    ):
        raise ConfigError(
            f"resume: a state of shape {v.shape} (pending {pending.shape}, queues "
            f"{queues.shape}) does not fit {nb} variants of {n} neurons and "
            f"{n_stages} rate-limit stages; continue a run of the same network"
        )
    cast = {"v", "w", "g_e", "g_i"}
    state = resume.state._replace(
        **{
            k: jnp.asarray(x, dtype if k in cast else None)
            for k, x in resume.state._asdict().items()
        }
    )
    return Resume(state, jnp.asarray(pending, dtype), jnp.asarray(queues, dtype))


def _decode(
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
        _check_finite(np.asarray(out.first_nonfinite[j]), j, network, config)
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
        else _poisson_events(out.poisson, j, first_step, config),
        counters=MappingProxyType(
            {
                "spikes": int(out.counts[j].sum()),
                "poisson_events": int(out.poisson_events[j]),
                "poisson_overflow": int(out.overflow[j]),
            }
        ),
    )


def _poisson_events(
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
    times = stamp[keep][order] * config.dt
    return source[keep][order].astype(np.int64), times


def _initial_values(
    network: Network,
    config: SimConfig,
    params: NeuronParams,
    v0: np.ndarray | None,
    w0: np.ndarray | None,
    dtype: type,
) -> tuple[Array, Array]:
    """Return the initial V (mV) and w (nA) of every neuron.

    Raises
    ------
    ConfigError
        If ``v0`` or ``w0`` is not one finite value per neuron.
    """
    n = network.n_neurons
    if v0 is None:
        v0 = (
            np.asarray(params.v_rest)
            if config.v_init is None
            else np.full(n, config.v_init)
        )
    w0 = np.zeros(n) if w0 is None else w0
    out = []
    for name, values in (("v0", v0), ("w0", w0)):
        arr = np.asarray(values, dtype=float)
        if arr.shape != (n,) or not np.isfinite(arr).all():
            raise ConfigError(
                f"{name}: give one finite value per neuron ({n}), got shape {arr.shape}"
            )
        out.append(jnp.asarray(arr, dtype))
    return out[0], out[1]


def _check_finite(
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
    t = config.offset + (int(first[gid]) + 1) * config.dt  # session time
    raise NumericalError(
        f"neuron {pop.name}[{gid - starts[k]}] (id {gid}, variant {variant}) left "
        f"finite values at t = {t:g} ms ({bad.size} neurons in all); check its "
        "parameters and input (conductances, currents)"
    )


def _with_limits(
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
    return simulate_batch(network, config, keys=jnp.asarray(key)[None])[0]


def split_keys(seed: int, n: int) -> Array:
    """Return ``n`` independent keys derived from an integer seed."""
    return jr.split(jr.PRNGKey(seed), n)
