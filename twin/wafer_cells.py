"""The cell types the wafer runs, and the refusal of the others before any mapping.

BrainScaleS-1 neurons are conductance-based AdEx circuits with exponential synaptic
conductances. A network of other cells (current-based ``IF_curr_exp`` and
``IF_curr_alpha``, alpha-shaped ``IF_cond_alpha`` and ``EIF_cond_alpha_isfa_ista``)
runs on the ideal tier, as NEST runs it; the wafer mapping (the mapped and hardware
tiers) and the hardware transforms refuse it with a clear error instead of
converting it silently. The way
to the wafer is an explicit conversion to conductance-based synapses (the planned
``twin.adapt`` pipeline), whose result the twin can then run beside the original.
"""

from __future__ import annotations

from typing import Final

from twin.cells import SYNAPSE_KINDS
from twin.errors import UnsupportedError
from twin.network import Network

__all__ = ["WAFER_KINDS", "check_wafer_cells"]

#: Synapse kinds the wafer has (:data:`twin.cells.SYNAPSE_KINDS`).
WAFER_KINDS: Final = frozenset({"cond_exp"})


def check_wafer_cells(network: Network, where: str) -> None:
    """Raise unless every population of ``network`` has a cell type the wafer runs.

    Parameters
    ----------
    network
        The network a wafer tier is about to map, transform or describe.
    where
        The tier or step that refuses, for the message (e.g. ``"the mapped tier"``,
        ``"the theory tiers"``: the mean-field theory describes exponential
        conductances only).

    Raises
    ------
    UnsupportedError
        Naming the first population whose cell type is not conductance-based with
        exponential synapses, and the way to run it: the ideal tier, or a
        conversion to conductance-based synapses first.

    Examples
    --------
    >>> from twin import Network, Population
    >>> net = Network(populations=(Population(name="p", size=1,
    ...                                       cell_type="IF_curr_exp"),))
    >>> check_wafer_cells(net, "the mapped tier")
    Traceback (most recent call last):
    ...
    twin.errors.UnsupportedError: population 'p' is IF_curr_exp (current-based ...
    """
    for pop in network.populations:
        kind = SYNAPSE_KINDS[pop.cell_type]
        if kind in WAFER_KINDS:
            continue
        shape = "current-based" if kind.startswith("curr") else "alpha-shaped"
        raise UnsupportedError(
            f"population {pop.name!r} is {pop.cell_type} ({shape} synapses), which "
            f"{where} cannot run: it takes exponential synaptic conductances only "
            "(IF_cond_exp, EIF_cond_exp_isfa_ista), as the wafer's neurons have "
            "them. Run it on the ideal tier, or convert it to conductance-based "
            "synapses first (the planned twin.adapt pipeline) and run the converted "
            "network there"
        )
