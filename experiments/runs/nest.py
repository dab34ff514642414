"""Run a ``twin.Network`` on NEST through PyNN (``pyNN.nest``): the emulator's peer.

The same ``Network`` instance is built cell for cell: per-neuron parameters, every
synapse with its weight and delay (one-to-one lists, so connectivity is identical),
Poisson sources as PyNN ``SpikeSourcePoisson`` (one generator and parrot per source, so
a source's spikes are shared by all its targets, as the seed's pool) and spike-time
sources as NEST ``spike_generator`` devices connected directly (NEST's own off-grid
rule on the user's times, see :func:`_spike_generators`). Spikes come back as a
:class:`SpikeRecording`, so the analysis code does not know which backend ran.

Known on this machine: PyNN cannot build its optional NEST extension against the
``nest-simulator`` wheel (its ``nest-config`` carries the wheel builder's paths). The
standard models used here do not need it, so that warning is silenced deliberately.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from numbers import Integral
from types import MappingProxyType, ModuleType
from typing import Any

import numpy as np

from twin.arrays import readonly
from twin.cells import CURRENT_BASED, SATURATION_DEFAULTS
from twin.errors import ConfigError, UnsupportedError
from twin.network import Network, PoissonSource, SpikeTimesSource
from twin.recording import SpikeRecording
from twin.timegrid import TimeGrid

__all__ = [
    "NEST_SEED_MAX",
    "NestConfig",
    "nest_seed_of",
    "nest_version",
    "run_nest",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class NestConfig:
    """Settings of a NEST run.

    Parameters
    ----------
    t_stop, dt
        Simulated time and resolution, ms.
    threads
        NEST threads (the benchmark machine has 2 cores).
    seed
        NEST's random seed (Poisson generators).
    record
        ``(population, count)`` pairs as in :class:`twin.analog.SimConfig`.
    v_init
        Initial membrane potential (``None``: each neuron's v_rest, like the twin).

    Raises
    ------
    ConfigError
        If ``seed`` is outside NEST's range [1, 2**32 - 2].
    """

    t_stop: float
    dt: float = 0.1
    threads: int = 2
    seed: int = 1
    record: tuple[tuple[str, int | None], ...] | None = None
    v_init: float | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.seed <= NEST_SEED_MAX:
            raise ConfigError(
                f"NEST seed {self.seed}; NEST takes seeds in [1, {NEST_SEED_MAX}] "
                "(derive one with nest_seed_of)"
            )


#: Largest seed given to NEST: its kernel refuses 0 and states the range as
#: (0, 2**32 - 1), so the twin keeps to [1, 2**32 - 2] (tests/experiments/
#: test_nest_seed_vs_nest.py sets both ends).
NEST_SEED_MAX = 2**32 - 2


def nest_seed_of(*key: int) -> int:
    """Return a valid NEST seed derived from a point's integer label.

    The one derivation of every workload's NEST seed (e.g. a realisation's seed, or
    Brunel's (seed, g, eta) in thousandths). The label is hashed (NumPy's
    ``SeedSequence``, 64 bits) and reduced to NEST's range, so distinct labels give
    distinct seeds unless by chance: about ``n**2 / 2**33`` colliding pairs among
    ``n`` labels, and no structure (unlike sums of scaled coordinates) that makes
    neighbouring grid points collide.

    Parameters
    ----------
    key
        Non-negative integers; their order matters (``(1, 2)`` differs from
        ``(2, 1)``).

    Returns
    -------
    int
        A seed in [1, :data:`NEST_SEED_MAX`].

    Raises
    ------
    ConfigError
        If no integer is given, or one is negative or not an integer.

    Examples
    --------
    >>> nest_seed_of(0) == nest_seed_of(0) and 1 <= nest_seed_of(0) <= NEST_SEED_MAX
    True
    """
    integral = [isinstance(k, Integral) and not isinstance(k, bool) for k in key]
    if not key or not all(integral) or min(key) < 0:
        raise ConfigError(
            f"NEST seed label {key!r}; give one or more integers >= 0 (e.g. the "
            "realisation seed and the point's coordinates in thousandths)"
        )
    label = [int(k) for k in key]
    state = int(np.random.SeedSequence(label).generate_state(1, np.uint64)[0])
    return state % NEST_SEED_MAX + 1


def _import_pynn() -> ModuleType:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Cannot find nest-config")
        warnings.filterwarnings("ignore", category=UserWarning, module="nest")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        try:
            import pyNN.nest as sim
        except ImportError as err:
            raise ConfigError(
                "NEST/PyNN are not installed; run `make test` (or pip install "
                "'.[nest]') to get them"
            ) from err
    return sim


def nest_version() -> str:
    """Return the NEST version string.

    Raises
    ------
    ConfigError
        If NEST or PyNN is not installed.
    """
    _import_pynn()
    import nest

    return str(nest.__version__)


def _populations(
    sim: ModuleType, network: Network, config: NestConfig, v0: np.ndarray | None
) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for pop in network.populations:
        model = getattr(sim, pop.cell_type)
        params = {
            k: np.asarray(v)
            for k, v in pop.parameters.items()
            if k not in SATURATION_DEFAULTS
        }
        for name in SATURATION_DEFAULTS:  # (current-based cells have none)
            if np.isfinite(pop.parameters.get(name, np.inf)).any():
                raise ConfigError(
                    f"population {pop.name!r}: {name} is finite (a hardware-tier "
                    "saturation); NEST has no such synapse, so run it on the twin "
                    "or use the 'ideal'/'mapped' network"
                )
        cells[pop.name] = sim.Population(pop.size, model(**params), label=pop.name)
        if v0 is not None:
            start = network.offset(pop.name)
            v_start = np.asarray(v0[start : start + pop.size])
        elif config.v_init is None:
            v_start = params["v_rest"]
        else:
            v_start = np.full(pop.size, config.v_init)
        cells[pop.name].initialize(v=v_start)
    for src in network.sources:  # spike-time sources: see _spike_generators
        if isinstance(src, PoissonSource):
            stop = np.minimum(src.stop, 1e12)
            model = sim.SpikeSourcePoisson(
                rate=np.asarray(src.rate),
                start=np.asarray(src.start),
                duration=stop - src.start,
            )
            cells[src.name] = sim.Population(src.size, model, label=src.name)
            # pyNN.nest gives its generators origin = 1 ms (windows shifted by 1 ms);
            # the twin's window is NEST's own: origin 0.
            cells[src.name].node_collection_source.set(origin=0.0)
    return cells


def _spike_generators(network: Network, config: NestConfig) -> dict[str, np.ndarray]:
    """Create one NEST ``spike_generator`` per spike train; return their node ids.

    PyNN's ``SpikeSourceArray`` relays spikes through parrots and shifts the times by
    ``min_delay``, which loses spikes before ``min_delay`` and moves off-grid times.
    A generator with ``allow_offgrid_times`` connected directly applies NEST's own
    rule to the user's times (off-grid times act at the end of their step), the rule
    the emulator follows (:meth:`twin.timegrid.TimeGrid.spike_stamps`).

    Raises
    ------
    ConfigError
        If a spike time rounds to t = 0 (never emitted, as on the emulator).
    """
    import nest

    grid = TimeGrid(config.dt)
    ids = {}
    for src in network.sources:
        if isinstance(src, SpikeTimesSource):
            for i, times in enumerate(src.spike_times):
                grid.emitted_stamps(times, f"source {src.name!r}, train {i}")
            nodes = nest.Create("spike_generator", src.size)
            nodes.set(
                [
                    {
                        "precise_times": False,
                        "allow_offgrid_times": True,
                        "spike_times": np.asarray(t),
                    }
                    for t in src.spike_times
                ]
            )
            ids[src.name] = np.asarray(nodes.tolist(), dtype=np.int64)
    return ids


def _connect(network: Network, ids: dict[str, np.ndarray]) -> None:
    import nest

    for proj in network.projections:
        pre = ids[proj.pre][proj.pre_idx]
        post = ids[proj.post][proj.post_idx]
        current = network.population(proj.post).cell_type in CURRENT_BASED
        sign = 1.0 if proj.receptor == "excitatory" or current else -1.0
        # NEST's models route negative weights (nS; pA: current-based cells, whose
        # inhibitory weights are negative already) to the inhibitory synapse, which
        # is how PyNN's 'inhibitory' receptor reaches them.
        # NEST 3 connects arbitrary id arrays one-to-one (its "connect arrays").
        spec = {
            "synapse_model": "static_synapse",
            "weight": sign * 1000.0 * proj.weight,  # µS -> nS
            "delay": proj.delay,
        }
        if proj.stp is not None:  # as pyNN.nest: tau_psc from the target's tau_syn
            tau = "tau_syn_E" if proj.receptor == "excitatory" else "tau_syn_I"
            spec |= {
                "synapse_model": "tsodyks_synapse",
                "U": proj.stp.U,
                "tau_rec": proj.stp.tau_rec,
                "tau_fac": proj.stp.tau_facil,
                "tau_psc": network.population(proj.post).parameters[tau][proj.post_idx],
            }
        nest.Connect(pre, post, {"rule": "one_to_one"}, spec)


def _precision(network: Network) -> dict[str, str]:
    """pyNN.nest's spike precision: on the grid where it picks IF_curr_exp's model.

    Off the grid (pyNN.nest's default, kept otherwise) it would run IF_curr_exp as
    iaf_psc_exp_ps; on it as iaf_psc_exp, the model the twin integrates.
    """
    if any(pop.cell_type == "IF_curr_exp" for pop in network.populations):
        return {"spike_precision": "on_grid"}
    return {}


def run_nest(
    network: Network, config: NestConfig, v0: np.ndarray | None = None
) -> tuple[SpikeRecording, float]:
    """Simulate ``network`` on NEST; return the recording and the wall time (s).

    ``v0``: initial membrane potential of every neuron, mV, shape ``(n_neurons,)``
    in network order (default: ``config.v_init``, else each neuron's v_rest).

    Raises
    ------
    ConfigError
        If NEST or PyNN is not installed, a population has a finite saturation
        conductance (``g_sat_E``/``g_sat_I``: a twin-only model), or a spike time
        rounds to t = 0 on NEST's tic grid (never emitted).
    UnsupportedError
        If the network has current stimuli (run the PyNN script on ``pyNN.nest``
        instead: ``tests/pynn/test_electrodes.py`` compares the two).
    """
    if network.stimuli:
        raise UnsupportedError(
            f"current stimuli ({len(network.stimuli)}) on this NEST runner; it runs "
            "networks without them: run the PyNN script on pyNN.nest to compare"
        )
    sim = _import_pynn()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        longest = max((float(p.delay.max()) for p in network.projections if p.size),
                      default=config.dt)  # fmt: skip
        sim.setup(
            timestep=config.dt,
            min_delay=config.dt,
            max_delay=max(longest, config.dt),
            threads=config.threads,
            rng_seed=config.seed,
            **_precision(network),
        )
        cells = _populations(sim, network, config, v0)
        nodes = {
            name: np.asarray(pop.all_cells, dtype=np.int64)
            for name, pop in cells.items()
        }
        _connect(network, nodes | _spike_generators(network, config))
        wanted = config.record or tuple((p.name, None) for p in network.populations)
        recorded = {}
        for name, count in wanted:
            view = cells[name] if count is None else cells[name][:count]
            view.record("spikes")
            n = network.population(name).size if count is None else count
            recorded[name] = network.offset(name) + np.arange(n)
        sim.run(config.t_stop)
        times, ids, counts = [], [], np.zeros(network.n_neurons, dtype=np.int64)
        for name, count in wanted:
            view = cells[name] if count is None else cells[name][:count]
            trains = view.get_data("spikes", clear=True).segments[0].spiketrains
            for i, train in enumerate(trains):
                t = np.asarray(train.magnitude, dtype=float)
                gid = recorded[name][i]
                times.append(t)
                ids.append(np.full(t.size, gid))
                counts[gid] = t.size
        sim.end()
        wall = time.perf_counter() - start
    t_all = np.concatenate(times) if times else np.zeros(0)
    id_all = np.concatenate(ids) if ids else np.zeros(0, np.int64)
    order = np.lexsort((id_all, t_all))
    recording = SpikeRecording(
        times=readonly(t_all[order]),
        ids=readonly(id_all[order]),
        recorded=MappingProxyType(recorded),
        population_offsets=MappingProxyType(
            {p.name: network.offset(p.name) for p in network.populations}
        ),
        t_stop=config.t_stop,
        dt=config.dt,
        counts=readonly(counts),
        traces=np.zeros((0, 0)),
        counters=MappingProxyType({"spikes": int(counts.sum())}),
    )
    return recording, wall
