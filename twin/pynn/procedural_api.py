"""PyNN's procedural API (``create``, ``connect``, ``record``, ...) for the twin."""

from __future__ import annotations

from typing import Any

from pyNN import common
from pyNN.connectors import FixedProbabilityConnector

from twin.pynn import simulator
from twin.pynn.populations import Population
from twin.pynn.projections import Projection
from twin.pynn.standardmodels import StaticSynapse

__all__ = ["connect", "create", "record", "record_gsyn", "record_v", "set"]

create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)
record = common.build_record(simulator)
set = common.set


def record_v(source: Any, filename: str) -> Any:
    """Record the membrane potential of ``source`` to ``filename``.

    PyNN's deprecated ``record_v``: ``record(["v"], source, filename)``. The file is
    written by :func:`twin.pynn.end`.

    Parameters
    ----------
    source
        A population, view, assembly or single cell (neurons).
    filename
        The output file; its extension picks the Neo format (``.pkl``, ``.h5``,
        ``.nix``, ``.nwb``, ``.mat``).

    Returns
    -------
    None
        PyNN's ``record`` returns nothing.

    Raises
    ------
    pyNN.errors.RecordingError
        If the cell type of ``source`` has no ``v``.
    twin.errors.UnsupportedError
        If the twin does not record ``v`` there (spike sources;
        :class:`twin.pynn.recording.Recorder`).
    """
    return record(["v"], source, filename)


def record_gsyn(source: Any, filename: str) -> Any:
    """Record the synaptic conductances of ``source`` to ``filename``.

    PyNN's deprecated ``record_gsyn``: ``record(["gsyn_exc", "gsyn_inh"], source,
    filename)`` (µS). The file is written by :func:`twin.pynn.end`.

    Parameters
    ----------
    source
        A population, view, assembly or single cell (conductance-based neurons).
    filename
        The output file; its extension picks the Neo format (``.pkl``, ``.h5``,
        ``.nix``, ``.nwb``, ``.mat``).

    Returns
    -------
    None
        PyNN's ``record`` returns nothing.

    Raises
    ------
    pyNN.errors.RecordingError
        If the cell type of ``source`` has no synaptic conductances.
    twin.errors.UnsupportedError
        If the twin does not record them there (spike sources;
        :class:`twin.pynn.recording.Recorder`).
    """
    return record(["gsyn_exc", "gsyn_inh"], source, filename)
