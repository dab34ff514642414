"""A frozen snapshot of a session: what one ``run`` needs, read once.

PyNN's session is mutable (populations record more cells, initial values change,
parameters are set between runs). :func:`snapshot` reads, at the moment ``run`` is
called, everything the emulation of the next segment depends on — the network built
from the populations and projections, what is recorded and traced, the initial
values and those re-set by ``initialize`` since the last run, the options, the
trial and the results so far — into a :class:`Snapshot`, which
:func:`twin.pynn.engine.emulate` turns into the next :class:`Emulation` without
reading the session again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.pynn.build import Built, network_of
from twin.pynn.emulation import Emulation
from twin.recording import STATE_VARIABLES

if TYPE_CHECKING:
    from twin.pynn.simulator import Options, State

__all__ = ["Snapshot", "snapshot"]


@dataclass(frozen=True, slots=True, eq=False)
class Snapshot:
    """The session as one ``run`` sees it.

    Attributes
    ----------
    options
        The twin's settings of the session (:class:`twin.pynn.simulator.Options`).
    dt
        Time step, ms.
    built
        The network of the session's populations and projections (``None``: no
        population yet).
    spiking
        ``(population, recorded cell ids)`` of the neurons whose spikes are
        recorded.
    records_poisson
        Whether the spikes of a ``SpikeSourcePoisson`` are recorded.
    traced
        ``(population, traced cell ids)`` of the cells whose state is recorded.
    analog
        Names of the state variables recorded anywhere.
    v0, w0
        Initial membrane potential (mV) and adaptation current (nA) of every neuron.
    reinit
        ``(variable, global ids, values)`` set by ``initialize`` since the last run:
        a continued run starts from them instead of the state reached.
    trial
        Number of ``reset`` calls since ``setup``.
    previous
        The results so far (``None``: none since the last reset).
    """

    options: Options
    dt: float
    built: Built | None
    spiking: tuple[tuple[Any, np.ndarray], ...]
    records_poisson: bool
    traced: tuple[tuple[Any, np.ndarray], ...]
    analog: frozenset[str]
    v0: np.ndarray
    w0: np.ndarray
    reinit: tuple[tuple[str, np.ndarray, np.ndarray], ...]
    trial: int
    previous: Emulation | None


def _recorded(
    populations: list[Any], *variables: str
) -> tuple[tuple[Any, np.ndarray], ...]:
    """Return (population, recorded cell ids) for any of ``variables``."""
    out = []
    for pop in populations:
        ids = [
            int(i)
            for var, cells in pop.recorder.recorded.items()
            if var.name in variables
            for i in cells
        ]
        if ids:
            out.append((pop, np.unique(ids)))
    return tuple(out)


def _analog_variables(populations: list[Any]) -> frozenset[str]:
    """Return the names of the analog variables recorded anywhere."""
    return frozenset(
        var.name
        for pop in populations
        for var, cells in pop.recorder.recorded.items()
        if var.name in STATE_VARIABLES and cells
    )


def _initial(populations: list[Any], variable: str, default: float) -> np.ndarray:
    """Return the initial value of every neuron (one IDLE neuron if none)."""
    parts = [
        np.array(pop._initial.get(variable, np.full(pop.size, default)))
        for pop in populations
        if pop.is_neuron
    ]
    return np.concatenate(parts) if parts else np.full(1, default)  # IDLE neuron


def _reinit(
    populations: list[Any], built: Built
) -> tuple[tuple[str, np.ndarray, np.ndarray], ...]:
    """Return the values ``initialize`` set since the last run, by global id."""
    out = []
    for pop in populations:
        if not pop.is_neuron:
            continue
        offset = built.network.offset(built.name_of(pop))
        for name in ("v", "w"):
            cells = pop._reinit.get(name)
            if cells is not None and cells.any():
                ids = offset + np.flatnonzero(cells)
                out.append((name, ids, np.array(pop._initial[name][cells])))
    return tuple(out)


def snapshot(state: State) -> Snapshot:
    """Return what the next ``run`` of the session ``state`` depends on.

    Parameters
    ----------
    state
        The session (:class:`twin.pynn.simulator.State`).

    Returns
    -------
    Snapshot
        The network, recording, initial values, options and results so far, as they
        are now (arrays copied: later changes to the session do not reach it).

    Raises
    ------
    NetworkError, UnsupportedError
        If the populations and projections do not make a network the twin can
        emulate (:func:`twin.pynn.build.network_of`).
    """
    pops = list(state.structure.populations)
    built = network_of(pops, state.structure.projections, state.dt) if pops else None
    return Snapshot(
        options=state.options,
        dt=state.dt,
        built=built,
        spiking=tuple((p, i) for p, i in _recorded(pops, "spikes") if p.is_neuron),
        records_poisson=any(
            type(p.celltype).__name__ == "SpikeSourcePoisson"
            for p, _ in _recorded(pops, "spikes")
        ),
        traced=_recorded(pops, *STATE_VARIABLES),
        analog=_analog_variables(pops),
        v0=_initial(pops, "v", -65.0),
        w0=_initial(pops, "w", 0.0),
        reinit=() if built is None else _reinit(pops, built),
        trial=state.segment_counter,
        previous=state.emulation,
    )
