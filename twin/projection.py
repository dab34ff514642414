"""``Projection``: synapses from one population or source onto one, as COO arrays.

``pre_idx``, ``post_idx``, ``weight`` (µS onto conductance-based cells, nA onto
current-based ones) and ``delay`` (ms), one entry per synapse, and one receptor for
all; optionally short-term plasticity (:class:`twin.stp.TsodyksMarkram`, per synapse).
Indices and delays are checked against the populations and the timestep by
:class:`twin.network.Network`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import numpy as np

from twin.errors import NetworkError
from twin.stp import TsodyksMarkram
from twin.vectors import frozen_vector

__all__ = ["Projection", "Receptor"]

Receptor = Literal["excitatory", "inhibitory"]
_RECEPTORS = ("excitatory", "inhibitory")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Projection:
    """Synapses from one population or source onto one population, as COO arrays.

    Parameters
    ----------
    pre, post
        Names of the presynaptic population/source and the postsynaptic population.
    pre_idx, post_idx
        Index of each synapse's pre- and postsynaptic neuron within its population.
    weight
        Per synapse: the peak conductance, µS (>= 0), onto conductance-based cells;
        the peak current, nA, onto current-based cells (``IF_curr_*``): >= 0 on the
        excitatory receptor, <= 0 on the inhibitory one (PyNN's rule; the sign
        against the post population's cell type is checked by
        :class:`twin.network.Network`).
    delay
        Transmission delay per synapse, ms (at least the network's timestep).
    receptor
        ``"excitatory"`` or ``"inhibitory"``.
    name
        Optional label; defaults to ``"pre->post"``.
    stp
        Tsodyks–Markram short-term plasticity of the synapses
        (:class:`twin.stp.TsodyksMarkram`, scalars broadcast to every synapse);
        ``None``: static synapses.

    Raises
    ------
    NetworkError
        If the receptor is not ``"excitatory"`` or ``"inhibitory"``, a weight or
        delay is NaN or infinite, the four arrays differ in length, an excitatory
        weight is negative, inhibitory weights mix signs, or ``stp`` holds neither
        one value nor one per synapse. (Indices, delays and
        the weights' signs are checked against the populations and the timestep by
        :class:`Network`.)
    """

    pre: str
    post: str
    pre_idx: np.ndarray
    post_idx: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    receptor: Receptor = "excitatory"
    name: str = ""
    stp: TsodyksMarkram | None = None

    def __post_init__(self) -> None:
        label = self.name or f"{self.pre}->{self.post}"
        object.__setattr__(self, "name", label)
        context = f"projection {label!r}"
        if self.receptor not in _RECEPTORS:
            raise NetworkError(
                f"{context}: receptor {self.receptor!r}; use 'excitatory' or "
                "'inhibitory'"
            )
        arrays = {
            "pre_idx": frozen_vector(self.pre_idx, np.int64, "pre_idx", context),
            "post_idx": frozen_vector(self.post_idx, np.int64, "post_idx", context),
            "weight": frozen_vector(self.weight, np.float64, "weight", context),
            "delay": frozen_vector(self.delay, np.float64, "delay", context),
        }
        n = arrays["pre_idx"].size
        for key, arr in arrays.items():
            if arr.size != n:
                raise NetworkError(
                    f"{context}: {key} has {arr.size} entries but pre_idx has {n}; "
                    "give one value per synapse"
                )
            object.__setattr__(self, key, arr)
        if self.stp is not None:
            object.__setattr__(self, "stp", self.stp.sized(n))
        if n and self.weight.min() < 0 and self.receptor == "excitatory":
            bad = int(np.argmin(self.weight))
            raise NetworkError(
                f"{context}: weight[{bad}] = {self.weight[bad]} is negative on the "
                "excitatory receptor; set the receptor to 'inhibitory' instead"
            )
        if n and self.weight.min() < 0 < self.weight.max():
            raise NetworkError(
                f"{context}: weights from {self.weight.min()} to {self.weight.max()} "
                "mix signs; give inhibitory weights all >= 0 (conductances, µS) or "
                "all <= 0 (currents of current-based cells, nA), as PyNN requires"
            )

    @property
    def size(self) -> int:
        """Number of synapses."""
        return int(self.pre_idx.size)

    def replace(self, **changes: object) -> Projection:
        """Return a copy with some fields replaced (validated again).

        Raises
        ------
        NetworkError
            If the copy is not a valid projection (see :class:`Projection`).
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def subset(self, keep: np.ndarray) -> Projection:
        """Return the projection restricted to the synapses selected by ``keep``."""
        return self.replace(
            pre_idx=self.pre_idx[keep],
            post_idx=self.post_idx[keep],
            weight=self.weight[keep],
            delay=self.delay[keep],
            stp=None if self.stp is None else self.stp.subset(keep),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Projection):
            return NotImplemented
        return (self.pre, self.post, self.receptor, self.name) == (
            other.pre,
            other.post,
            other.receptor,
            other.name,
        ) and (
            all(
                np.array_equal(getattr(self, k), getattr(other, k))
                for k in ("pre_idx", "post_idx", "weight", "delay")
            )
            and self.stp == other.stp
        )

    __hash__ = None  # type: ignore[assignment]
