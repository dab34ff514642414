"""The Brunel network at a fidelity tier, and the seed's recording layouts.

The tiers themselves are the pipelines of :mod:`twin.tiers`; this module decides what
the Brunel workload requests at each and what it records:

- ``ideal`` and ``mapped`` request the model network (with the model's parameter and
  weight spreads, as NEST runs it);
- ``hardware`` requests what the wafer is given — the model's *mean* parameters and
  weights (the wafer supplies its own variation);
- the layout (all neurons, or the first 30 excitatory neurons isolated one per chip)
  sets the mapping's isolation and the recorded neurons.

Every tier is built at g = 1 and eta = 1; the sweep scales inhibitory weights and input
rates per point inside the batched emulator. (For the hardware tier this quantises the
inhibitory weights once, at g = 1, and scales the realised values: the 4-bit rounding
error of a point is the same relative error as at g = 1.)
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
