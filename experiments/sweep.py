"""Sweeps of the seed experiment: configs x seeds x tiers on the twin or NEST.

``run_sweep`` takes any list of :class:`BrunelConfig` (typically the 16 (g, eta) points
times some seeds). On the twin, the points of one network realisation, tier and
recording layout run in **one** batched emulator call (g scales the inhibitory weights
and eta the input rates per variant); on NEST point by point. Every finished point is
written to disk at once when ``out`` is given, and points found there are loaded, not
recomputed, so an interrupted sweep resumes where it stopped. Each point's random
stream depends only on (seed, g, eta), so a resumed sweep equals an uninterrupted one.

Tiers are ``ideal``, ``mapped``, ``hardware`` (see :mod:`experiments.tiers`) and, with
``ablation=True``, ``hardware-no-<effect>`` for every hardware effect.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import jax.numpy as jnp
import jax.random as jr
import numpy as np
from tqdm import tqdm

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig
from experiments.result import BrunelResult, analyse, load_point, point_path, save_point
from experiments.tiers import (
    TierNetwork,
    layout_of,
    recorded_neurons,
    tier_network,
)
from twin.analog import SimConfig, SpikeRecording, simulate_batch
from twin.analog.hardware import EFFECTS, HardwareConfig, bandwidth_loss
from twin.analog.tiers import Fidelity
from twin.errors import ConfigError
from twin.network import Network, PoissonSource
from twin.routing import WaferMapping
from twin.wafer import Wafer

__all__ = ["Tier", "grid", "point_key", "run", "run_sweep", "scaled", "tier_list"]

BACKENDS = ("twin", "nest")


@dataclass(frozen=True, slots=True)
class Tier:
    """A fidelity tier, or the hardware tier with one effect switched off."""

    name: str
    fidelity: Fidelity
    hardware: HardwareConfig | None = None

    @property
    def bandwidth(self) -> bool:
        """Whether the bandwidth limits are applied after the run."""
        return self.hardware is not None and self.hardware.bandwidth


def tier_list(
    names: Sequence[str], ablation: bool = False, hardware: HardwareConfig | None = None
) -> list[Tier]:
    """Return the tiers to run: each named tier, plus the hardware ablations."""
    hw = hardware or HardwareConfig()
    tiers = []
    for name in names:
        if name not in ("ideal", "mapped", "hardware"):
            raise ConfigError(f"unknown tier {name!r}; use ideal, mapped or hardware")
        tiers.append(
            Tier(name, cast(Fidelity, name), hw if name == "hardware" else None)
        )
    if ablation:
        if "hardware" not in names:
            raise ConfigError("--ablation needs the hardware tier")
        tiers += [Tier(f"hardware-no-{e}", "hardware", hw.without(e)) for e in EFFECTS]
    return tiers


def grid(
    base: BrunelConfig,
    gs: Sequence[float] = SEED_GS,
    etas: Sequence[float] = SEED_ETAS,
    seeds: int = 1,
) -> list[BrunelConfig]:
    """Return the (g, eta) grid for ``seeds`` realisations (seed, seed + 1, ...)."""
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


def _losses(tier_net: TierNetwork) -> dict[str, float]:
    return {"synapse_loss": tier_net.synapse_loss}


def _finish_twin(
    config: BrunelConfig, rec: SpikeRecording, tier: Tier, tn: TierNetwork, wall: float
) -> list[tuple[Tier, BrunelResult]]:
    """Analyse one emulated point (and its no-bandwidth twin for the hardware tier)."""
    common: dict[str, Any] = {
        "backend": "twin",
        "layout": tn.layout,
        "neurons": tn.recorded,
        "wall": wall,
    }
    if tn.fidelity != "hardware" or tn.sites is None or not tier.bandwidth:
        return [
            (tier, analyse(config, rec, tier=tier.name, losses=_losses(tn), **common))
        ]
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
    return [(tier, analyse(config, kept, tier=tier.name, losses=counts, **common))]


class _Sweep:
    """State of one sweep: caches of mappings and tier networks, output folder."""

    def __init__(
        self, out: Path | None, wafer: Wafer | None, layout: str | None = None
    ) -> None:
        if layout not in (None, "all", "30"):
            raise ConfigError(f"unknown layout {layout!r}; use 'all', '30' or None")
        self.out = out
        self.wafer = wafer or Wafer()
        self.layout = layout
        self.mappings: dict[tuple, WaferMapping] = {}

    def layout_for(self, config: BrunelConfig) -> str:
        """Return a point's layout: the override, else the seed's rule."""
        return self.layout or layout_of(config.g, config.eta)

    def network(self, base: BrunelConfig, tier: Tier, layout: str) -> TierNetwork:
        key = (base, tier.fidelity, layout)
        tn = tier_network(
            base,
            tier.fidelity,
            layout,
            wafer=self.wafer,
            hardware=tier.hardware,
            mapping=self.mappings.get(key),
        )
        if tn.mapping is not None:
            self.mappings[key] = tn.mapping
        return tn

    def stored(
        self, backend: str, tier: Tier, config: BrunelConfig
    ) -> BrunelResult | None:
        if self.out is None:
            return None
        path = point_path(self.out, backend, tier.name, config, self.settings(tier))
        return load_point(path, config) if path.exists() else None

    def settings(self, tier: Tier) -> str:
        """Everything besides the config that determines a point: tier and wafer."""
        return repr((tier, self.wafer.wafer_id, self.wafer.defects, self.layout))

    def store(
        self,
        config: BrunelConfig,
        tier: Tier,
        result: BrunelResult,
        neurons: np.ndarray,
    ) -> None:
        if self.out is not None:
            save_point(
                point_path(
                    self.out, result.backend, tier.name, config, self.settings(tier)
                ),
                result,
                neurons,
            )


def _twin_group(
    sweep: _Sweep,
    base: BrunelConfig,
    configs: list[BrunelConfig],
    tier: Tier,
    layout: str | None,
    bar: tqdm,
) -> dict[BrunelConfig, BrunelResult]:
    """Run the points of one realisation and tier in one call.

    ``layout=None`` (the ideal tier, whose network does not depend on the layout):
    every point is analysed with its own layout.
    """
    done: dict[BrunelConfig, BrunelResult] = {}
    todo = []
    for c in configs:
        stored = sweep.stored("twin", tier, c)
        if stored is None:
            todo.append(c)
        else:
            done[c] = stored
            bar.update(1)
    if not todo:
        return done
    tn = sweep.network(base, tier, layout or "all")
    sim = SimConfig(
        t_stop=base.t_stop, dt=base.dt, record_from=base.t_stop - base.analysis_window
    )
    start = time.perf_counter()
    recs = simulate_batch(
        tn.network,
        sim,
        keys=jnp.stack([point_key(c) for c in todo]),
        g_scale=[c.g for c in todo],
        rate_scale=[c.eta for c in todo],
        capacity_scale=max(c.eta for c in configs),
    )
    wall = (time.perf_counter() - start) / len(todo)
    for c, rec in zip(todo, recs, strict=True):
        own = layout or sweep.layout_for(c)
        mine = dataclasses.replace(tn, layout=own, recorded=recorded_neurons(base, own))
        for _, result in _finish_twin(c, rec, tier, mine, wall):
            sweep.store(c, tier, result, mine.recorded)
            done[c] = result
        bar.update(1)
    return done


def _nest_point(
    sweep: _Sweep, base: BrunelConfig, config: BrunelConfig, tier: Tier, threads: int
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
    sweep.store(config, tier, result, tn.recorded)
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
        (default ``None``: the seed's rule, :func:`experiments.tiers.layout_of`).
    """
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; use 'twin' or 'nest'")
    tiers = list(tiers) if tiers is not None else tier_list(["ideal"])
    if backend == "nest" and any(t.fidelity == "hardware" for t in tiers):
        raise ConfigError(
            "NEST cannot run the hardware tier (saturating inputs, 4-bit weights are "
            "twin models); use --fidelity ideal or mapped for NEST"
        )
    sweep = _Sweep(out, wafer, layout)
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
        for tier in tiers:
            for (base, layout), members in _tier_groups(groups, tier).items():
                if backend == "twin":
                    found = _twin_group(sweep, base, members, tier, layout, bar)
                else:
                    found = {}
                    for c in members:
                        found[c] = sweep.stored("nest", tier, c) or _nest_point(
                            sweep, base, c, tier, threads
                        )
                        bar.update(1)
                results.update({(tier.name, c): r for c, r in found.items()})
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

    Examples
    --------
    >>> r = run(BrunelConfig.tiny(g=8.0, eta=0.8))
    >>> (r.backend, r.tier, r.layout), r.rate >= 0
    (('twin', 'ideal', 'all'), True)
    """
    tiers = tier_list([fidelity], hardware=hardware)
    return run_sweep([config], backend, tiers, wafer=wafer)[0]
