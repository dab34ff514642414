"""``compensate_loss``: the weights of a projection that lost synapses, scaled up.

Rule (a compensation proposed in Petrovici et al. 2014, PLoS ONE 9, e108590;
``brunel_bss1.md`` §3.3, where the rule is noted from general knowledge, not checked
against the paper's text): a projection that lost a fraction ``l`` of its synapses in
the mapping has its remaining weights multiplied by ``1 / (1 - l)``, so the mean
input per neuron is kept (``C (1 - l) w / (1 - l) = C w``) while its variance grows by
the same factor, and neurons that lost more than the average are not helped.
"""

from __future__ import annotations

from typing import Any

from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.errors import AdaptError
from twin.network import Network

__all__ = ["compensate_loss"]

_STEP = "compensate_loss"


def compensate_loss(mapping: object) -> Step:
    """Return the step that scales each projection's weights by ``1 / (1 - loss)``.

    Parameters
    ----------
    mapping
        A :class:`twin.routing.result.WaferMapping` (its ``loss``) or a
        :class:`twin.routing.loss.LossReport`: requested and lost synapses per
        projection name.

    Returns
    -------
    Step
        ``"compensate_loss"``, to apply to the realised network (the mapped one,
        without its lost synapses); projections the report does not name are left.

    Raises
    ------
    AdaptError
        If ``mapping`` holds no loss report; when applied, if a projection lost
        every synapse (nothing left to scale).
    """
    loss = mapping if hasattr(mapping, "lost_in") else getattr(mapping, "loss", None)
    if not (hasattr(loss, "lost_in") and hasattr(loss, "requested")):
        raise AdaptError(
            f"compensate_loss: {type(mapping).__name__} has no loss report; give a "
            "WaferMapping or a LossReport"
        )

    report: Any = loss  # a LossReport (twin.routing, not imported: duck-typed)

    def apply(network: Network) -> tuple[Network, StepReport]:
        numbers: dict[str, float] = {"fraction_lost": report.fraction_lost}
        projections = []
        for proj in network.projections:
            requested = report.requested.get(proj.name, 0)
            lost = report.lost_in(proj.name)
            if not requested or not lost:
                projections.append(proj)
                continue
            if lost >= requested:
                raise AdaptError(
                    f"compensate_loss: projection {proj.name!r} lost all {requested} "
                    "synapses; no weight is left to scale, remap it"
                )
            factor = requested / (requested - lost)
            numbers[f"loss[{proj.name}]"] = lost / requested
            numbers[f"weight_factor[{proj.name}]"] = factor
            projections.append(proj.replace(weight=proj.weight * factor))
        return network.replace(projections=tuple(projections)), StepReport(
            step=_STEP,
            formula="w' = w / (1 - loss) per projection",
            source="Petrovici et al. 2014 (PLoS ONE 9, e108590), brunel_bss1.md §3.3 "
            "(rule from general knowledge there)",
            numbers=numbers,
            notes=("mean input kept, its variance x 1 / (1 - loss)",),
        )

    return Step(_STEP, apply)
