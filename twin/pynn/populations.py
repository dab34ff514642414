"""``Population``, ``PopulationView`` and ``Assembly`` of the twin's PyNN backend.

Parameters live in ``Population._parameters`` as one numpy array per (PyNN) name, so
``get``/``set`` are PyNN's own (``pyNN.common``) and the network the emulator runs is
built from these arrays (:mod:`twin.pynn.build`). Initial values (``v``, ``w``) are
kept per cell, and so are the current sources injected into the population
(``Population._injections``, :mod:`twin.pynn.electrodes`; ``inject`` is PyNN's own).
The next run builds its network from them; initial values set after a run start the
continued run's cells there (``Population._reinit``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyNN import common, errors
from pyNN.parameters import ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from twin.cells import CELL_TYPES
from twin.errors import NetworkError, UnsupportedError
from twin.pynn import simulator
from twin.pynn.recording import Recorder
from twin.pynn.standardmodels import SUPPORTED_CELLS

__all__ = ["Assembly", "Population", "PopulationView"]


class Assembly(common.Assembly):
    """A group of populations and views (PyNN's ``Assembly``)."""

    _simulator = simulator


def _native(cells: Any, *names: str) -> tuple[str, ...]:
    celltype = cells.celltype
    if any(name in celltype.computed_parameters() for name in names):
        return tuple(celltype.get_native_names())
    return tuple(celltype.get_native_names(*names))


class PopulationView(common.PopulationView):
    """A subset of a population's cells (PyNN's ``PopulationView``).

    Views of views work on the population that owns the cells (``grandparent``).
    """

    _assembly_class = Assembly
    _simulator = simulator

    @property
    def _cells(self) -> np.ndarray:
        """Indices of the viewed cells in the owning population."""
        return np.asarray(self.index_in_grandparent(np.arange(self.size)))

    def _get_parameters(self, *names: str) -> ParameterSpace:
        native = self._get_native_parameters(*_native(self, *names))
        return self.celltype.reverse_translate(native)

    def _get_native_parameters(self, *names: str) -> ParameterSpace:
        owner, cells = self.grandparent, self._cells
        values = {n: simplify(owner._parameters[n][cells]) for n in names}
        return ParameterSpace(values, shape=(self.size,))

    def _set_parameters(self, parameter_space: ParameterSpace) -> None:
        parameter_space.evaluate(simplify=False)
        self.grandparent._assign(dict(parameter_space.items()), self._cells)

    def _set_initial_value_array(self, variable: str, initial_values: Any) -> None:
        values = initial_values.evaluate(simplify=False)
        self.grandparent._assign_initial(variable, values, self._cells)

    @property
    def initial_values(self) -> dict[str, Any]:
        """Initial values of the viewed cells (PyNN's views do not keep them)."""
        return {k: v[self._cells] for k, v in self.grandparent._initial.items()}

    def _get_view(self, selector: Any, label: str | None = None) -> PopulationView:
        return PopulationView(self, selector, label)


class Population(common.Population):
    """A group of cells of one type (PyNN's ``Population``)."""

    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self) -> None:
        name = type(self.celltype).__name__
        if not isinstance(self.celltype, StandardCellType) or name not in (
            SUPPORTED_CELLS
        ):
            raise UnsupportedError(
                f"cell type {name}; the twin emulates {', '.join(SUPPORTED_CELLS)}"
            )
        state = simulator.state
        ids = np.arange(state.id_counter, state.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(i) for i in ids], dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        space = self.celltype.native_parameters
        space.shape = (self.size,)
        space.evaluate(simplify=False)
        self._parameters = {k: np.array(v) for k, v in space.as_dict().items()}
        self._initial: dict[str, np.ndarray] = {
            k: np.full(self.size, float(v))
            for k, v in self.celltype.default_initial_values.items()
        }
        # cells whose initial value was set since the last run, per variable: a
        # continued run starts them there (as NEST sets V_m at that moment)
        self._reinit: dict[str, np.ndarray] = {}
        # current sources injected into cells of this population (twin.pynn.electrodes)
        self._injections: list[Any] = []
        for cell in self.all_cells:
            cell.parent = self
        state.id_counter += self.size
        state.structure.populations.append(self)
        self._checked()

    @property
    def is_neuron(self) -> bool:
        """Whether the cells are neurons (not spike sources)."""
        return type(self.celltype).__name__ in CELL_TYPES

    def _checked(self) -> None:
        """Validate the parameters as the twin's ``Network`` does; mark a change.

        Raises
        ------
        pyNN.errors.InvalidParameterValueError
            If a parameter is outside its cell type's bounds (the message of the
            twin's check) or spike times are not sorted.
        """
        from twin.pynn.build import check_population

        try:
            check_population(self)
        except NetworkError as err:
            raise errors.InvalidParameterValueError(str(err)) from None

    def _set_initial_value_array(self, variable: str, initial_values: Any) -> None:
        values = initial_values.evaluate(simplify=False)
        self._assign_initial(variable, values, slice(None))

    def _assign(self, values: dict[str, Any], cells: Any) -> None:
        """Set parameters of ``cells``; nothing changes if the result is invalid.

        Raises
        ------
        pyNN.errors.InvalidParameterValueError
            If a parameter would leave its cell type's bounds.
        """
        before = {name: self._parameters[name] for name in values}
        for name, value in values.items():
            array = np.array(self._parameters[name], copy=True)
            array[cells] = value
            self._parameters[name] = array
        try:
            self._checked()
        except errors.InvalidParameterValueError:
            self._parameters.update(before)
            raise

    def _assign_initial(self, variable: str, values: Any, cells: Any) -> None:
        """Set the initial value of ``variable`` for ``cells``.

        Raises
        ------
        UnsupportedError
            For a variable the cell type has no initial value of, or a non-zero
            initial conductance (every run starts without synaptic input).
        """
        if variable not in self._initial:
            raise UnsupportedError(
                f"initial value of {variable!r}; the twin sets "
                f"{', '.join(self._initial) or 'no state variable'} for "
                f"{type(self.celltype).__name__}"
            )
        values = np.asarray(values, dtype=float)
        if variable.startswith("gsyn") and np.any(values != 0):
            raise UnsupportedError(
                f"initial {variable} other than 0; the twin starts every run "
                "without synaptic conductance (initialize v and w)"
            )
        self._initial[variable] = np.array(self._initial[variable], copy=True)
        self._initial[variable][cells] = values
        self._reinit.setdefault(variable, np.zeros(self.size, bool))[cells] = True

    def _get_view(self, selector: Any, label: str | None = None) -> PopulationView:
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names: str) -> ParameterSpace:
        native = self._get_native_parameters(*_native(self, *names))
        return self.celltype.reverse_translate(native)

    def _get_native_parameters(self, *names: str) -> ParameterSpace:
        values = {n: simplify(self._parameters[n]) for n in names}
        return ParameterSpace(values, shape=(self.local_size,))

    def _set_parameters(self, parameter_space: ParameterSpace) -> None:
        parameter_space.evaluate(simplify=False)
        self._assign(dict(parameter_space.items()), slice(None))
