"""The microcircuit's anatomy: populations, full-scale sizes, connection probabilities.

Potjans & Diesmann (2014): eight populations (layers 2/3, 4, 5, 6; excitatory then
inhibitory) named as in NEST's microcircuit example, in the BrainScaleS-1 demo's order;
the demo's own labels (``23e`` ...) are :data:`DEMO_LABELS`. The connection
probabilities become a number of synapses per target neuron (:func:`in_degrees`).

References
----------
Potjans, T. C. & Diesmann, M. (2014). The cell-type specific cortical microcircuit.
Cereb Cortex 24, 785-806.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

import numpy as np

__all__ = ["CONN_PROBS", "DEMO_LABELS", "FULL_SIZES", "POPULATIONS", "in_degrees"]

#: Populations in the demo's order (P&D's layers 2/3, 4, 5, 6; E then I).
POPULATIONS: Final = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
#: The demo's labels of the same populations.
DEMO_LABELS: Final = MappingProxyType(
    dict(
        zip(
            POPULATIONS, ("23e", "23i", "4e", "4i", "5e", "5i", "6e", "6i"), strict=True
        )
    )
)
#: Full-scale population sizes (77,169 neurons). [P&D 2014 Table 5; demo]
FULL_SIZES: Final = MappingProxyType(
    dict(
        zip(
            POPULATIONS,
            (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948),
            strict=True,
        )
    )
)
#: Probability of at least one connection, ``CONN_PROBS[target][source]``. [P&D Table 5]
CONN_PROBS: Final = (
    (0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0),
    (0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0),
    (0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0),
    (0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0),
    (0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0),
    (0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0),
    (0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252),
    (0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443),
)


def in_degrees() -> np.ndarray:
    """Full-scale in-degrees ``K[target, source]`` of P&D, shape (8, 8).

    ``K = log(1 - p) / log(1 - 1 / (N_pre N_post)) / N_post``: the number of
    synapses that, drawn with random pre and post, give each pair a connection with
    probability ``p``, per target neuron.

    Returns
    -------
    numpy.ndarray
        float64 ``K[target, source]`` in :data:`POPULATIONS` order, shape (8, 8).
    """
    n = np.array([FULL_SIZES[p] for p in POPULATIONS], dtype=float)
    p = np.array(CONN_PROBS)
    return np.log1p(-p) / np.log1p(-1.0 / np.outer(n, n)) / n[:, None]
