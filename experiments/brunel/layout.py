"""The seed's recording layouts and the rule that picks one per point.

All neurons are recorded where the rate is low (g >= 7 and eta <= 1.2); elsewhere the
first 30 excitatory neurons are isolated one per chip, so each has a chip's recording
link to itself (the seed's "30" layout). The layout sets the mapping's isolation and
the analysed neurons (:class:`experiments.brunel.workload.BrunelWorkload`).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

import numpy as np

from experiments.brunel import BrunelConfig

__all__ = ["ISOLATED", "LAYOUTS", "SEED_FILE_NEURONS", "layout_of", "recorded_neurons"]

#: Neurons isolated on their own chips in the "30" layout (the seed's choice).
ISOLATED = 30
#: The recording layouts: every neuron, or the ISOLATED first excitatory neurons.
LAYOUTS = ("all", "30")
#: Neurons per population the seed's ``exc.h5``/``inh.h5`` keep in each layout (the
#: whole population where a layout is not named).
SEED_FILE_NEURONS: Final = MappingProxyType({"30": ISOLATED})


def layout_of(g: float, eta: float) -> str:
    """Return the layout: all neurons if g >= 7 and eta <= 1.2, else 30 isolated."""
    return "all" if g >= 7 and eta <= 1.2 else "30"


def recorded_neurons(config: BrunelConfig, layout: str) -> np.ndarray:
    """Return the global ids a layout records and analyses."""
    return np.arange(config.n_neurons) if layout == "all" else np.arange(ISOLATED)
