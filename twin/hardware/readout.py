"""The wafer's analog readout: which membrane traces a hardware run can deliver.

Each HICANN has 2 analog outputs, shared by the 8 HICANNs of its reticle
(``AnalogOnDNC``), read by the wafer's ADCs (2 Ananas × 6 slices × 8 channels = 96,
two per reticle). A membrane trace needs one of these channels for the whole run, so
at most 2 neurons per reticle are traced, and what the output carries is the membrane
potential: synaptic conductances and the adaptation current are not read out.
[reference: halco ``lookup_tables.cpp``, ``external.h``; bss1_hardware.md §1.4, §3.8]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from twin.errors import UnsupportedError

__all__ = ["OUTPUTS_PER_RETICLE", "READABLE", "check_readout"]

#: Analog outputs of a reticle (each HICANN's two are shared per reticle).
OUTPUTS_PER_RETICLE: int = 2

#: Variables the analog readout carries.
READABLE: tuple[str, ...] = ("v",)


def check_readout(
    variables: Iterable[str], traced: np.ndarray, reticle: np.ndarray
) -> None:
    """Raise unless the wafer can read out ``variables`` of the ``traced`` neurons.

    Parameters
    ----------
    variables
        Recorded analog variables (PyNN names: ``v``, ``gsyn_exc``, ...).
    traced
        Global ids of the neurons with a recorded analog variable, shape ``(k,)``.
    reticle
        Reticle of every neuron (global id -> reticle index; -1: not placed).

    Raises
    ------
    UnsupportedError
        If a variable other than ``v`` is recorded, a traced neuron is not placed,
        or more than :data:`OUTPUTS_PER_RETICLE` neurons of one reticle are traced.
    """
    other = sorted(set(variables) - set(READABLE))
    if other:
        raise UnsupportedError(
            f"recording {', '.join(other)} on the hardware tier; the wafer's analog "
            "readout carries the membrane potential (v) only: record v, or use the "
            "'mapped' or 'ideal' tier"
        )
    where = np.asarray(reticle)[np.asarray(traced, dtype=np.int64)]
    if np.any(where < 0):
        raise UnsupportedError(
            f"recording v of neuron {int(traced[np.argmax(where < 0)])}, which is "
            "not placed on the wafer; record placed neurons only"
        )
    found, count = np.unique(where, return_counts=True)
    if count.size and count.max() > OUTPUTS_PER_RETICLE:
        k = int(np.argmax(count))
        raise UnsupportedError(
            f"recording v of {int(count[k])} neurons on reticle {int(found[k])}; the "
            f"wafer has {OUTPUTS_PER_RETICLE} analog outputs per reticle "
            f"({OUTPUTS_PER_RETICLE * 48} on a full wafer): record at most "
            f"{OUTPUTS_PER_RETICLE} neurons per reticle (see twin.pynn.mapping() for "
            "where neurons are placed), or use the 'mapped' or 'ideal' tier"
        )
