"""Per-connection synapse parameters beyond weight and delay: short-term plasticity.

A :class:`twin.pynn.Projection` of :class:`twin.pynn.TsodyksMarkramSynapse` keeps
``U``, ``tau_rec`` and ``tau_facil`` per connection beside its COO arrays, in the
same order (:class:`PlasticColumns`); they reach the twin's network as a
:class:`twin.stp.TsodyksMarkram`. Values are checked when stored (the rules of
:class:`twin.stp.TsodyksMarkram`), so a refused value changes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.errors import NetworkError
from twin.pynn.validation import InvalidConnectionError
from twin.stp import STP_FIELDS, TsodyksMarkram

__all__ = ["PlasticColumns", "connection_values"]


class PlasticColumns:
    """The STP parameters of a projection's connections (none: static synapses).

    ``_plastic`` is ``None`` for a static projection, else one list of per-chunk
    arrays per parameter, joined on first use (connections in the order made).
    """

    _plastic: dict[str, list[np.ndarray]] | None

    def _plastic_start(self, plastic: bool) -> None:
        """Start with no connection; ``plastic``: the synapse type has STP."""
        self._plastic = {k: [] for k in STP_FIELDS} if plastic else None

    def _plastic_append(self, n: int, parameters: dict[str, Any]) -> None:
        """Add the STP parameters of ``n`` new connections (scalars broadcast)."""
        if self._plastic is None:
            return
        for key in STP_FIELDS:
            values = np.broadcast_to(parameters[key], n).astype(float)
            self._plastic[key].append(values)

    def stp(self) -> TsodyksMarkram | None:
        """Return the STP parameters of every connection (``None``: static).

        Returns
        -------
        twin.stp.TsodyksMarkram or None
            One value per connection, in the order the connections were made.

        Raises
        ------
        InvalidConnectionError
            If a value breaks a rule of :class:`twin.stp.TsodyksMarkram`.
        """
        if self._plastic is None:
            return None
        joined = {
            k: np.concatenate(v) if v else np.zeros(0) for k, v in self._plastic.items()
        }
        self._plastic = {k: [v] for k, v in joined.items()}
        return _checked(joined, self._context)

    def _plastic_store(self, values: dict[str, np.ndarray]) -> None:
        """Replace some STP columns (checked first: nothing changes if refused)."""
        current = self.stp()
        assert current is not None
        new = {
            k: np.asarray(values.get(k, getattr(current, k)), float) for k in STP_FIELDS
        }
        _checked(new, self._context)
        self._plastic = {k: [v] for k, v in new.items()}

    def _plastic_columns(self) -> dict[str, np.ndarray]:
        """Return the STP columns by name (empty for a static projection)."""
        stp = self.stp()
        return {} if stp is None else {k: getattr(stp, k) for k in STP_FIELDS}

    @property
    def _context(self) -> str:  # overridden by the projection
        return "projection"


def _checked(values: dict[str, np.ndarray], context: str) -> TsodyksMarkram:
    try:
        return TsodyksMarkram(**values)
    except NetworkError as err:
        raise InvalidConnectionError(f"{context}: {err}") from err


def connection_values(
    parameter_space: Any, pre: np.ndarray, post: np.ndarray, local: np.ndarray
) -> dict[str, np.ndarray]:
    """Return each parameter's value per connection, drawn as ``pyNN.nest`` does.

    ``pyNN.nest`` evaluates the space over every presynaptic row and the local
    columns (``ParameterSpace.evaluate(mask=(slice(None), local))``): a random
    distribution draws the whole matrix row-major, whatever connections exist.

    Parameters
    ----------
    parameter_space
        PyNN's ``ParameterSpace`` of the values to set, shape (pre × post).
    pre, post
        Indices of every connection within ``pre`` and ``post``, shape ``(m,)``.
    local
        The mask of the local postsynaptic cells (all of them on the twin).

    Returns
    -------
    dict
        Parameter name -> its value per connection, shape ``(m,)``.
    """
    parameter_space.evaluate(mask=(slice(None), local), simplify=True)
    out = {}
    for name, value in parameter_space.items():
        matrix = np.asarray(value, dtype=float)
        if matrix.ndim == 0:
            out[name] = np.full(pre.shape, float(matrix))
        else:
            out[name] = matrix[pre, post]
    return out
