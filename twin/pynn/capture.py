"""Capture the network a PyNN script builds: run it on ``twin.pynn`` up to its ``run``.

:func:`capture_script` runs a PyNN script in this process as ``python SCRIPT SIM
ARGS...`` would, with ``pyNN.<SIM>`` an alias of :mod:`twin.pynn` (PyNN's examples
take the simulator's name on the command line: ``pyNN.utility.get_simulator``,
``get_script_args``, ``from pyNN.<name> import *``; :mod:`twin.pynn.launch`). When
the script first calls ``run`` (``run``, ``run_until`` or ``run_for``), the session is
read as that run would see it (:func:`twin.pynn.snapshot.snapshot`): the frozen
``twin.Network`` of its populations and projections, the run's stop time, the
initial membrane potentials, what is recorded and the seed. By default the script
stops there (nothing is emulated, nothing it does after ``run`` happens); with
``emulate=True`` the run goes on and the script finishes as it would on the twin.

The session of this process is used (as ``setup`` would) and cleared afterwards.
"""

from __future__ import annotations

import contextlib
import io
import runpy
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

import twin.pynn
from twin.errors import ConfigError
from twin.network import Network
from twin.pynn import simulator
from twin.pynn.snapshot import Snapshot, snapshot

__all__ = ["CaptureError", "Captured", "CapturedPopulation", "capture_script"]


class CaptureError(ConfigError):
    """A PyNN script cannot be captured: missing, failing, or never calling ``run``."""


@dataclass(frozen=True, slots=True, eq=False)
class CapturedPopulation:
    """One PyNN population of a captured script.

    Attributes
    ----------
    name
        Its name in the captured network (its label, made unique).
    label
        Its PyNN label (``None`` if it has none).
    cell_type
        The PyNN cell type's class name (``"IF_curr_alpha"``, ``"SpikeSourcePoisson"``).
    size
        Number of cells.
    recorded
        Recorded variable (``"spikes"``, ``"v"``, ...) -> indices of its recorded
        cells within the population, sorted, shape ``(n_recorded,)``.
    """

    name: str
    label: str | None
    cell_type: str
    size: int
    recorded: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class Captured:
    """What a PyNN script had built when it first called ``run``.

    Attributes
    ----------
    path
        The script.
    network
        The frozen network the run would emulate (:func:`twin.pynn.build.network_of`;
        weights in µS onto conductance-based cells, nA onto current-based ones).
    t_stop
        The time the first run runs to, ms (on the step grid).
    timestep
        The session's step, ms.
    populations
        Every PyNN population (neurons and spike sources), in creation order.
    v_init
        Neuron population name -> initial membrane potential of each neuron, mV,
        shape ``(size,)`` (PyNN's ``initialize``; the cell type's default otherwise).
    seed
        The seed of the session's random streams as the twin reads it from
        ``setup`` (``rng_seed``, ``grng_seed``, ``rng_seeds_seed`` or ``rng_seeds``;
        0 if none is given). Seeds the script gives to its own ``NumpyRNG`` are
        already drawn into the network's connections and values.
    stdout
        What the script printed.
    """

    path: Path
    network: Network
    t_stop: float
    timestep: float
    populations: tuple[CapturedPopulation, ...]
    v_init: Mapping[str, np.ndarray]
    seed: int
    stdout: str = ""

    @property
    def recording(self) -> dict[str, dict[str, np.ndarray]]:
        """Name -> variable -> recorded cells of every population that records.

        The ``record`` argument of :func:`twin.pynn.export.write_pynn_script` that
        writes the script's own recording back.
        """
        return {p.name: dict(p.recorded) for p in self.populations if p.recorded}

    def population(self, name: str) -> CapturedPopulation:
        """Return the captured population called ``name`` in :attr:`network`.

        Parameters
        ----------
        name
            The population's (or spike source's) name in :attr:`network`.

        Returns
        -------
        CapturedPopulation
            Its label, cell type, size and recordings.

        Raises
        ------
        KeyError
            If no population has that name.
        """
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise KeyError(name)


class _Stop(BaseException):
    """Ends a script at its first ``run`` (a BaseException: scripts don't catch it)."""


def _populations(snap: Snapshot, pops: Sequence[Any]) -> tuple[CapturedPopulation, ...]:
    """Return the captured description of each PyNN population of the session."""
    assert snap.built is not None
    out = []
    for pop in pops:
        first = int(pop.first_id)
        recorded = {
            var.name: np.array(sorted(int(i) - first for i in cells), np.int64)
            for var, cells in pop.recorder.recorded.items()
            if len(cells)
        }
        out.append(
            CapturedPopulation(
                name=snap.built.name_of(pop),
                label=pop.label,
                cell_type=type(pop.celltype).__name__,
                size=int(pop.size),
                recorded=MappingProxyType(recorded),
            )
        )
    return tuple(out)


def _v_init(snap: Snapshot) -> dict[str, np.ndarray]:
    """Split the session's initial potentials by neuron population."""
    assert snap.built is not None
    net = snap.built.network
    return {
        p.name: np.array(snap.v0[net.offset(p.name) : net.offset(p.name) + p.size])
        for p in net.populations
    }


@contextlib.contextmanager
def _as_simulator(name: str, argv: list[str], folder: Path) -> Iterator[None]:
    """Alias ``pyNN.<name>`` to :mod:`twin.pynn`, set ``sys.argv``; restore both."""
    import pyNN

    key = f"pyNN.{name}"
    saved_module = sys.modules.get(key)
    saved_attr = getattr(pyNN, name, None)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.modules[key] = twin.pynn
    setattr(pyNN, name, twin.pynn)
    sys.argv = argv
    sys.path.insert(0, str(folder))  # as `python SCRIPT`: its folder's modules
    try:
        yield
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
        if saved_module is None:
            sys.modules.pop(key, None)
        else:
            sys.modules[key] = saved_module
        if saved_attr is None:
            delattr(pyNN, name)
        else:
            setattr(pyNN, name, saved_attr)


def _run_script(path: Path, argv: list[str], emulate: bool) -> list[Any]:
    """Run the script; return ``[snapshot, t_stop, populations]`` of its first run."""
    state = simulator.state
    first: list[Any] = []
    original = state.run_until

    def run_until(tstop: float) -> None:
        if not first:
            steps = state.grid.run_steps(tstop)
            snap = snapshot(state)
            first.extend([snap, steps * state.dt, list(state.structure.populations)])
            if not emulate:
                raise _Stop
        original(tstop)

    state.run_until = run_until  # type: ignore[method-assign]
    try:
        runpy.run_path(str(path), run_name="__main__")
    except _Stop:
        pass
    finally:
        del state.run_until  # the class's method again
    return first


def capture_script(
    path: str | Path,
    argv: Sequence[str] = (),
    *,
    simulator_arg: str = "twin",
    emulate: bool = False,
) -> Captured:
    """Run a PyNN script on ``twin.pynn`` and capture the network of its first run.

    The script runs in this process as ``python PATH SIMULATOR_ARG ARGV...``, with
    ``pyNN.<simulator_arg>`` standing for :mod:`twin.pynn` and the script's folder
    first on ``sys.path``; ``sys.argv``, ``sys.path`` and the module alias are
    restored afterwards and the session is cleared.

    Parameters
    ----------
    path
        The PyNN script (a ``.py`` file).
    argv
        The script's own arguments after the simulator's name.
    simulator_arg
        The simulator's name the script is given (PyNN's examples import
        ``pyNN.<name>``); ``"nest"`` captures a script that imports ``pyNN.nest``
        directly.
    emulate
        ``False``: stop the script at its first ``run`` without emulating; ``True``:
        emulate that run and let the script finish.

    Returns
    -------
    Captured
        The network, stop time, step, populations, initial potentials and seed of
        the first run, and what the script printed.

    Raises
    ------
    CaptureError
        If ``path`` is not a file, the script raises (or exits with a non-zero
        status) before its first ``run`` ends, or it never calls ``run`` after
        creating a population; the message names the script and the remedy.
    """
    script = Path(path)
    if not script.is_file():
        raise CaptureError(
            f"PyNN script {str(script)!r} not found; give the path of a .py file "
            "that builds a network and calls sim.run()"
        )
    out = io.StringIO()
    args = [str(script), simulator_arg, *map(str, argv)]
    try:
        with (
            _as_simulator(simulator_arg, args, script.resolve().parent),
            contextlib.redirect_stdout(out),
        ):
            first = _run_script(script, args, emulate)
    except SystemExit as err:
        if err.code not in (None, 0):
            what = f"exit status {err.code!r}"
            raise CaptureError(_failed(script, args, what, out)) from None
        first = []
    except Exception as err:
        raise CaptureError(
            _failed(script, args, f"{type(err).__name__}: {err}", out)
        ) from err
    finally:
        simulator.state.clear()
    if not first or first[0].built is None:
        raise CaptureError(
            f"PyNN script {str(script)!r} ended without calling run() on a network "
            f"(ran as {' '.join(args)!r}); build at least one population and call "
            "sim.run(t) — the network is captured at the first run; a script that "
            "imports its simulator by name (import pyNN.nest) is captured with that "
            "name as simulator_arg"
        )
    snap, t_stop, pops = first
    return Captured(
        path=script,
        network=snap.built.network,
        t_stop=float(t_stop),
        timestep=float(snap.dt),
        populations=_populations(snap, pops),
        v_init=MappingProxyType(_v_init(snap)),
        seed=int(snap.options.seed),
        stdout=out.getvalue(),
    )


def _failed(script: Path, args: list[str], what: str, out: io.StringIO) -> str:
    """Return the message of a script that failed, with its last printed lines."""
    tail = "\n".join(out.getvalue().splitlines()[-5:])
    printed = f"; its last output:\n{tail}" if tail else ""
    return (
        f"PyNN script {str(script)!r} failed before its first run ended ({what}; ran "
        f"as {' '.join(args)!r} on twin.pynn); run it with `python -m "
        f"twin.pynn.launch {' '.join(args)}` to see the error in full and fix the "
        f"script{printed}"
    )
