"""Sweeps of the seed experiment: configs x seeds x tiers on the twin or NEST.

``run_sweep`` takes any list of :class:`BrunelConfig` (typically the 16 (g, eta) points
times some seeds). On the twin, the points of one network realisation, tier and
recording layout run in **one** batched emulator call (g scales the inhibitory weights
and eta the input rates per variant); on NEST point by point. Every finished point is
written to disk at once when ``out`` is given, and points found there are loaded, not
recomputed, so an interrupted sweep resumes where it stopped. Each point's random
stream depends only on (seed, g, eta), so a resumed sweep equals an uninterrupted one.

Tiers are ``ideal``, ``mapped``, ``hardware`` (see :mod:`twin.tiers`) and, with
``ablation=True``, ``hardware-no-<effect>`` for every hardware effect.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jax.numpy as jnp
import jax.random as jr
import numpy as np
from tqdm import tqdm

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig
from experiments.layout import (
    LAYOUTS,
    TierNetwork,
    layout_of,
    recorded_neurons,
    tier_network,
)
from experiments.result import BrunelResult, analyse, load_point, point_path, save_point
from twin.analog import SimConfig, simulate_batch
from twin.errors import ConfigError
from twin.hardware import HardwareConfig, bandwidth_loss, spike_stages
from twin.hardware.stages import Stage
from twin.network import Network, PoissonSource
from twin.recording import SpikeRecording
from twin.routing import WaferMapping
from twin.stack import stack, unstack
from twin.tiers import ABLATION_PREFIX, Tier, tier_list
from twin.wafer import Wafer

__all__ = [
    "SweepState",
    "Tier",
    "finish_twin",
    "grid",
    "point_key",
    "run",
    "run_sweep",
    "scaled",
    "sim_config",
    "stacked_stages",
    "tier_list",
]

BACKENDS = ("twin", "nest")


def grid(
    base: BrunelConfig,
    gs: Sequence[float] = SEED_GS,
    etas: Sequence[float] = SEED_ETAS,
    seeds: int = 1,
) -> list[BrunelConfig]:
    """Return the (g, eta) grid for ``seeds`` realisations (seed, seed + 1, ...).

    Raises
    ------
    ConfigError
        If ``seeds`` < 1, or a value of ``gs`` or ``etas`` makes an invalid
        configuration (not > 0; see :class:`experiments.brunel.BrunelConfig`).
    """
    if seeds < 1:
        raise ConfigError(f"seeds = {seeds}; run at least one realisation")
    return [
        base.replace(g=g, eta=eta, seed=base.seed + k)
        for k in range(seeds)
        for g in gs
        for eta in etas
    ]


def point_key(config: BrunelConfig) -> jnp.ndarray:
    """Return the PRNG key of one point: a function of (seed, g, eta) only."""
    key = jr.fold_in(jr.PRNGKey(config.seed), round(config.g * 1000))
    return jr.fold_in(key, round(config.eta * 1000))


def scaled(network: Network, g: float, eta: float) -> Network:
    """Return the reference network (g = 1, eta = 1) moved to (g, eta).

    Inhibitory weights × g, Poisson rates × eta: what the emulator's batch does per
    variant.

    Raises
    ------
    NetworkError
        If a scaled weight or rate is negative or not finite (``g`` or ``eta``
        negative, infinite or NaN).
    """
    projections = tuple(
        p.replace(weight=p.weight * g) if p.receptor == "inhibitory" else p
        for p in network.projections
    )
    sources = tuple(
        dataclasses.replace(s, rate=np.asarray(s.rate) * eta)
        if isinstance(s, PoissonSource)
        else s
        for s in network.sources
    )
    return network.replace(projections=projections, sources=sources)


def sim_config(base: BrunelConfig) -> SimConfig:
    """Return the emulator settings of a point: spikes kept for the analysis window.

    Raises
    ------
    ConfigError
        If ``base.dt`` is not a positive multiple of 0.001 ms, ``base.t_stop`` is not
        a whole number of its steps, or ``base.analysis_window`` is not positive.
    """
    return SimConfig(
        t_stop=base.t_stop, dt=base.dt, record_from=base.t_stop - base.analysis_window
    )


def _losses(tier_net: TierNetwork) -> dict[str, float]:
    return {"synapse_loss": tier_net.synapse_loss}


def finish_twin(
    config: BrunelConfig,
    rec: SpikeRecording,
    tier: Tier,
    tn: TierNetwork,
    wall: float,
) -> BrunelResult:
    """Analyse one emulated point; the hardware tier's rate limits act here.

    Parameters
    ----------
    config
        The point.
    rec
        Its spikes (one variant of a batched call, one copy of a stack).
    tier, tn
        The tier and the network that was run.
    wall
        Wall time charged to the point, s.

    Raises
    ------
    ConfigError
        If ``config.analysis_window`` is not positive.
    WaferSpecError
        If the tier applies bandwidth limits and its hardware ``limits`` lack
        ``recording_per_hicann``, ``input_per_hicann`` or ``input_per_fpga``.
    """
    common: dict[str, Any] = {
        "backend": "twin",
        "layout": tn.layout,
        "neurons": tn.recorded,
        "wall": wall,
    }
    if tn.fidelity != "hardware" or tn.sites is None or not tier.bandwidth:
        return analyse(config, rec, tier=tier.name, losses=_losses(tn), **common)
    sources = {
        s.name: np.asarray(s.rate) * config.eta
        for s in tn.network.sources
        if isinstance(s, PoissonSource)
    }
    kept, losses = bandwidth_loss(
        rec,
        tn.sites,
        tn.recorded,
        sources,
        tier.hardware or HardwareConfig(),
        seed=config.seed,
    )
    counts = _losses(tn) | {
        f"dropped_{k}": float(v.total_dropped) for k, v in losses.items()
    }
    counts |= {f"offered_{k}": float(v.total_offered) for k, v in losses.items()}
    groups = {
        k: {u: (n, v.dropped.get(u, 0)) for u, n in v.offered.items()}
        for k, v in losses.items()
    }
    return analyse(config, kept, tier=tier.name, losses=counts, groups=groups, **common)


class SweepState:
    """State of one sweep: the wafer, the layout rule, cached mappings, output folder.

    Parameters
    ----------
    out
        Folder of the finished points (``None``: keep nothing).
    wafer
        The wafer to map on (default: a perfect one).
    layout
        ``"all"`` or ``"30"`` at every point, or ``None`` for the seed's rule.

    Raises
    ------
    ConfigError
        If ``layout`` is not ``"all"``, ``"30"`` or ``None``.
    """

    def __init__(
        self, out: Path | None, wafer: Wafer | None, layout: str | None = None
    ) -> None:
        if layout is not None and layout not in LAYOUTS:
            raise ConfigError(f"unknown layout {layout!r}; use 'all', '30' or None")
        self.out = out
        self.wafer = wafer or Wafer()
        self.layout = layout
        self.mappings: dict[tuple, WaferMapping] = {}

    def layout_for(self, config: BrunelConfig) -> str:
        """Return a point's layout: the override, else the seed's rule."""
        return self.layout or layout_of(config.g, config.eta)

    def network(self, base: BrunelConfig, tier: Tier, layout: str) -> TierNetwork:
        """Build a tier network, reusing the mapping of an earlier call.

        Raises
        ------
        ConfigError
            If the tier's fidelity or ``layout`` is unknown, or the network cannot
            be built (see :func:`experiments.layout.tier_network`).
        NetworkError
            If the built or transformed network is invalid (see
            :func:`experiments.layout.tier_network`).
        PlacementError
            If the network cannot be placed on the sweep's wafer (see
            :func:`experiments.layout.tier_network`).
        """
        key = (base, tier.fidelity, layout)
        tn = tier_network(
            base, tier, layout, wafer=self.wafer, mapping=self.mappings.get(key)
        )
        if tn.mapping is not None:
            self.mappings[key] = tn.mapping
        return tn

    def settings(self, tier: Tier, unit: tuple[str, ...]) -> str:
        """Everything besides the config that determines a point.

        The tier, the wafer, the layout override and the tiers run with it in one
        stacked call (``unit``: their random streams depend on each other).
        """
        return repr((tier, self.wafer.wafer_id, self.wafer.defects, self.layout, unit))

    def path(
        self, backend: str, tier: Tier, config: BrunelConfig, unit: tuple[str, ...]
    ) -> Path | None:
        """Where a point of ``tier`` run in ``unit`` is stored (``None``: nowhere)."""
        if self.out is None:
            return None
        settings = self.settings(tier, unit)
        return point_path(self.out, backend, tier.name, config, settings)

    def stored(
        self, backend: str, tier: Tier, config: BrunelConfig, unit: tuple[str, ...]
    ) -> BrunelResult | None:
        """Load a finished point, or return ``None``.

        Raises
        ------
        ResultsError
            If the stored file cannot be read (see
            :func:`experiments.result.load_point`).
        ConfigError
            If ``config.analysis_window`` is not positive.
        """
        path = self.path(backend, tier, config, unit)
        return load_point(path, config) if path and path.exists() else None

    def store(
        self,
        config: BrunelConfig,
        tier: Tier,
        unit: tuple[str, ...],
        result: BrunelResult,
        neurons: np.ndarray,
    ) -> None:
        """Write a finished point (if the sweep has an output folder)."""
        path = self.path(result.backend, tier, config, unit)
        if path is not None:
            save_point(path, result, neurons)


@dataclass(frozen=True, slots=True)
class _Unit:
    """Tiers emulated together: one network, or copies stacked in one call."""

    run: tuple[Tier, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.run)


def _units(tiers: Sequence[Tier], backend: str) -> list[_Unit]:
    """Group the tiers into emulator calls: the ablation variants run stacked."""
    if backend != "twin":
        return [_Unit((t,)) for t in tiers]
    units = [_Unit((t,)) for t in tiers if not t.name.startswith(ABLATION_PREFIX)]
    stacked = tuple(t for t in tiers if t.name.startswith(ABLATION_PREFIX))
    if stacked:
        units.append(_Unit(stacked))
    return units


def stacked_stages(nets: Sequence[TierNetwork]) -> tuple[list[Stage], list[int]]:
    """Return the in-run rate limits of (stacked) tier networks.

    Group ids of copy ``k`` are shifted by the returned ``offsets[k]``, so the copies'
    groups stay apart.

    Raises
    ------
    WaferSpecError
        If a copy applies bandwidth limits and its hardware ``limits`` lack
        ``priority_encoder`` or ``dnc_merger``.
    """
    per_copy = [
        spike_stages(tn.sites, tn.hardware)
        if tn.hardware is not None and tn.sites is not None
        else []
        for tn in nets
    ]
    template = next((st for st in per_copy if st), [])
    span = 1 + max(
        (int(st.group.max(initial=-1)) for copy in per_copy for st in copy), default=0
    )
    offsets = [k * span for k in range(len(nets))]
    stages = []
    for k, proto in enumerate(template):
        groups = []
        for tn, copy, offset in zip(nets, per_copy, offsets, strict=True):
            g = copy[k].group if copy else np.full(tn.network.n_neurons, -1)
            groups.append(np.where(g >= 0, g + offset, -1))
        stages.append(dataclasses.replace(proto, group=np.concatenate(groups)))
    return stages, offsets


def _own_counts(rec: SpikeRecording, lo: int, hi: int) -> SpikeRecording:
    """Keep the rate-limit counts of the groups ``lo <= id < hi`` (one copy's)."""
    counts, counters = {}, dict(rec.counters)
    for name, (ids, offered, dropped) in rec.limit_counts.items():
        mine = (ids >= lo) & (ids < hi)
        counts[name] = np.stack([ids[mine] - lo, offered[mine], dropped[mine]])
        counters[f"offered_{name}"] = int(offered[mine].sum())
        counters[f"dropped_{name}"] = int(dropped[mine].sum())
    return dataclasses.replace(
        rec,
        limit_counts=MappingProxyType(counts),
        counters=MappingProxyType(counters),
    )


def _twin_group(
    sweep: SweepState,
    base: BrunelConfig,
    configs: list[BrunelConfig],
    unit: _Unit,
    layout: str | None,
    bar: tqdm,
) -> dict[tuple[str, BrunelConfig], BrunelResult]:
    """Run the points of one realisation and unit of tiers in one call.

    ``layout=None`` (the ideal tier, whose network does not depend on the layout):
    every point is analysed with its own layout.
    """
    done: dict[tuple[str, BrunelConfig], BrunelResult] = {}
    tiers = unit.run
    todo = []
    for c in configs:
        stored = [sweep.stored("twin", t, c, unit.names) for t in tiers]
        if any(r is None for r in stored):
            todo.append(c)
            continue
        done.update({(t.name, c): r for t, r in zip(tiers, stored, strict=True) if r})
        bar.update(len(tiers))
    if not todo:
        return done
    nets = [sweep.network(base, t, layout or "all") for t in unit.run]
    if len(nets) == 1:
        network = nets[0].network
    else:
        network = stack([n.network for n in nets], share_sources=True)
    sim = sim_config(base)
    stages, offsets = stacked_stages(nets)
    start = time.perf_counter()
    recs = simulate_batch(
        network,
        sim,
        keys=jnp.stack([point_key(c) for c in todo]),
        g_scale=[c.g for c in todo],
        rate_scale=[c.eta for c in todo],
        capacity_scale=max(c.eta for c in configs),
        limits=stages,
    )
    wall = (time.perf_counter() - start) / len(todo)
    for c, rec in zip(todo, recs, strict=True):
        parts = [rec] if len(nets) == 1 else unstack(rec, [n.network for n in nets])
        bounds = [*offsets[1:], 2**62]
        parts = [
            _own_counts(p, lo, hi)
            for p, lo, hi in zip(parts, offsets, bounds, strict=True)
        ]
        own = layout or sweep.layout_for(c)
        for tier, tn, part in zip(unit.run, nets, parts, strict=True):
            mine = dataclasses.replace(
                tn, layout=own, recorded=recorded_neurons(base, own)
            )
            result = finish_twin(c, part, tier, mine, wall)
            sweep.store(c, tier, unit.names, result, mine.recorded)
            done[(tier.name, c)] = result
        bar.update(len(tiers))
    return done


def _nest_point(
    sweep: SweepState,
    base: BrunelConfig,
    config: BrunelConfig,
    tier: Tier,
    threads: int,
) -> BrunelResult:
    from experiments.nest_backend import NestConfig, run_nest

    layout = sweep.layout_for(config)
    tn = sweep.network(base, tier, layout)
    rec, wall = run_nest(
        scaled(tn.network, config.g, config.eta),
        NestConfig(
            t_stop=config.t_stop,
            dt=config.dt,
            threads=threads,
            seed=config.seed * 1000 + round(config.g * 10) + round(config.eta * 100),
        ),
    )
    result = analyse(
        config,
        rec,
        backend="nest",
        tier=tier.name,
        layout=layout,
        neurons=tn.recorded,
        losses=_losses(tn),
        wall=wall,
    )
    sweep.store(config, tier, (tier.name,), result, tn.recorded)
    return result


def _tier_groups(
    groups: dict[tuple[BrunelConfig, str], list[BrunelConfig]], tier: Tier
) -> dict[tuple[BrunelConfig, str | None], list[BrunelConfig]]:
    """Merge the layouts of a realisation for the ideal tier (one network for both)."""
    if tier.fidelity != "ideal":
        return {(base, layout): members for (base, layout), members in groups.items()}
    merged: dict[tuple[BrunelConfig, str | None], list[BrunelConfig]] = {}
    for (base, _), members in groups.items():
        merged.setdefault((base, None), []).extend(members)
    return merged


def run_sweep(
    configs: Sequence[BrunelConfig],
    backend: str = "twin",
    tiers: Sequence[Tier] | None = None,
    *,
    out: Path | None = None,
    wafer: Wafer | None = None,
    threads: int = 2,
    progress: bool = False,
    layout: str | None = None,
) -> list[BrunelResult]:
    """Run every config at every tier; return the results (tier-major, configs order).

    Parameters
    ----------
    configs
        Points and seeds (:func:`grid`).
    backend
        ``"twin"`` (batched emulator) or ``"nest"`` (PyNN + NEST; tiers ideal, mapped).
    tiers
        Default: ``ideal`` only.
    out
        Folder for the per-point files (resume); ``None``: nothing written.
    wafer
        The wafer the mapped tiers use (default: perfect).
    threads
        NEST threads.
    progress
        Show a progress bar (stderr).
    layout
        Record ``"all"`` neurons or the ``"30"`` isolated ones at every point
        (default ``None``: the seed's rule, :func:`experiments.layout.layout_of`).

    Raises
    ------
    ConfigError
        If ``backend`` or ``layout`` is unknown, NEST is asked for the hardware
        tier or is not installed, a tier names an unknown fidelity, or a point
        cannot be built or run: a network distribution that cannot be drawn,
        ``t_stop`` not a whole number of steps of ``dt`` (twin), an analysis window
        that is not positive, or an unknown capacitor or speed mode of the hardware
        tier.
    NetworkError
        If a built network is invalid (e.g. a delay shorter than ``dt``), or the
        hardware transforms give a neuron parameters outside its cell type's
        bounds.
    PlacementError
        If the wafer of the mapped or hardware tier cannot hold a single neuron, or
        the ``"30"`` layout isolates more excitatory neurons than the network has.
    WaferSpecError
        If a hardware tier applies bandwidth limits its ``limits`` do not define.
    ResultsError
        If a point file found in ``out`` cannot be read.
    NumericalError
        If an emulated neuron's membrane potential or adaptation current becomes
        non-finite (twin).
    """
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; use 'twin' or 'nest'")
    tiers = list(tiers) if tiers is not None else tier_list(["ideal"])
    if backend == "nest" and any(t.fidelity == "hardware" for t in tiers):
        raise ConfigError(
            "NEST cannot run the hardware tier (saturating inputs, 4-bit weights are "
            "twin models); use --fidelity ideal or mapped for NEST"
        )
    sweep = SweepState(out, wafer, layout)
    groups: dict[tuple[BrunelConfig, str], list[BrunelConfig]] = {}
    for c in configs:
        groups.setdefault((c.replace(g=1.0, eta=1.0), sweep.layout_for(c)), []).append(
            c
        )
    results: dict[tuple[str, BrunelConfig], BrunelResult] = {}
    with tqdm(
        total=len(configs) * len(tiers),
        unit="point",
        disable=not progress,
        desc=f"{backend} sweep",
    ) as bar:
        for unit in _units(tiers, backend):
            for (base, layout), members in _tier_groups(groups, unit.run[0]).items():
                if backend == "twin":
                    found = _twin_group(sweep, base, members, unit, layout, bar)
                    results.update(found)
                    continue
                (tier,) = unit.run
                for c in members:
                    results[(tier.name, c)] = sweep.stored(
                        "nest", tier, c, unit.names
                    ) or _nest_point(sweep, base, c, tier, threads)
                    bar.update(1)
    return [results[(t.name, c)] for t in tiers for c in configs]


def run(
    config: BrunelConfig,
    backend: str = "twin",
    fidelity: str = "ideal",
    *,
    hardware: HardwareConfig | None = None,
    wafer: Wafer | None = None,
) -> BrunelResult:
    """Run one point of the seed experiment and analyse it with the seed's protocol.

    Raises
    ------
    ConfigError
        If ``backend`` or ``fidelity`` is unknown, NEST is asked for the hardware
        tier or is not installed, or the point cannot be built or run (see
        :func:`run_sweep`).
    NetworkError
        If the built network is invalid (see :func:`run_sweep`).
    PlacementError
        If ``wafer`` cannot hold the mapped or hardware tier's network (see
        :func:`run_sweep`).
    WaferSpecError
        If the hardware tier applies bandwidth limits ``hardware.limits`` does not
        define.
    NumericalError
        If an emulated neuron's state becomes non-finite (twin).

    Examples
    --------
    >>> r = run(BrunelConfig.tiny(g=8.0, eta=0.8))
    >>> (r.backend, r.tier, r.layout), r.rate >= 0
    (('twin', 'ideal', 'all'), True)
    """
    tiers = tier_list([fidelity], hardware=hardware)
    return run_sweep([config], backend, tiers, wafer=wafer)[0]
