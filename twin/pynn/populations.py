"""``Population``, ``PopulationView`` and ``Assembly`` of the twin's PyNN backend.

Parameters live in ``Population._parameters`` as one numpy array per (PyNN) name, so
``get``/``set`` are PyNN's own (``pyNN.common``) and the network the emulator runs is
built from these arrays (:mod:`twin.pynn.build`). Initial values (``v``, ``w``) are
kept per cell, and so are the current sources injected into the population
(``Population._injections``, :mod:`twin.pynn.electrodes`; ``inject`` is PyNN's own).
The next run builds its network from them; initial values set after a run start the
continued run's cells there (``Population._reinit``).

A refused call leaves no trace. A population joins the session (its ids, the
session's list of populations) only once PyNN's constructor has finished, so
invalid parameters or initial values leave the session as it was. ``set`` and
``initialize`` of a population, a view or an assembly check every value before
keeping any: a refused call changes no cell (random values it drew stay drawn, as
on ``pyNN.nest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from pyNN import common
from pyNN.parameters import ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from twin.cells import CELL_TYPES
from twin.errors import NetworkError, UnsupportedError
from twin.pynn import simulator
from twin.pynn.recording import Recorder
from twin.pynn.standardmodels import SUPPORTED_CELLS
from twin.pynn.validation import InvalidValueError, checked_initial_values

__all__ = ["Assembly", "Population", "PopulationView"]


@contextmanager
def _unchanged_on_error(populations: Iterable[Any]) -> Iterator[None]:
    """Restore the parameters and initial values of ``populations`` on an error.

    ``populations`` are the owning populations (not views) of the cells a call
    changes; a call that raises leaves them as they were.
    """
    saved = [(p, p._snapshot()) for p in populations]
    try:
        yield
    except BaseException:
        for population, snapshot in saved:
            population._restore(snapshot)
        raise


def _owners(populations: Iterable[Any]) -> list[Any]:
    """Return the distinct populations that own the cells of ``populations``."""
    found: dict[int, Any] = {}
    for p in populations:
        owner = getattr(p, "grandparent", p)  # a view's, or the population itself
        found.setdefault(id(owner), owner)
    return list(found.values())


class Assembly(common.Assembly):
    """A group of populations and views (PyNN's ``Assembly``).

    ``set`` and ``initialize`` change every member or none.
    """

    _simulator = simulator

    def set(self, **parameters: Any) -> None:
        """Set parameters of every cell (PyNN's ``Assembly.set``), all or nothing.

        Parameters
        ----------
        **parameters
            PyNN parameter name -> a single value, a ``RandomDistribution`` or a
            function of the cell index, in PyNN units (mV, ms, nF, nA, µS, Hz).

        Raises
        ------
        pyNN.errors.NonExistentParameterError
            For a name that is not a parameter of a member's cell type.
        twin.pynn.validation.InvalidValueError
            (a :class:`twin.errors.NetworkError` and PyNN's
            ``InvalidParameterValueError``) If a value is outside its cell type's
            bounds, spike times are not sorted or never emitted, or a Poisson window
            is off the step grid; no member is changed then.
        """
        with _unchanged_on_error(_owners(self.populations)):
            common.Assembly.set(self, **parameters)

    def initialize(self, **initial_values: Any) -> None:
        """Set initial values of every cell (PyNN's), all or nothing.

        Parameters
        ----------
        **initial_values
            State variable (``v``, mV; ``w``, nA, for the adaptive cells) -> a
            single value, a ``RandomDistribution`` or a function of the cell index,
            given to each member in turn. Set after a run, the values start the
            continued run's cells there.

        Raises
        ------
        twin.errors.UnsupportedError
            For a variable the cell type has no initial value of, or a non-zero
            initial ``gsyn_exc``/``gsyn_inh`` (every run starts without synaptic
            input).
        twin.pynn.validation.InvalidValueError
            (a :class:`twin.errors.NetworkError` and PyNN's
            ``InvalidParameterValueError``) If a value is not finite.
        """
        with _unchanged_on_error(_owners(self.populations)):
            common.Assembly.initialize(self, **initial_values)


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
        """Initial values of the viewed cells (PyNN's views do not keep them).

        State variable -> its initial value per viewed cell, shape ``(size,)``
        (``v`` mV, ``gsyn_exc`` and ``gsyn_inh`` µS, ``w`` nA), read from the owning
        population.
        """
        return {k: v[self._cells] for k, v in self.grandparent._initial.items()}

    def _get_view(self, selector: Any, label: str | None = None) -> PopulationView:
        return PopulationView(self, selector, label)

    def initialize(self, **initial_values: Any) -> None:
        """Set initial values of the viewed cells (PyNN's), all or nothing.

        Parameters
        ----------
        **initial_values
            State variable (``v``, mV; ``w``, nA, for the adaptive cells) -> a
            single value, an array of one value per viewed cell, a
            ``RandomDistribution`` or a function of the cell index. Set after a run,
            the values start the continued run's cells there.

        Raises
        ------
        twin.errors.UnsupportedError
            For a variable the cell type has no initial value of, or a non-zero
            initial ``gsyn_exc``/``gsyn_inh`` (every run starts without synaptic
            input).
        twin.pynn.validation.InvalidValueError
            (a :class:`twin.errors.NetworkError` and PyNN's
            ``InvalidParameterValueError``) If a value is not finite.
        """
        with _unchanged_on_error([self.grandparent]):
            common.PopulationView.initialize(self, **initial_values)


class Population(common.Population):
    """A group of cells of one type (PyNN's ``Population``).

    It joins the session once PyNN's constructor has finished: a population
    refused at creation leaves no trace.
    """

    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly
    _parameters: dict[str, np.ndarray]
    _initial: dict[str, np.ndarray]
    _reinit: dict[str, np.ndarray]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            common.Population.__init__(self, *args, **kwargs)
        except BaseException:
            # PyNN's recorder registered itself with the session first
            simulator.state.recorders.discard(self.__dict__.get("recorder"))
            raise
        state = simulator.state
        state.id_counter += self.size
        state.structure.populations.append(self)

    def initialize(self, **initial_values: Any) -> None:
        """Set initial values (PyNN's ``initialize``), all or nothing.

        Parameters
        ----------
        **initial_values
            State variable (``v``, mV; ``w``, nA, for the adaptive cells) -> a
            single value, an array of one value per cell, a ``RandomDistribution``
            or a function of the cell index. Set after a run, the values start the
            continued run's cells there.

        Raises
        ------
        twin.errors.UnsupportedError
            For a variable the cell type has no initial value of, or a non-zero
            initial ``gsyn_exc``/``gsyn_inh`` (every run starts without synaptic
            input).
        twin.pynn.validation.InvalidValueError
            (a :class:`twin.errors.NetworkError` and PyNN's
            ``InvalidParameterValueError``) If a value is not finite.
        """
        with _unchanged_on_error([self]):
            common.Population.initialize(self, **initial_values)

    def _snapshot(self) -> tuple[dict[str, Any], ...]:
        """Return what ``set`` and ``initialize`` change (see :meth:`_restore`)."""
        return (
            dict(self._parameters),
            dict(self._initial),
            {k: v.copy() for k, v in self._reinit.items()},
            dict(self.__dict__.get("initial_values", {})),
        )

    def _restore(self, snapshot: tuple[dict[str, Any], ...]) -> None:
        """Put back a :meth:`_snapshot` (``set``/``initialize`` replace arrays)."""
        parameters, initial, reinit, lazy = snapshot
        self._parameters, self._initial, self._reinit = parameters, initial, reinit
        if "initial_values" in self.__dict__:
            self.initial_values = lazy

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
        self._initial = {
            k: np.full(self.size, float(v))
            for k, v in self.celltype.default_initial_values.items()
        }
        # cells whose initial value was set since the last run, per variable: a
        # continued run starts them there (as NEST sets V_m at that moment)
        self._reinit = {}
        # current sources injected into cells of this population (twin.pynn.electrodes)
        self._injections: list[Any] = []
        for cell in self.all_cells:
            cell.parent = self
        self._checked()  # the session is changed by __init__, once all is valid

    @property
    def is_neuron(self) -> bool:
        """Whether the cells are neurons (not spike sources)."""
        return type(self.celltype).__name__ in CELL_TYPES

    def _checked(self, cells: Any = slice(None)) -> None:
        """Validate the parameters of ``cells`` as the twin's ``Network`` does.

        Raises
        ------
        InvalidValueError
            (also PyNN's ``InvalidParameterValueError``) If a parameter is outside
            its cell type's bounds, spike times are not sorted or never emitted, or
            a Poisson window is off the step grid
            (:func:`twin.pynn.build.check_population`).
        """
        from twin.pynn.build import check_population

        try:
            check_population(self, simulator.state.grid, cells)
        except NetworkError as err:
            raise InvalidValueError(str(err)) from None

    def _set_initial_value_array(self, variable: str, initial_values: Any) -> None:
        values = initial_values.evaluate(simplify=False)
        self._assign_initial(variable, values, slice(None))

    def _assign(self, values: dict[str, Any], cells: Any) -> None:
        """Set parameters of ``cells``; nothing changes if the result is invalid.

        Raises
        ------
        InvalidValueError
            If a parameter would leave its cell type's bounds (:meth:`_checked`).
        """
        before = {name: self._parameters[name] for name in values}
        for name, value in values.items():
            array = np.array(self._parameters[name], copy=True)
            array[cells] = value
            self._parameters[name] = array
        try:
            self._checked(cells)
        except InvalidValueError:
            self._parameters.update(before)
            raise

    def _assign_initial(self, variable: str, values: Any, cells: Any) -> None:
        """Set the initial value of ``variable`` for ``cells``.

        Raises
        ------
        UnsupportedError
            For a variable the cell type has no initial value of, or a non-zero
            initial conductance (every run starts without synaptic input).
        InvalidValueError
            For a value that is not finite.
        """
        if variable not in self._initial:
            raise UnsupportedError(
                f"initial value of {variable!r}; the twin sets "
                f"{', '.join(self._initial) or 'no state variable'} for "
                f"{type(self.celltype).__name__}"
            )
        values = checked_initial_values(values, variable, f"population {self.label!r}")
        if variable.startswith(("gsyn", "isyn")) and np.any(values != 0):
            raise UnsupportedError(
                f"initial {variable} other than 0; the twin starts every run "
                "without synaptic input (initialize v and w)"
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
