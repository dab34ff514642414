"""The twin's placement hints for a wafer job: where its mapper puts what, and why.

For ``job.json``: the chips the twin's defect map makes unusable (marocco reads the
same kind of blacklisting from the job's defects path), and, for each point of the
"30" layout, the chip the twin's mapper gives each isolated neuron (one per chip,
placed around the defects) with the mapping's synapse loss. marocco takes such a
choice as a manual placement (``marocco.manual_placement.on_hicann``); the seed's
jobs load the wafer's pre-made mappings instead, so the hints are a record to
compare with, not settings ``run.py`` applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from experiments.brunel import BrunelConfig
from experiments.brunel.layout import ISOLATED, layout_of
from experiments.brunel.mapping import SEED_PLAN_ETA, MapRequest, brunel_mapping_config
from experiments.brunel.seed_network import build_seed_network
from twin.routing import map_network
from twin.wafer import Wafer

__all__ = ["placement_hints"]


def placement_hints(
    points: Sequence[tuple[float, float]],
    seed: int,
    wafer: Wafer,
    neuron_size: int,
) -> dict[str, Any]:
    """Return the placement hints of a Brunel job's points.

    Parameters
    ----------
    points
        The job's (g, eta) points; the "30" layout is mapped once (placement does
        not depend on g, and input bandwidth is planned for eta = 3.2 as the
        seed's mapping was).
    seed
        The network seed (the seed's own realisation).
    wafer
        The twin's wafer (its defect map).
    neuron_size
        Denmems per neuron.

    Returns
    -------
    dict
        ``wafer_id``, ``unusable_hicanns`` (HICANN enums), and where a point uses
        the "30" layout, ``isolated``: ``{"population", "index", "hicann"}`` per
        isolated neuron and ``synapse_loss_fraction`` of that mapping.

    Raises
    ------
    ConfigError
        If the mapping settings are invalid.
    """
    usable = {h.enum for h in wafer.usable_hicanns()}
    total = wafer.spec.n_hicanns
    hints: dict[str, Any] = {
        "wafer_id": wafer.wafer_id,
        "unusable_hicanns": sorted(set(range(total)) - usable),
    }
    isolated = [(g, eta) for g, eta in points if layout_of(g, eta) == "30"]
    if not isolated:
        return hints
    config = BrunelConfig(
        seed=seed, network="seed", g=isolated[0][0], eta=SEED_PLAN_ETA
    )
    request = MapRequest(config=config, isolate=ISOLATED)
    mapping = map_network(
        build_seed_network(config),
        wafer,
        config=brunel_mapping_config(request, neuron_size=neuron_size),
    )
    chips = mapping.placement.hicann["exc"][:ISOLATED]
    loss = mapping.loss
    requested = sum(loss.requested.values())
    hints["isolated"] = [
        {"population": "exc", "index": i, "hicann": int(chip)}
        for i, chip in enumerate(chips)
    ]
    hints["synapse_loss_fraction"] = sum(loss.lost.values()) / requested
    return hints
