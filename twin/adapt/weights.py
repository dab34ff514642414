"""``scale_weights(factor)``: every selected weight times one factor.

The seed's ``orig_weight`` (1.2, "additional weight factor", ``parameters.py``;
``brunel_bss1.md`` §1.2): its synaptic current is ``w = orig_weight dV C_m / tau_syn``.
The weight-factor fit varies this factor.
"""

from __future__ import annotations

from collections.abc import Iterable

from twin.adapt.checks import check_positive
from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.errors import AdaptError
from twin.network import Network, Receptor

__all__ = ["scale_weights"]

_STEP = "scale_weights"


def scale_weights(
    factor: float,
    *,
    receptors: Iterable[Receptor] = ("excitatory", "inhibitory"),
    sources: bool = True,
) -> Step:
    """Return the step that multiplies weights by ``factor``.

    Parameters
    ----------
    factor
        The factor, > 0 (the seed's ``orig_weight`` 1.2).
    receptors
        The receptors whose projections are scaled.
    sources
        Whether projections from spike sources (the external drive) are scaled too
        (the seed's factor is on every weight, the external ones included).

    Returns
    -------
    Step
        ``"scale_weights"``: ``w' = factor w`` on the selected projections.

    Raises
    ------
    AdaptError
        If ``factor`` is not finite and > 0, or a receptor is unknown.
    """
    factor = check_positive(_STEP, "factor", factor)
    chosen = tuple(receptors)
    bad = [r for r in chosen if r not in ("excitatory", "inhibitory")]
    if bad:
        raise AdaptError(
            f"scale_weights: receptors {bad}; use 'excitatory' and/or 'inhibitory'"
        )

    def apply(network: Network) -> tuple[Network, StepReport]:
        projections, numbers = [], {"factor": factor}
        for proj in network.projections:
            hit = proj.receptor in chosen and (
                sources or not network.is_source(proj.pre)
            )
            projections.append(
                proj.replace(weight=proj.weight * factor) if hit else proj
            )
            numbers[f"weight_factor[{proj.name}]"] = factor if hit else 1.0
        return network.replace(projections=tuple(projections)), StepReport(
            step=_STEP,
            formula=f"w' = {factor:g} w ({', '.join(chosen)}"
            + (", sources included)" if sources else ", recurrent only)"),
            source="the seed's orig_weight (parameters.py: w = orig_weight dV cm / "
            "tau_syn; brunel_bss1.md §1.2)",
            numbers=numbers,
        )

    return Step(_STEP, apply)
