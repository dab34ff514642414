"""The microcircuit's synaptic weights per platform, and the receptor of a source.

:data:`BASE_WEIGHTS`: the BrainScaleS-1 demo's 16 printed weights (µS, one per source
type and target population), taken as given. The demo converts current-based synapses
into conductances "preserving the PSP amplitude measured from the expected mean
membrane potential"; its numbers are consistent with ``I / (E_rev - V_mean)`` with one
current per source type and one mean potential per target, but those constants are not
in the public material, so the table is not derived here. The table has one
excitatory weight per target, so P&D's doubled L4e -> L2/3e weight is **not** part of
the adapted model (with the doubling, the reading of the mean potentials above would
need a negative L2/3e rate).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from experiments.microcircuit.anatomy import POPULATIONS
from twin.network import Receptor

__all__ = [
    "BASE_WEIGHTS",
    "WEIGHT_FACTORS",
    "WEIGHT_SPREADS",
    "receptor_of",
]

#: Weight factors per platform and source type: the demo programs excitatory weights
#: 10x larger on the wafer ("a factor of 1 on BSS-1 corresponds approximately to a
#: real factor of 0.1"). [demo parameters.py]
WEIGHT_FACTORS: Final = MappingProxyType(
    {
        "nest": MappingProxyType({"excitatory": 0.1, "inhibitory": 1.0}),
        "wafer": MappingProxyType({"excitatory": 1.0, "inhibitory": 1.0}),
    }
)
#: Relative weight sd per platform (0 on the wafer: its own variation). [demo]
WEIGHT_SPREADS: Final = MappingProxyType({"nest": 0.1, "wafer": 0.0})


def receptor_of(source: str) -> Receptor:
    """Return the receptor a population's synapses use (names ending E excite).

    Parameters
    ----------
    source
        A population name of :data:`POPULATIONS`.

    Returns
    -------
    {"excitatory", "inhibitory"}
        ``"excitatory"`` for a name ending in ``E``, else ``"inhibitory"``.
    """
    return "excitatory" if source.endswith("E") else "inhibitory"


#: Weights (µS) at factor 1 by source type -> target, in :data:`POPULATIONS` order
#: (0.00303-0.00343 excitatory, 0.01974-0.02265 inhibitory). [demo parameters.py]
BASE_WEIGHTS: Final = MappingProxyType(
    {
        "excitatory": MappingProxyType(
            dict(
                zip(
                    POPULATIONS,
                    (0.00303139, 0.00321473, 0.00334374, 0.00325535,
                     0.00330689, 0.00336596, 0.00341609, 0.00342977),
                    strict=True,
                )
            )
        ),
        "inhibitory": MappingProxyType(
            dict(
                zip(
                    POPULATIONS,
                    (0.02265111, 0.02112101, 0.02024846, 0.02083072,
                     0.0204834, 0.02011174, 0.01981637, 0.01973876),
                    strict=True,
                )
            )
        ),
    }
)  # fmt: skip
