"""The seed network's (g, eta) plane by mean-field theory: table and phase diagram.

The network is the sweep's: one realisation built at g = 1, eta = 1
(:meth:`experiments.brunel.workload.BrunelWorkload.realisation`), each point a
variant scaling the inhibitory weights by g and the Poisson rates by eta
(:meth:`~experiments.brunel.workload.BrunelWorkload.variant`), solved by
:func:`twin.theory.plane.rates_plane`. Outputs (:func:`write_plane`):

- ``theory_plane.csv`` and ``theory_plane.parquet``: one row per point, the columns
  of :meth:`twin.theory.plane.Plane.rows` with the axes named ``g`` and ``eta``;
- ``theory_plane.png``: the excitatory rate over the plane (log colour scale),
  cells hatched (each its own grid point's: :func:`cell_edges`) where there is no
  single stable fixed point, where the regular-firing flag is set and where the
  stability is unknown, the boundary of the linearly unstable region drawn between
  the points where it is known, and the simulated points of
  a sweep folder (:func:`simulated_points`) as discs coloured by their rate on the
  same scale.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from experiments.brunel.config import BrunelConfig
from experiments.brunel.network import build_network
from experiments.brunel.workload import BrunelWorkload
from twin.files import atomic_write_bytes, atomic_write_text
from twin.network import Network
from twin.theory.plane import Plane, rates_plane
from twin.theory.plane_groups import Resolution
from twin.theory.stationary import Flag
from twin.tiers import IDEAL, THEORY, THEORY_HARDWARE, THEORY_MAPPED

__all__ = [
    "FILES",
    "SimulatedPoint",
    "cell_edges",
    "plane_figure",
    "plane_network",
    "plane_rows",
    "simulated_points",
    "theory_plane",
    "write_plane",
]

#: The files :func:`write_plane` writes.
FILES: Final = ("theory_plane.csv", "theory_plane.parquet", "theory_plane.png")
#: Tiers whose rows are theory, not simulation.
THEORIES: Final = (THEORY, THEORY_MAPPED, THEORY_HARDWARE)
#: The simulated rate a sweep folder's point is drawn with.
SIMULATED_COLUMN: Final = "run_rate_exc_hz"


def plane_network(config: BrunelConfig) -> Network:
    """Return the network every point of the plane is a variant of (g = eta = 1).

    Raises
    ------
    ConfigError
        As :func:`experiments.brunel.build_network`.
    """
    return build_network(BrunelWorkload().realisation(config))


def theory_plane(
    config: BrunelConfig,
    gs: Sequence[float],
    etas: Sequence[float],
    *,
    neurons: Resolution = "cubature",
    stability: bool = True,
) -> Plane:
    """Return the theory's rates over the (g, eta) grid of ``config``'s realisation.

    The axes become scales exactly as the sweep's variants do.

    Raises
    ------
    ConfigError
        As :func:`experiments.brunel.build_network`.
    TheoryInputError, NotDescribableError
        As :func:`twin.theory.plane.rates_plane`.
    """
    workload = BrunelWorkload()
    g_scale = [workload.variant(config.replace(g=g)).g_scale for g in gs]
    rate_scale = [workload.variant(config.replace(eta=e)).rate_scale for e in etas]
    return rates_plane(
        plane_network(config),
        g_scale,
        rate_scale,
        neurons=neurons,
        stability=stability,
    )


def plane_rows(plane: Plane) -> list[dict[str, object]]:
    """Return the plane's table rows with the axes named ``g`` and ``eta``."""
    return plane.rows(("g", "eta"))


def _csv_text(rows: Sequence[dict[str, object]]) -> str:
    def cell(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, float):
            return repr(value)
        return value

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(rows[0]))
    writer.writerows([cell(v) for v in r.values()] for r in rows)
    return out.getvalue()


def _parquet_bytes(rows: Sequence[dict[str, object]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(list(rows)), buffer)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class SimulatedPoint:
    """A sweep's point: its tier (or ``NEST``), g, eta and excitatory rate (Hz).

    The rate is the mean of :data:`SIMULATED_COLUMN` over the folder's seeds.
    """

    tier: str
    g: float
    eta: float
    rate_hz: float


def simulated_points(folder: Path) -> list[SimulatedPoint]:
    """Return the simulated points of a sweep folder, per tier and (g, eta).

    ``twin brunel`` rows are labelled by their tier, ``twin nest`` rows ``NEST``;
    theory tiers' rows are left out.

    Raises
    ------
    ResultsError
        If the folder has no readable ``results.parquet`` / ``summary.csv`` with
        the columns ``g``, ``eta`` and :data:`SIMULATED_COLUMN`
        (:func:`experiments.report.load.load_summary`).
    """
    from experiments.report.load import load_summary, required_columns

    columns = required_columns(("g", "eta"), (SIMULATED_COLUMN,))
    rates: defaultdict[tuple[str, float, float], list[float]] = defaultdict(list)
    for row in load_summary(folder, columns):
        tier = str(row.get("tier", IDEAL))
        if tier in THEORIES:
            continue  # computed, not simulated
        label = "NEST" if row.get("backend") == "nest" else tier
        rates[(label, float(row["g"]), float(row["eta"]))].append(
            float(row[SIMULATED_COLUMN])
        )
    return [
        SimulatedPoint(
            tier, g, eta, float(np.nanmean(v)) if np.isfinite(v).any() else np.nan
        )
        for (tier, g, eta), v in sorted(rates.items())
    ]


def cell_edges(centres: np.ndarray) -> np.ndarray:
    """Return the edges of the cells around sorted centres, ``(n + 1,)``.

    Midpoints between neighbours, the outer cells as wide as their neighbour's
    half-distance on both sides (a single centre: a unit-wide cell) — the cells
    ``pcolormesh(..., shading="nearest")`` draws.
    """
    c = np.asarray(centres, float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    middle = 0.5 * (c[1:] + c[:-1])
    return np.concatenate(
        [[c[0] - (middle[0] - c[0])], middle, [2 * c[-1] - middle[-1]]]
    )


def _cells(g: np.ndarray, eta: np.ndarray, mask: np.ndarray, hatch: str) -> Any:
    """Return hatched rectangles over the cells where ``mask`` (``(G, R)``) holds."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    x, y = cell_edges(g), cell_edges(eta)
    boxes = [
        Rectangle((x[i], y[j]), x[i + 1] - x[i], y[j + 1] - y[j])
        for i, j in zip(*np.nonzero(mask), strict=True)
    ]
    return PatchCollection(
        boxes, facecolor="none", edgecolor="black", linewidth=0, hatch=hatch
    )


def plane_figure(plane: Plane, simulated: Sequence[SimulatedPoint] = ()) -> Any:
    """Return the phase diagram: excitatory rate over (g, eta), marks and overlay.

    Returns
    -------
    matplotlib.figure.Figure
        One panel, g along x and eta along y.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Patch
    from matplotlib.patheffects import withStroke

    g, eta = plane.g_scale, plane.rate_scale
    rate = plane.rates[..., 0]
    seen = np.concatenate([rate[np.isfinite(rate)], [p.rate_hz for p in simulated]])
    seen = seen[np.isfinite(seen) & (seen > 0)]
    low, high = (max(seen.min(), 0.01), seen.max()) if seen.size else (0.1, 100.0)
    norm = LogNorm(vmin=low, vmax=max(high, 1.0001 * low))
    fig, ax = plt.subplots(figsize=(7.5, 5.5), layout="constrained")
    shown = np.ma.masked_invalid(np.clip(rate, low, None)).T
    mesh = ax.pcolormesh(g, eta, shown, norm=norm, cmap="viridis", shading="nearest")
    fig.colorbar(mesh, ax=ax, label=f"{plane.populations[0]} rate (Hz)")
    handles = []
    regular = np.array([[Flag.REGULAR_FIRING in f for f in row] for row in plane.flags])
    unknown = np.isnan(plane.unstable) & np.isfinite(plane.resolved)
    for mask, hatch, label in (
        (~plane.stationary, "xx", "no stationary rate"),
        (regular, "//", "regular firing (flag)"),
        (unknown, "..", "stability not resolved"),
    ):
        if mask.any():
            ax.add_collection(_cells(g, eta, mask, hatch))
            handles.append(Patch(facecolor="white", hatch=hatch, label=label))
    unstable = np.ma.masked_invalid(plane.unstable)
    if 0 < unstable.sum() < unstable.count() and len(g) > 1 and len(eta) > 1:
        ax.contour(g, eta, unstable.T, levels=[0.5], colors="red", linewidths=1.5)
        handles.append(
            Patch(facecolor="none", edgecolor="red", label="unstable region")
        )
    markers = "osD^v"
    for k, tier in enumerate(dict.fromkeys(p.tier for p in simulated)):
        mine = [p for p in simulated if p.tier == tier]
        ax.scatter(
            [p.g for p in mine],
            [p.eta for p in mine],
            c=[p.rate_hz for p in mine],
            norm=norm,
            cmap="viridis",
            marker=markers[k % len(markers)],
            s=60,
            edgecolors="white",
            linewidths=1.2,
            label=f"{tier} (simulated)",
        )
        middle = 0.5 * (float(np.min(g)) + float(np.max(g)))
        for p in mine:
            right = p.g <= middle  # labels point inwards: none is cut at an edge
            ax.annotate(
                f"{p.rate_hz:.3g}",
                (p.g, p.eta),
                textcoords="offset points",
                xytext=(6 if right else -6, 5 + 9 * k),  # one line per tier
                ha="left" if right else "right",
                fontsize=7,
                color="white",
                path_effects=[withStroke(linewidth=2, foreground="black")],
            )
    ax.set_xlabel("g (relative inhibition)")
    ax.set_ylabel("eta (external rate / threshold rate)")
    ax.set_title("Mean-field theory: stationary rate over (g, eta)")
    labelled = ax.get_legend_handles_labels()[0]
    if handles or labelled:
        ax.legend(handles=[*labelled, *handles], loc="upper right", fontsize=8)
    return fig


def write_plane(
    folder: Path, plane: Plane, simulated: Sequence[SimulatedPoint] = ()
) -> list[Path]:
    """Write the plane's table (CSV, Parquet) and phase diagram into ``folder``.

    Returns
    -------
    list of Path
        The files written (:data:`FILES`), each written atomically.
    """
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    rows = plane_rows(plane)
    csv_path, parquet_path, png_path = (folder / name for name in FILES)
    written = [
        atomic_write_text(csv_path, _csv_text(rows)),
        atomic_write_bytes(parquet_path, _parquet_bytes(rows)),
    ]
    fig = plane_figure(plane, simulated)
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=120)
    plt.close(fig)
    written.append(atomic_write_bytes(png_path, image.getvalue()))
    return written
