"""``Population``, ``PopulationView`` and ``Assembly`` of the twin's PyNN backend.

Parameters live in ``Population._parameters`` as one numpy array per (PyNN) name, so
``get``/``set`` are PyNN's own (``pyNN.common``) and the network the emulator runs is
built from these arrays (:mod:`twin.pynn.build`). Initial values (``v``, ``w``) are
kept per cell. Every change marks the session as changed.
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
    """A subset of a population's cells (PyNN's ``PopulationView``)."""

    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names: str) -> ParameterSpace:
        native = self._get_native_parameters(*_native(self, *names))
        return self.celltype.reverse_translate(native)

    def _get_native_parameters(self, *names: str) -> ParameterSpace:
        values = {n: simplify(self.parent._parameters[n][self.mask]) for n in names}
        return ParameterSpace(values, shape=(self.size,))

    def _set_parameters(self, parameter_space: ParameterSpace) -> None:
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            self.parent._parameters[name][self.mask] = value
        self.parent._checked()

    def _set_initial_value_array(self, variable: str, initial_values: Any) -> None:
        values = initial_values.evaluate(simplify=False)
        self.parent._initial[variable][self.mask] = values
        simulator.state.changed()

    @property
    def initial_values(self) -> dict[str, Any]:
        """Initial values of the viewed cells (PyNN's views do not keep them)."""
        return {k: v[self.mask] for k, v in self.parent._initial.items()}

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
        simulator.state.changed()

    def _set_initial_value_array(self, variable: str, initial_values: Any) -> None:
        if variable not in self._initial:
            raise UnsupportedError(
                f"initial value of {variable!r}; the twin sets "
                f"{', '.join(self._initial) or 'no state variable'} for "
                f"{type(self.celltype).__name__}"
            )
        self._initial[variable] = np.array(
            initial_values.evaluate(simplify=False), dtype=float
        )
        simulator.state.changed()

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
        for name, value in parameter_space.items():
            self._parameters[name] = np.array(value)
        self._checked()
