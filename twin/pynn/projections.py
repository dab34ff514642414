"""``Projection`` of the twin's PyNN backend: PyNN's connectors, COO storage.

PyNN's connectors (``pyNN.connectors``) draw the connections and hand them over one
postsynaptic cell at a time (``_convergent_connect``); the projection appends each
call's arrays to a list and joins them once, into COO arrays (indices relative to
``pre`` and ``post``, weight in µS, delay in ms) — the form the twin's ``Network``
takes. ``get``, ``set`` and ``save`` are PyNN's own, over these arrays.

What is stored is what the emulator runs: delays as NEST realises them (on the step
grid, within the limits set in ``setup``; :mod:`twin.pynn.validation`), so ``get``
returns the delays NEST returns. A projection joins the session only once all its
connections are valid; ``set`` and a connection's setters change nothing if a value
is refused. ``set`` draws random values as ``pyNN.nest`` does: PyNN's
``ParameterSpace.evaluate`` over the full (pre × post) matrix, row-major, then the
value of each connection's (pre, post) element (all multapses of a pair get the
same value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from pyNN import common
from pyNN.space import Space

from twin.errors import UnsupportedError
from twin.pynn import simulator
from twin.pynn.build import projection_prefix
from twin.pynn.standardmodels import StaticSynapse, TsodyksMarkramSynapse
from twin.pynn.synapse_columns import PlasticColumns, connection_values
from twin.pynn.validation import checked_weights

__all__ = ["Connection", "Projection", "WaferReport"]

#: How ``get(format="array")`` combines multapses: ufunc and starting value.
_COMBINE = {
    "sum": (np.add, 0.0),
    "min": (np.minimum, np.inf),
    "max": (np.maximum, -np.inf),
}


@dataclass(frozen=True, slots=True)
class WaferReport:
    """A projection's connections on the wafer (:meth:`Projection.wafer_report`).

    Attributes
    ----------
    requested
        Connections the script made.
    realised
        Connections the mapping realised (the rest are lost).
    lost
        Lost connections per reason (``twin.routing.LossReason`` values).
    """

    requested: int
    realised: int
    lost: Mapping[str, int]


class Connection(common.Connection):
    """One connection of a projection (a view of its row in the COO arrays)."""

    def __init__(self, projection: Projection, index: int) -> None:
        self._projection = projection
        self._index = index

    @property
    def presynaptic_index(self) -> int:
        """Index of the presynaptic cell within ``projection.pre``."""
        return int(self._projection.coo()[0][self._index])

    @property
    def postsynaptic_index(self) -> int:
        """Index of the postsynaptic cell within ``projection.post``."""
        return int(self._projection.coo()[1][self._index])

    @property
    def weight(self) -> float:
        """Weight, µS."""
        return float(self._projection.coo()[2][self._index])

    @weight.setter
    def weight(self, value: float) -> None:
        """Set the weight, µS; nothing changes if it is refused.

        Parameters
        ----------
        value
            The new weight, µS (finite, non-negative).

        Raises
        ------
        twin.pynn.validation.InvalidConnectionError
            (a :class:`twin.errors.NetworkError` and PyNN's ``ConnectionError``) If
            ``value`` is negative or not finite.
        """
        self._projection._assign("weight", self._index, value)

    @property
    def delay(self) -> float:
        """Delay, ms."""
        return float(self._projection.coo()[3][self._index])

    @delay.setter
    def delay(self, value: float) -> None:
        """Set the delay, ms, realised on the step grid; nothing changes if refused.

        Parameters
        ----------
        value
            The new delay, ms; stored as NEST realises it (nearest step).

        Raises
        ------
        twin.pynn.validation.InvalidConnectionError
            (a :class:`twin.errors.NetworkError` and PyNN's ``ConnectionError``) If
            ``value`` is not finite, rounds to fewer than one step, or lies outside
            the limits given to ``setup``.
        """
        self._projection._assign("delay", self._index, value)

    def as_tuple(self, *names: str) -> tuple[Any, ...]:
        """Return the named attributes of this connection.

        Parameters
        ----------
        *names
            Attribute names: ``"presynaptic_index"``, ``"postsynaptic_index"``,
            ``"weight"`` (µS), ``"delay"`` (ms).

        Returns
        -------
        tuple
            The values, in the order of ``names``.

        Raises
        ------
        AttributeError
            For a name that is not an attribute of the connection.
        """
        return tuple(getattr(self, name) for name in names)

    def __getattr__(self, name: str) -> float:
        """Read ``U``, ``tau_rec`` or ``tau_facil`` of a plastic connection."""
        if name.startswith("_"):
            raise AttributeError(name)
        columns = self._projection._plastic_columns()
        if name not in columns:
            raise AttributeError(f"a connection has no attribute {name!r}")
        return float(columns[name][self._index])


class Projection(PlasticColumns, common.Projection):
    """Synapses between two groups of cells (PyNN's ``Projection``).

    Static, or with short-term plasticity (``TsodyksMarkramSynapse``; its
    parameters per connection: :mod:`twin.pynn.synapse_columns`).
    """

    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(
        self,
        presynaptic_population: Any,
        postsynaptic_population: Any,
        connector: Any,
        synapse_type: Any = None,
        source: Any = None,
        receptor_type: str | None = None,
        space: Space = Space(),  # noqa: B008 (PyNN's signature)
        label: str | None = None,
    ) -> None:
        kinds = (StaticSynapse, TsodyksMarkramSynapse)
        if synapse_type is not None and not isinstance(synapse_type, kinds):
            raise UnsupportedError(
                f"synapse type {type(synapse_type).__name__}; the twin emulates "
                "StaticSynapse and TsodyksMarkramSynapse (from twin.pynn)"
            )
        self._plastic_start(isinstance(synapse_type, TsodyksMarkramSynapse))
        common.Projection.__init__(
            self,
            presynaptic_population,
            postsynaptic_population,
            connector,
            synapse_type,
            source,
            receptor_type,
            space,
            label,
        )
        self.pre_ids = np.asarray(self.pre.all_cells, dtype=np.int64)
        self.post_ids = np.asarray(self.post.all_cells, dtype=np.int64)
        self._chunks: list[tuple[np.ndarray, ...]] = []
        self._arrays: tuple[np.ndarray, ...] | None = None
        connector.connect(self)
        _, _, weight, delay = self.coo()
        self._store(weight, delay)  # raises before the projection joins the session
        self.stp()  # checks the STP parameters (static synapses: none)
        simulator.state.structure.projections.append(self)

    def _convergent_connect(
        self,
        presynaptic_indices: np.ndarray,
        postsynaptic_index: int,
        location_selector: Any = None,
        **connection_parameters: Any,
    ) -> None:
        if location_selector is not None:
            raise UnsupportedError(
                "location_selector (multi-compartment cells); the twin's neurons are "
                "point neurons"
            )
        pre = np.asarray(presynaptic_indices, dtype=np.int64).reshape(-1)
        n = pre.size
        weight = np.broadcast_to(connection_parameters["weight"], n).astype(float)
        delay = np.broadcast_to(connection_parameters["delay"], n).astype(float)
        post = np.full(n, int(postsynaptic_index), dtype=np.int64)
        self._chunks.append((pre, post, weight, delay))
        self._plastic_append(n, connection_parameters)
        self._arrays = None

    def coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (pre index, post index, weight µS, delay ms) of every connection.

        Returns
        -------
        pre, post, weight, delay
            Four arrays of shape ``(n_connections,)``, in the order the connections
            were made: int64 indices within ``pre`` and ``post``, float weights (µS)
            and delays (ms, as realised on the step grid once the projection is
            complete). The arrays are the stored ones: do not modify them.
        """
        if self._arrays is None:
            if self._chunks:
                parts = [np.concatenate(c) for c in zip(*self._chunks, strict=True)]
            else:
                parts = [np.zeros(0, np.int64)] * 2 + [np.zeros(0)] * 2
            self._arrays = tuple(parts)
            self._chunks = [self._arrays]
        pre, post, weight, delay = self._arrays
        return pre, post, weight, delay

    @property
    def _context(self) -> str:
        return f"projection {self.label or 'without label'!r}"

    def _checked(self, name: str, values: Any) -> np.ndarray:
        """Return weights or delays as stored (delays realised); raise if refused.

        Raises
        ------
        InvalidConnectionError
            For a negative or non-finite weight, or a delay NEST refuses
            (:func:`twin.pynn.validation.realised_delays`).
        """
        if name == "delay":
            return simulator.state.realised_delays(values, self._context)
        negative = (
            not self.post.conductance_based and self.receptor_type == "inhibitory"
        )
        return checked_weights(values, self._context, negative)

    def _store(self, weight: np.ndarray, delay: np.ndarray) -> None:
        """Replace the weights and delays of every connection, both checked first."""
        pre, post, _, _ = self.coo()
        arrays = (
            pre,
            post,
            self._checked("weight", weight),
            self._checked("delay", delay),
        )
        self._arrays = arrays
        self._chunks = [arrays]

    def _assign(self, name: str, index: Any, value: Any) -> None:
        """Set ``name`` of the connections at ``index``; nothing changes if refused."""
        column = {"weight": 2, "delay": 3}[name]
        checked = self._checked(name, value)
        arrays = list(self.coo())
        arrays[column] = arrays[column].copy()
        arrays[column][index] = checked
        self._arrays = tuple(arrays)
        self._chunks = [self._arrays]

    def __len__(self) -> int:
        return int(self.coo()[0].size)

    def __getitem__(self, i: int) -> Connection:
        if not -len(self) <= i < len(self):
            raise IndexError(f"connection {i} of {len(self)}")
        return Connection(self, i % len(self))

    @property
    def connections(self) -> list[Connection]:
        """Every connection, in the order they were made."""
        return [Connection(self, i) for i in range(len(self))]

    def wafer_report(self) -> WaferReport:
        """Return the connections requested and realised on the wafer in the last run.

        On the ``ideal`` tier (or before a run) every requested connection is
        realised; on the ``mapped`` and ``hardware`` tiers the counts come from the
        mapping's loss report (:func:`twin.pynn.mapping`).

        Returns
        -------
        WaferReport
            Requested and realised connection counts and the lost ones per
            :class:`twin.routing.LossReason` value.

        Raises
        ------
        ValueError
            If the last run was mapped and this projection is not part of the
            current session (it was made before the last ``setup``).
        """
        emulation = simulator.state.emulation
        realised = None if emulation is None else emulation.realised
        mapping = None if realised is None else realised.mapping
        if mapping is None:
            return WaferReport(len(self), len(self), MappingProxyType({}))
        k = simulator.state.structure.projections.index(self)
        prefix = projection_prefix(self.label, k)
        loss = mapping.loss
        requested = sum(n for p, n in loss.requested.items() if p.startswith(prefix))
        lost: dict[str, int] = {}
        for (p, reason), n in loss.lost.items():
            if p.startswith(prefix):
                lost[reason.value] = lost.get(reason.value, 0) + n
        return WaferReport(
            requested, requested - sum(lost.values()), MappingProxyType(lost)
        )

    def _get_attributes_as_list(self, names: list[str]) -> list[tuple[Any, ...]]:
        pre, post, weight, delay = self.coo()
        columns = {
            "presynaptic_index": pre,
            "postsynaptic_index": post,
            "weight": weight,
            "delay": delay,
            **self._plastic_columns(),
        }
        return list(zip(*(columns[n].tolist() for n in names), strict=True))

    def _get_attributes_as_arrays(
        self, names: list[str], multiple_synapses: str = "sum"
    ) -> list[np.ndarray]:
        pre, post, weight, delay = self.coo()
        columns = {"weight": weight, "delay": delay, **self._plastic_columns()}
        out = []
        for name in names:
            values = columns[name]
            array = np.full(self.shape, np.nan)
            if multiple_synapses in ("last", "first"):
                order = np.arange(pre.size)
                if multiple_synapses == "first":
                    order = order[::-1]  # the first connection is written last
                array[pre[order], post[order]] = values[order]
            else:
                ufunc, init = _COMBINE[multiple_synapses]
                acc = np.full(self.shape, init)
                ufunc.at(acc, (pre, post), values)
                hit = np.zeros(self.shape, dtype=bool)
                hit[pre, post] = True
                array[hit] = acc[hit]
            out.append(array)
        return out

    def _set_attributes(self, parameter_space: Any) -> None:
        """Set weights, delays (and STP parameters) from PyNN's parameter space.

        Raises
        ------
        UnsupportedError
            For an attribute the synapse type does not have.
        InvalidConnectionError
            For a refused value; nothing changes then.
        """
        pre, post, weight, delay = self.coo()
        plastic = self._plastic_columns()
        for name in list(parameter_space.keys()):  # iterating gives cells
            if name not in ("weight", "delay", *plastic):
                raise UnsupportedError(
                    f"synapse attribute {name!r}; the synapses have "
                    f"{', '.join(('weight', 'delay', *plastic))}"
                )
        new = {"weight": weight, "delay": delay, **plastic}
        new.update(connection_values(parameter_space, pre, post, self.post._mask_local))
        self._checked("weight", new["weight"])  # every check before any change
        self._checked("delay", new["delay"])
        if plastic:
            self._plastic_store(new)
        self._store(new["weight"], new["delay"])
