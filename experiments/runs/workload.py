"""The ``Workload`` protocol: what the run layer needs to know of an experiment.

A workload (the Brunel seed network, the cortical microcircuit, a user's own network)
describes its runs by *points*: frozen, hashable configurations. The run layer never
looks inside a point; it asks the workload:

- which points share one network realisation (:meth:`Workload.realisation`) — those
  run as variants of one batched emulator call and share one wafer mapping;
- the network each tier requests for that realisation and how to map it
  (:meth:`Workload.request`);
- how a point differs from its realisation's reference network (:meth:`variant`:
  a PRNG key, a scale of the inhibitory weights and of the Poisson rates);
- what is recorded and analysed (:meth:`layout`, :meth:`recorded`), for how long
  (:meth:`sim_config`), and the metrics of a finished run (:meth:`metrics`, in the
  order of :attr:`columns`) or of a theory tier's stationary rates
  (:meth:`theory_metrics`: the same columns, NaN where rates cannot give one);
- the files a finished sweep writes (:meth:`outputs`: each :class:`Output` names
  what it writes and writes it from the :class:`Finished` sweep), so a command is
  parse, plan, run, then :func:`write_outputs`.

The modules of ``experiments.runs`` and ``experiments.report`` only use this protocol
and never import a workload (DESIGN.md, checked by ``tests/test_layering.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np

from twin.network import Network
from twin.recording import SpikeRecording
from twin.tiers import behaviour

if TYPE_CHECKING:
    from experiments.runs.result import PointResult
    from twin.analog import SimConfig
    from twin.routing import MappingConfig

__all__ = [
    "Column",
    "Finished",
    "Output",
    "Request",
    "Variant",
    "Workload",
    "emulated",
    "write_outputs",
]

P = TypeVar("P", bound=Hashable, contravariant=True)


@dataclass(frozen=True, slots=True)
class Column:
    """One metric of a workload's report: its name and its format in tables.

    Parameters
    ----------
    name
        The metric's key in :meth:`Workload.metrics` and its CSV column.
    fmt
        ``format`` spec of its value in ``summary.csv`` (``"d"`` for counts).
    judged
        Whether comparisons judge it (a rate: the twin agrees with NEST, a tier
        departs from another; :mod:`experiments.report.verdicts`), else show it.
    """

    name: str
    fmt: str = ".4f"
    judged: bool = False

    def format(self, value: float) -> str:
        """Return ``value`` as written in the summary (``"d"``: as an integer).

        NaN (a metric a run cannot give) is written ``nan``.
        """
        if np.isnan(value):
            return "nan"
        return format(int(value) if self.fmt == "d" else float(value), self.fmt)


@dataclass(frozen=True, slots=True, eq=False)
class Request:
    """What a workload asks of one tier for one realisation.

    Attributes
    ----------
    network
        The network to realise at the realisation's reference point (every variant
        of a batch scales it; see :class:`Variant`).
    mapping
        Mapping settings for the mapped and hardware tiers (``None``: the mapper's
        defaults).
    v0
        Initial membrane potential of every neuron, mV, shape ``(n_neurons,)`` in
        network order (``None``: each neuron's v_rest), on the twin and on NEST.
    """

    network: Network
    mapping: MappingConfig | None = None
    v0: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class Variant:
    """How one point runs as a variant of its realisation's batched call.

    Attributes
    ----------
    key
        Integers that label the point's random stream
        (:func:`experiments.runs.execute.point_key`, :mod:`twin.streams`), so the
        key depends on the point only and distinct tuples give distinct keys
        (the emulator's buffer size does not shape the draws).
    g_scale
        Factor on every inhibitory weight.
    rate_scale
        Factor on every Poisson source's rate.
    """

    key: tuple[int, ...]
    g_scale: float = 1.0
    rate_scale: float = 1.0


@dataclass(frozen=True, slots=True, eq=False)
class Finished:
    """A finished sweep: each ensemble member's labels and results, and its folder.

    Attributes
    ----------
    members
        (labels, results) per member, in run order (one member without labels for
        a sweep that is no ensemble); results of every backend and tier.
    out
        The output folder.
    platform
        The platform the sweep ran on (``"twin"`` or ``"nest"``; figure titles).
    """

    members: tuple[tuple[Mapping[str, str], tuple[PointResult, ...]], ...]
    out: Path
    platform: str = "twin"

    @property
    def results(self) -> list[PointResult]:
        """Every member's results, members in order."""
        return [r for _, results in self.members for r in results]

    @property
    def labels(self) -> list[Mapping[str, str]]:
        """One labels mapping per result of :attr:`results`."""
        return [labels for labels, results in self.members for _ in results]


@dataclass(frozen=True, slots=True)
class Output:
    """One set of files a workload writes from a finished sweep.

    Attributes
    ----------
    name
        What it writes (e.g. ``"summary.csv"``, ``"exc.h5/inh.h5 per member"``).
    write
        Writes them from the :class:`Finished` sweep; returns the paths written
        (none where the sweep has nothing for it, e.g. no hardware tier).
    theory
        It is given the theory tiers' results too (tables of metrics); otherwise
        (spikes: seed files, rasters, histograms) only the emulated runs.
    """

    name: str
    write: Callable[[Finished], Sequence[Path]]
    theory: bool = False


def emulated(finished: Finished) -> Finished:
    """Return ``finished`` without the theory tiers' results (they hold no spikes).

    Parameters
    ----------
    finished
        The sweep.

    Returns
    -------
    Finished
        The same members, out and platform; each member's results of emulated
        tiers only (a member may be left without results).
    """
    members = tuple(
        (labels, tuple(r for r in results if not behaviour(r.tier).theory))
        for labels, results in finished.members
    )
    return Finished(members, finished.out, finished.platform)


def write_outputs(outputs: Sequence[Output], finished: Finished) -> list[Path]:
    """Write a finished sweep's outputs in order; return every path written.

    An output without :attr:`Output.theory` is given the emulated runs only
    (:func:`emulated`), and is skipped where there are none.

    Parameters
    ----------
    outputs
        The workload's outputs (:meth:`Workload.outputs`).
    finished
        The sweep.

    Returns
    -------
    list of pathlib.Path
        The files written, in the outputs' order.

    Raises
    ------
    ResultsError, OSError
        As an output raises them (e.g. an existing file that cannot be merged).
    """
    spiking = emulated(finished)
    written: list[Path] = []
    for output in outputs:
        if output.theory:
            written += output.write(finished)
        elif spiking.results:
            written += output.write(spiking)
    return written


class Workload(Protocol[P]):
    """An experiment the run layer can plan, execute, store and report.

    Attributes
    ----------
    name
        Short name (``"brunel"``, ``"microcircuit"``), written with every result.
    coords
        Names of the point's swept coordinates, in report order (Brunel:
        ``("g", "eta")``; a point's file name is made of them).
    columns
        The metrics of :meth:`metrics`, in report order.
    settings
        Everything besides the points that changes results (e.g. a recording
        layout forced on every point); part of every stored point's fingerprint.
    """

    @property
    def name(self) -> str:
        """Short name, written with every result."""
        ...

    @property
    def coords(self) -> tuple[str, ...]:
        """Names of a point's swept coordinates, in report order."""
        ...

    @property
    def columns(self) -> tuple[Column, ...]:
        """The metrics, in report order."""
        ...

    @property
    def settings(self) -> Hashable:
        """Everything besides the points that changes results."""
        ...

    def coordinates(self, point: P) -> Mapping[str, float]:
        """Return the point's values of :attr:`coords`."""
        ...

    def seed(self, point: P) -> int:
        """Return the point's network realisation seed."""
        ...

    def realisation(self, point: P) -> Hashable:
        """Return the key shared by all points of one network realisation."""
        ...

    def layout(self, point: P) -> str:
        """Return the recording layout of a point (what is mapped and analysed)."""
        ...

    def request(self, point: P, fidelity: str, layout: str) -> Request:
        """Return the network and mapping settings a tier requests.

        The network is that of ``point``'s realisation, mapped for ``layout``.
        """
        ...

    def recorded(self, point: P, layout: str) -> np.ndarray:
        """Return the global neuron ids ``layout`` records and analyses."""
        ...

    def variant(self, point: P) -> Variant:
        """Return how ``point`` differs from its realisation's reference network."""
        ...

    def sim_config(self, point: P) -> SimConfig:
        """Return the emulator settings of ``point`` (equal within a realisation)."""
        ...

    def nest_seed(self, point: P) -> int:
        """Return the NEST kernel seed of ``point``."""
        ...

    def metrics(
        self, point: P, recording: SpikeRecording, recorded: np.ndarray
    ) -> dict[str, float]:
        """Return the metrics of one finished run (keys: :attr:`columns`' names)."""
        ...

    def theory_metrics(
        self, point: P, rates: Mapping[str, np.ndarray], recorded: np.ndarray
    ) -> dict[str, float]:
        """Return the metrics of a theory tier's stationary rates (keys: columns').

        ``rates``: population name -> each neuron's rate, Hz, in network order (NaN
        where the theory gives none); metrics rates cannot give (spike statistics)
        are NaN, never 0.
        """
        ...

    def outputs(self) -> tuple[Output, ...]:
        """Return the files a finished sweep writes, in order (see write_outputs)."""
        ...
