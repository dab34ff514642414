"""The seed sweep on the twin: 16 (g, eta) points in one batched emulator call.

Each point is analysed with the seed's protocol over its recording layout: all neurons
for g >= 7 and eta <= 1.2, otherwise the first 30 excitatory neurons (the seed's
isolated neurons). Results go to a tidy ``summary.csv`` (one row per point).
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from pathlib import Path

import jax.random as jr
import numpy as np

from experiments.analysis import Activity, activity
from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig, build_network
from experiments.io import Segment, write_population
from twin.analog import SimConfig, SpikeRecording, simulate_batch
from twin.errors import ConfigError
from twin.files import atomic_write_text

__all__ = [
    "PointResult",
    "run_nest_sweep",
    "run_twin_sweep",
    "seed_segments",
    "summary_csv",
    "write_seed_files",
    "write_summary",
]


@dataclass(frozen=True, slots=True)
class PointResult:
    """One analysed (g, eta) point."""

    g: float
    eta: float
    layout: str
    activity: Activity  # over the layout's neurons, last analysis window
    rate_exc: float  # mean rate of all excitatory neurons over the whole run, Hz
    rate_inh: float  # mean rate of all inhibitory neurons over the whole run, Hz
    recording: SpikeRecording


def _layout_neurons(config: BrunelConfig) -> np.ndarray:
    return np.arange(config.n_neurons) if config.layout == "all" else np.arange(30)


def _analyse(config: BrunelConfig, rec: SpikeRecording) -> PointResult:
    """Apply the seed's protocol to one point's recording."""
    act = activity(rec.times, rec.ids, _layout_neurons(config), config.t_stop,
                   window=config.analysis_window)  # fmt: skip
    seconds = config.t_stop * 1e-3
    return PointResult(
        g=config.g,
        eta=config.eta,
        layout=config.layout,
        activity=act,
        rate_exc=float(rec.counts[: config.n_exc].mean() / seconds),
        rate_inh=float(rec.counts[config.n_exc :].mean() / seconds),
        recording=rec,
    )


def run_twin_sweep(
    base: BrunelConfig,
    gs: tuple[float, ...] = SEED_GS,
    etas: tuple[float, ...] = SEED_ETAS,
) -> tuple[list[PointResult], dict[str, float]]:
    """Run the (g, eta) grid of one network realisation in one ``simulate_batch`` call.

    Returns
    -------
    results
        One :class:`PointResult` per point, g outer, eta inner.
    timings
        Wall times (s) of the emulator stages.
    """
    if any(g <= 0 for g in gs) or any(e <= 0 for e in etas):
        raise ConfigError(f"g and eta must be > 0, got g={gs}, eta={etas}")
    points = [(g, eta) for g in gs for eta in etas]
    reference = base.replace(g=1.0, eta=1.0)
    network = build_network(reference)
    sim = SimConfig(
        t_stop=base.t_stop,
        dt=base.dt,
        record_from=base.t_stop - base.analysis_window,
    )
    timings: dict[str, float] = {}
    start = time.perf_counter()
    recordings = simulate_batch(
        network,
        sim,
        keys=jr.split(jr.PRNGKey(base.seed), len(points)),
        g_scale=[g for g, _ in points],
        rate_scale=[eta for _, eta in points],
        timings=timings,
    )
    timings["total"] = time.perf_counter() - start
    results = [
        _analyse(base.replace(g=g, eta=eta), rec)
        for (g, eta), rec in zip(points, recordings, strict=True)
    ]
    return results, timings


def summary_csv(results: list[PointResult], platform: str = "twin") -> str:
    """Return the tidy per-point table as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "platform",
            "g",
            "eta",
            "layout",
            "n_neurons",
            "rate_hz",
            "cv",
            "global_cv",
            "rate_exc_hz",
            "rate_inh_hz",
        ]
    )
    for r in results:
        a = r.activity
        writer.writerow(
            [
                platform,
                r.g,
                r.eta,
                r.layout,
                a.n_neurons,
                f"{a.rate:.4f}",
                f"{a.cv:.4f}",
                f"{a.global_cv:.4f}",
                f"{r.rate_exc:.4f}",
                f"{r.rate_inh:.4f}",
            ]
        )
    return out.getvalue()


def write_summary(
    results: list[PointResult], path: Path, platform: str = "twin"
) -> Path:
    """Write ``summary.csv`` atomically."""
    return atomic_write_text(path, summary_csv(results, platform))


def seed_segments(
    results: list[PointResult], base: BrunelConfig, population: str
) -> list[Segment]:
    """Return one seed-layout segment per point for ``population`` ('exc' or 'inh').

    Neurons stored: the whole population for layout "all", its first 30 otherwise (as
    the seed). Only spikes of the recorded window are present; the annotation
    ``recorded_from`` (ms) says where that window starts.
    """
    segments = []
    size = base.n_exc if population == "exc" else base.n_inh
    for r in results:
        rec = r.recording
        n = size if r.layout == "all" else min(30, size)
        trains = tuple(rec.spiketrains(population)[:n])
        annotations = {
            "g": r.g,
            "eta": r.eta,
            "population_size": size,
            "sim_time": base.t_stop,
            "recorded_from": base.t_stop - base.analysis_window,
        }
        segments.append(Segment(annotations, trains))
    return segments


def write_seed_files(
    results: list[PointResult], base: BrunelConfig, out: Path
) -> list[Path]:
    """Write ``exc.h5`` and ``inh.h5`` in the seed's layout."""
    return [
        write_population(out / f"{pop}.h5", pop, seed_segments(results, base, pop))
        for pop in ("exc", "inh")
    ]


def run_nest_sweep(
    base: BrunelConfig,
    gs: tuple[float, ...] = SEED_GS,
    etas: tuple[float, ...] = SEED_ETAS,
    *,
    threads: int = 2,
    progress: bool = True,
) -> list[PointResult]:
    """Run the grid on NEST (PyNN), the network rebuilt per point as the seed does."""
    from experiments.nest_backend import NestConfig, run_nest

    results = []
    for i, (g, eta) in enumerate((g, e) for g in gs for e in etas):
        config = base.replace(g=g, eta=eta)
        network = build_network(config)
        rec, wall = run_nest(
            network,
            NestConfig(
                t_stop=base.t_stop, dt=base.dt, threads=threads, seed=base.seed + i
            ),
        )
        result = _analyse(config, rec)
        if progress:
            print(
                f"  nest g={g:g} eta={eta:g}: {result.activity.rate:8.2f} Hz "
                f"({wall:.1f} s)",
                flush=True,
            )
        results.append(result)
    return results
