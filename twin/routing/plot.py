"""Pictures of a mapping: wafer with placement, routes and load; loss per projection."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from twin.routing.busgraph import NODES_PER_CHIP
from twin.routing.loss import LossReason
from twin.routing.mapping import WaferMapping
from twin.wafer.draw import draw_wafer

__all__ = ["bus_load", "draw_loss", "draw_mapping", "route_segments"]


def route_segments(mapping: WaferMapping) -> list[tuple[int, int]]:
    """Return the distinct chip-to-chip hops of all route trees."""
    pairs = set()
    for parents in mapping.l1.tree.values():
        for node, parent in parents.items():
            a, b = node // NODES_PER_CHIP, parent // NODES_PER_CHIP
            if parent >= 0 and a != b:
                pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def bus_load(mapping: WaferMapping) -> dict[int, int]:
    """Return chip enum -> number of its L1 buses used by routes."""
    load: dict[int, int] = {}
    for parents in mapping.l1.tree.values():
        for node in parents:
            chip = node // NODES_PER_CHIP
            load[chip] = load.get(chip, 0) + 1
    return load


def draw_mapping(mapping: WaferMapping) -> Figure:
    """Draw the wafer: neurons per chip (blue), routes (orange), buses used (text)."""
    loss = mapping.loss
    title = (
        f"{mapping.network.n_neurons} neurons on "
        f"{len(mapping.placement.used_hicanns())} "
        f"chips, {loss.fraction_lost:.1%} of {loss.total_requested:,} synapses lost "
        f"({mapping.config.strategy}, {mapping.config.router})"
    )
    return draw_wafer(
        mapping.wafer,
        chip_values=mapping.placement.neurons_per_hicann(),
        routes=route_segments(mapping),
        chip_labels={c: str(n) for c, n in bus_load(mapping).items()},
        title=title,
    )


def draw_loss(mapping: WaferMapping) -> Figure:
    """Draw requested vs lost synapses per projection, lost split by reason."""
    rows = mapping.loss.table()
    names = [str(r["projection"]) for r in rows]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = np.arange(len(rows))
    bottom = np.zeros(len(rows))
    ax.bar(x, [float(r["realised"]) for r in rows], color="0.75", label="realised")  # type: ignore[arg-type]
    bottom += [float(r["realised"]) for r in rows]  # type: ignore[arg-type]
    for reason in LossReason:
        counts = np.array([float(r[reason.value]) for r in rows])  # type: ignore[arg-type]
        if counts.any():
            ax.bar(x, counts, bottom=bottom, label=reason.value)
            bottom += counts
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("synapses")
    ax.set_title(f"synapse loss: {mapping.loss.fraction_lost:.1%}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
