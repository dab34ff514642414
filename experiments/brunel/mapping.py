"""The ``twin map`` job: map the seed network, write its files, compare strategies."""

from __future__ import annotations

import json
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.brunel import BrunelConfig
from twin.errors import ConfigError
from twin.files import atomic_write_bytes, atomic_write_text
from twin.network import Network
from twin.routing import MappingConfig, WaferMapping, map_network
from twin.wafer import Wafer

__all__ = [
    "MapRequest",
    "brunel_mapping_config",
    "compare_table",
    "loss_table_text",
    "mapping_summary",
    "write_mapping",
]

#: The seed mapping was made once for the sweep's highest external rate.
SEED_PLAN_ETA = 3.2


@dataclass(frozen=True, slots=True, kw_only=True)
class MapRequest:
    """What ``twin map`` was asked to do.

    Parameters
    ----------
    config
        The seed network's configuration.
    isolate
        Number of excitatory neurons (the first ones) to isolate, one per chip.
    plan_eta
        The external rate input bandwidth is planned for (as eta).

    Raises
    ------
    ConfigError
        If ``isolate`` is not an integer >= 0.
    """

    config: BrunelConfig
    isolate: int = 0
    plan_eta: float = SEED_PLAN_ETA

    def __post_init__(self) -> None:
        if isinstance(self.isolate, bool) or not isinstance(self.isolate, int):
            raise ConfigError(
                f"twin map: isolate = {self.isolate!r} is not an integer; give the "
                "number of neurons to isolate (0 for none)"
            )
        if self.isolate < 0:
            raise ConfigError(
                f"twin map: isolate = {self.isolate} is negative; give the number of "
                "neurons to isolate (0 for none)"
            )


def brunel_mapping_config(request: MapRequest, **changes: object) -> MappingConfig:
    """Return the seed's mapping settings.

    The first ``isolate`` excitatory neurons sit alone on their chips, and input
    bandwidth is planned for ``plan_eta`` (the sweep's highest external rate).

    Raises
    ------
    ConfigError
        If ``changes`` give an invalid option (see :class:`twin.routing.MappingConfig`)
        or ``request.plan_eta`` is infinite.
    WaferSpecError
        If ``changes`` give a ``neuron_size`` that is not an even number in 2..64.
    """
    base = MappingConfig(
        isolate=tuple(("exc", i) for i in range(request.isolate)),
        input_rate_scale=max(1.0, request.plan_eta / request.config.eta),
    )
    return base.replace(**changes)


def hop_stats(mapping: WaferMapping) -> tuple[float, int]:
    """Mean and maximum chips per route over realised synapses."""
    hops = np.concatenate([h[h >= 0] for h in mapping.hops.values()] or [np.zeros(0)])
    return (float(hops.mean()), int(hops.max())) if hops.size else (0.0, 0)


def max_bus_load(mapping: WaferMapping) -> float:
    """Largest fraction of a chip's 320 L1 buses used by routes."""
    from twin.routing.plot import bus_load

    return max(bus_load(mapping).values(), default=0) / 320


def mapping_summary(mapping: WaferMapping) -> dict[str, object]:
    """Return a JSON-ready summary: settings, totals, loss table, timings."""
    mean_hops, max_hops = hop_stats(mapping)
    cfg = mapping.config
    return {
        "config": {
            "neuron_size": cfg.neuron_size,
            "strategy": cfg.strategy,
            "router": cfg.router,
            "isolate": len(cfg.isolate),
            "driver_chain_length": cfg.driver_chain_length,
            "max_neurons_per_hicann": cfg.max_neurons_per_hicann,
            "input_rate_scale": cfg.input_rate_scale,
        },
        "wafer": {
            "wafer_id": mapping.wafer.wafer_id,
            "usable_hicanns": len(mapping.wafer.usable_hicanns()),
        },
        "neurons": mapping.network.n_neurons,
        "hicanns_with_neurons": len(mapping.placement.used_hicanns()),
        "source_buses": len(mapping.buses.used_buses()),
        "synapses_requested": mapping.loss.total_requested,
        "synapses_realised": mapping.loss.total_realised,
        "fraction_lost": mapping.loss.fraction_lost,
        "lost_by_reason": {k.value: v for k, v in mapping.loss.by_reason().items()},
        "loss_table": mapping.loss.table(),
        "hops_mean": mean_hops,
        "hops_max": max_hops,
        "max_bus_load": max_bus_load(mapping),
        "timings_s": dict(mapping.timings),
    }


def loss_table_text(mapping: WaferMapping) -> str:
    """Return the per-projection loss table as aligned text."""
    lines = [
        f"{'projection':<12}{'requested':>11}{'realised':>11}{'lost':>9}{'lost %':>8}"
    ]
    for row in mapping.loss.table():
        lines.append(
            f"{row['projection']!s:<12}{row['requested']:>11,}{row['realised']:>11,}"
            f"{row['lost']:>9,}{100 * float(row['fraction_lost']):>7.1f}%"  # type: ignore[arg-type]
        )
    loss = mapping.loss
    lines.append(
        f"{'total':<12}{loss.total_requested:>11,}{loss.total_realised:>11,}"
        f"{loss.total_lost:>9,}{100 * loss.fraction_lost:>7.1f}%"
    )
    reasons = ", ".join(f"{k.value} {v:,}" for k, v in loss.by_reason().items())
    lines.append(f"lost by reason: {reasons or 'none'}")
    return "\n".join(lines)


def write_mapping(mapping: WaferMapping, out: Path) -> list[Path]:
    """Write mapping.json, implemented_routes.pickle, wafer.png, loss.png to ``out``."""
    from twin.routing.plot import draw_loss, draw_mapping
    from twin.wafer.draw import save_figure

    out.mkdir(parents=True, exist_ok=True)
    routes = pickle.dumps(mapping.implemented_routes(), protocol=4)
    return [
        atomic_write_text(
            out / "mapping.json", json.dumps(mapping_summary(mapping), indent=1)
        ),
        atomic_write_bytes(out / "implemented_routes.pickle", routes),
        save_figure(draw_mapping(mapping), out / "wafer.png"),
        save_figure(draw_loss(mapping), out / "loss.png"),
    ]


def compare_table(network: Network, wafer: Wafer, base: MappingConfig) -> str:
    """Map with every strategy × router and return one comparison table.

    Raises
    ------
    PlacementError
        If no neuron can be placed on ``wafer``, or the pins or isolated neurons of
        ``base`` do not fit the network or the wafer.
    WaferSpecError
        If ``base.bandwidth`` has no ``input_per_hicann`` or ``input_per_fpga``
        limit.
    """
    lines = [
        f"{'strategy':<9}{'router':<10}{'loss %':>8}{'hops mean':>10}{'hops max':>9}"
        f"{'max bus load':>13}{'time s':>8}"
    ]
    for strategy in ("enum", "spiral", "cluster"):
        for router in ("backbone", "shortest"):
            start = time.perf_counter()
            m = map_network(
                network, wafer, config=base.replace(strategy=strategy, router=router)
            )
            elapsed = time.perf_counter() - start
            mean_hops, max_hops = hop_stats(m)
            lines.append(
                f"{strategy:<9}{router:<10}{100 * m.loss.fraction_lost:>8.2f}"
                f"{mean_hops:>10.2f}"
                f"{max_hops:>9}{100 * max_bus_load(m):>12.1f}%{elapsed:>8.1f}"
            )
    return "\n".join(lines)
