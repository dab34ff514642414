"""The emulator's inputs from a ``Network`` and a ``SimConfig``.

Which neurons are recorded and traced, the spike-time sources binned into blocks,
the Poisson rates and windows, the initial values and a checked resumed state: host
arrays the compiled loop (:mod:`twin.analog.kernel`) takes.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from twin.analog.config import SimConfig
from twin.analog.kernel import Resume, TimedEvents
from twin.analog.params import NeuronParams
from twin.errors import ConfigError
from twin.network import Network, PoissonSource, SpikeTimesSource

__all__ = [
    "checked_resume",
    "initial_values",
    "poisson_rates",
    "recorded_ids",
    "timed_events",
    "traced_ids",
]


def recorded_ids(network: Network, config: SimConfig) -> dict[str, np.ndarray]:
    """Return the global ids of the recorded neurons of each listed population.

    Raises
    ------
    ConfigError
        If a count in ``config.record`` is negative.
    NetworkError
        If ``config.record`` names a population the network does not have.
    """
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


def traced_ids(network: Network, config: SimConfig) -> tuple[int, ...]:
    """Return the global ids of the traced neurons, in ``config.trace`` order.

    Raises
    ------
    ConfigError
        If a traced index lies outside its population.
    NetworkError
        If ``config.trace`` names a population the network does not have.
    """
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


def timed_events(network: Network, config: SimConfig, n_blocks: int) -> TimedEvents:
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


def poisson_rates(
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


def initial_values(
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


def checked_resume(
    resume: Resume,
    config: SimConfig,
    nb: int,
    n: int,
    n_stages: int,
    dtype: type,
    plastic: tuple[tuple[int, int] | None, ...] = (),
) -> Resume:
    """Return ``resume`` as arrays of ``dtype``.

    ``plastic``: the ``(rows, k)`` of the run's plastic-synapse tables
    (``Static.stp``; ``()``: none), which the state's must equal.

    Raises
    ------
    ConfigError
        If its shapes do not fit ``nb`` variants of ``n`` neurons, ``n_stages``
        rate-limit stages and the plastic synapses (a state from another network),
        or it was taken at another step than ``config.offset``.
    """
    if resume.step is not None and resume.step != config.offset_steps:
        raise ConfigError(
            f"resume: a state taken at step {resume.step} continues a run with "
            f"offset = {config.grid.session_ms(resume.step):g} ms, not {config.offset} "
            "ms; give "
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
    held = tuple(None if x is None else x.u.shape[1:] for x in resume.plastic or ())
    if held != plastic:
        raise ConfigError(
            f"resume: plastic synapses of shapes {held} do not fit this run's "
            f"{plastic}; continue a run of the same network"
        )
    cast = {"v", "w", "g_e", "g_i", "dg_e", "dg_i"}
    state = resume.state._replace(
        **{
            k: jnp.asarray(x, dtype if k in cast else None)
            for k, x in resume.state._asdict().items()
        }
    )
    plastic = jax.tree_util.tree_map(
        lambda x: jnp.asarray(x, dtype if np.asarray(x).dtype.kind == "f" else None),
        resume.plastic,
    )
    return Resume(
        state,
        jnp.asarray(pending, dtype),
        jnp.asarray(queues, dtype),
        plastic=plastic,
    )
