"""Short-term plasticity of a projection: Tsodyks–Markram parameters per synapse.

The data only: which synapses are plastic and with what parameters, in PyNN's names and
units (``TsodyksMarkramSynapse``: ``U``, ``tau_rec`` and ``tau_facil`` in ms). The
dynamics are the emulator's (:mod:`twin.analog`); what the wafer's synapse drivers can
realise is the hardware tier's (:mod:`twin.hardware`).

References
----------
Tsodyks, M., Uziel, A. & Markram, H. (2000). Synchrony generation in recurrent networks
with frequency-dependent synapses. J Neurosci 20, RC50.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from twin.errors import NetworkError
from twin.vectors import frozen_vector

__all__ = ["STP_FIELDS", "TsodyksMarkram"]

#: The per-synapse parameters, in PyNN's names (``TsodyksMarkramSynapse``).
STP_FIELDS = ("U", "tau_rec", "tau_facil")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TsodyksMarkram:
    """Tsodyks–Markram parameters of every synapse of one projection.

    Parameters
    ----------
    U
        Utilisation of synaptic efficacy, per synapse, in (0, 1].
    tau_rec
        Recovery (depression) time constant per synapse, ms, > 0.
    tau_facil
        Facilitation time constant per synapse, ms, >= 0 (0: no facilitation).

    Each is a scalar or an array of shape ``(n,)``; scalars are broadcast to ``n``,
    the projection's number of synapses, by :meth:`sized`.

    Raises
    ------
    NetworkError
        If the arrays differ in length, a value is not finite, a ``U`` lies outside
        (0, 1], a ``tau_rec`` is not > 0 or a ``tau_facil`` is negative.
    """

    U: np.ndarray
    tau_rec: np.ndarray
    tau_facil: np.ndarray

    def __post_init__(self) -> None:
        context = "TsodyksMarkram"
        arrays = {
            k: frozen_vector(getattr(self, k), np.float64, k, context)
            for k in STP_FIELDS
        }
        sizes = {a.size for a in arrays.values()}
        if len(sizes) != 1:
            raise NetworkError(
                f"{context}: U, tau_rec and tau_facil have {sorted(sizes)} entries; "
                "give one value per synapse (or a scalar each)"
            )
        checks = (
            ("U", (arrays["U"] > 0) & (arrays["U"] <= 1), "in (0, 1]"),
            ("tau_rec", arrays["tau_rec"] > 0, "> 0 ms"),
            ("tau_facil", arrays["tau_facil"] >= 0, ">= 0 ms (0: no facilitation)"),
        )
        for key, ok, rule in checks:
            if not np.all(ok):
                bad = int(np.flatnonzero(~ok)[0])
                raise NetworkError(
                    f"{context}: {key}[{bad}] = {arrays[key][bad]}; give values {rule}"
                )
        for key, arr in arrays.items():
            object.__setattr__(self, key, arr)

    @property
    def size(self) -> int:
        """Number of synapses described (1 for scalars not yet sized)."""
        return int(self.U.size)

    def sized(self, n: int) -> TsodyksMarkram:
        """Return the parameters broadcast to ``n`` synapses.

        Raises
        ------
        NetworkError
            If the arrays hold neither one value nor ``n``.
        """
        if self.size == n:
            return self
        if self.size != 1:
            raise NetworkError(
                f"TsodyksMarkram: {self.size} values per parameter for {n} synapses; "
                "give one value per synapse or a scalar"
            )
        return TsodyksMarkram(
            **{k: np.full(n, getattr(self, k)[0]) for k in STP_FIELDS}
        )

    def subset(self, keep: np.ndarray) -> TsodyksMarkram:
        """Return the parameters of the synapses selected by ``keep``."""
        return TsodyksMarkram(**{k: getattr(self, k)[keep] for k in STP_FIELDS})

    def replace(self, **changes: object) -> TsodyksMarkram:
        """Return a copy with some parameters replaced (validated again).

        Raises
        ------
        NetworkError
            If the copy is invalid (see :class:`TsodyksMarkram`).
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TsodyksMarkram):
            return NotImplemented
        return all(
            np.array_equal(getattr(self, k), getattr(other, k)) for k in STP_FIELDS
        )

    __hash__ = None  # type: ignore[assignment]
