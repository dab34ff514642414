"""``Network``: the frozen description of a spiking network that every layer consumes.

A network has neuron populations (per-neuron parameter arrays in PyNN names and
units, :mod:`twin.population`), spike sources (Poisson rates or explicit spike times,
:mod:`twin.sources`), projections stored as COO arrays (``pre``, ``post``, ``weight``
in µS, onto current-based cells in nA; ``delay`` in ms, receptor;
:mod:`twin.projection`) and current stimuli
(step-wise constant currents into neurons, :mod:`twin.stimuli`). Mapping produces
another ``Network`` (the realised one); the emulator and the NEST backend consume it
unchanged. The parts are importable from here too.

Arrays given to the constructors are copied and made read-only, so a ``Network`` cannot
change after it is built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from twin.cells import CURRENT_BASED
from twin.errors import ConfigError, NetworkError
from twin.population import Population
from twin.projection import Projection, Receptor
from twin.sources import PoissonSource, SpikeSource, SpikeTimesSource
from twin.stimuli import CurrentStimulus
from twin.timegrid import TimeGrid

__all__ = [
    "CurrentStimulus",
    "Network",
    "PoissonSource",
    "Population",
    "Projection",
    "Receptor",
    "SpikeSource",
    "SpikeTimesSource",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    """A complete network: populations, spike sources, projections and timestep.

    Parameters
    ----------
    populations
        Neuron populations, in order; global neuron ids follow this order.
    sources
        Spike sources (Poisson or explicit spike times).
    projections
        Synapses between them.
    timestep
        Integration timestep the network is meant for, ms (a multiple of NEST's
        0.001 ms tic); every delay must round to at least one step of it (NEST's
        rule, :class:`twin.timegrid.TimeGrid`).
    stimuli
        Current stimuli (:class:`twin.stimuli.CurrentStimulus`) into neurons of the
        populations; their times must lie on the step grid of ``timestep``.

    Raises
    ------
    NetworkError
        On no population, duplicate names, unknown endpoints, indices out of range,
        short delays, or a stimulus with a duplicate name, an unknown population, a
        target out of range or a time off the step grid.
    ConfigError
        If ``timestep`` is not a positive multiple of 0.001 ms.
    """

    populations: tuple[Population, ...]
    sources: tuple[SpikeSource, ...] = ()
    projections: tuple[Projection, ...] = ()
    timestep: float = 0.1
    stimuli: tuple[CurrentStimulus, ...] = ()

    def __post_init__(self) -> None:
        for name in ("populations", "sources", "projections", "stimuli"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.populations:
            raise NetworkError(
                "network: populations = () (no neuron); the emulator and the mapper "
                "need at least one neuron, add a Population"
            )
        TimeGrid(self.timestep)  # a positive multiple of NEST's tic
        names = [p.name for p in self.populations] + [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise NetworkError(f"duplicate population/source names {dupes}; rename")
        for proj in self.projections:
            self._check_projection(proj)
        stimulus_names = [s.name for s in self.stimuli]
        dupes = sorted({n for n in stimulus_names if stimulus_names.count(n) > 1})
        if dupes:
            raise NetworkError(f"duplicate current stimulus names {dupes}; rename")
        for stimulus in self.stimuli:
            self._check_stimulus(stimulus)

    def _check_stimulus(self, stimulus: CurrentStimulus) -> None:
        """Check a stimulus' targets and that its times lie on the step grid.

        Raises
        ------
        NetworkError
            If its population is unknown, a target is out of range or a time is
            not a whole number of steps.
        """
        context = f"current stimulus {stimulus.name!r}"
        size = self.population(stimulus.population).size
        if stimulus.size and stimulus.index.max() >= size:
            raise NetworkError(
                f"{context}: index {int(stimulus.index.max())} outside 0..{size - 1} "
                f"of population {stimulus.population!r}; indices are positions "
                "within the population"
            )
        try:
            TimeGrid(self.timestep).device_steps(stimulus.times, context)
        except ConfigError as err:
            raise NetworkError(str(err)) from None

    def _check_projection(self, proj: Projection) -> None:
        context = f"projection {proj.name!r}"
        pre_size = self.size_of(proj.pre)
        post = self.population(proj.post)
        for key, size in (("pre_idx", pre_size), ("post_idx", post.size)):
            idx = getattr(proj, key)
            if idx.size and (idx.min() < 0 or idx.max() >= size):
                bad = int(idx[(idx < 0) | (idx >= size)][0])
                raise NetworkError(
                    f"{context}: {key} contains {bad}, outside 0..{size - 1}; "
                    "indices are positions within the population"
                )
        TimeGrid(self.timestep).check_delays(proj.delay, context)
        _check_weight_signs(proj, post.cell_type)

    def population(self, name: str) -> Population:
        """Return the population called ``name``.

        Raises
        ------
        NetworkError
            If the network has no population called ``name``.
        """
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise NetworkError(
            f"no population {name!r}; populations: {[p.name for p in self.populations]}"
        )

    def source(self, name: str) -> SpikeSource:
        """Return the spike source called ``name``.

        Raises
        ------
        NetworkError
            If the network has no spike source called ``name``.
        """
        for src in self.sources:
            if src.name == name:
                return src
        raise NetworkError(
            f"no spike source {name!r}; sources: {[s.name for s in self.sources]}"
        )

    def is_source(self, name: str) -> bool:
        """Return whether ``name`` is a spike source (not a neuron population)."""
        return any(s.name == name for s in self.sources)

    def size_of(self, name: str) -> int:
        """Return the size of the population or source called ``name``.

        Raises
        ------
        NetworkError
            If ``name`` is neither a population nor a spike source of the network.
        """
        return (
            self.source(name).size
            if self.is_source(name)
            else self.population(name).size
        )

    @property
    def n_neurons(self) -> int:
        """Total number of neurons over all populations."""
        return sum(p.size for p in self.populations)

    @property
    def n_synapses(self) -> int:
        """Total number of synapses over all projections."""
        return sum(p.size for p in self.projections)

    def offset(self, name: str) -> int:
        """Return the global id of the first neuron of population ``name``.

        Raises
        ------
        NetworkError
            If the network has no population called ``name``.
        """
        start = 0
        for pop in self.populations:
            if pop.name == name:
                return start
            start += pop.size
        raise NetworkError(f"no population {name!r}")

    def projections_from(self, name: str) -> Iterator[Projection]:
        """Iterate over the projections whose presynaptic side is ``name``."""
        return (p for p in self.projections if p.pre == name)

    def replace(self, **changes: object) -> Network:
        """Return a copy with some fields replaced (validated again).

        Raises
        ------
        NetworkError
            If the copy is not a valid network (see :class:`Network`).
        ConfigError
            If a new ``timestep`` is not a positive multiple of 0.001 ms.
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _check_weight_signs(proj: Projection, post_cell_type: str) -> None:
    """Check a projection's weight signs against its post population's cell type.

    PyNN's rule (``pyNN.standardmodels.check_weights``): weights onto
    conductance-based cells and on excitatory receptors are >= 0; inhibitory weights
    onto current-based cells are <= 0.

    Raises
    ------
    NetworkError
        If an inhibitory weight onto a current-based cell is positive, or one onto a
        conductance-based cell is negative, naming the first such synapse.
    """
    if not proj.size or proj.receptor == "excitatory":
        return
    context = f"projection {proj.name!r}"
    if post_cell_type in CURRENT_BASED:
        if proj.weight.max() > 0:
            bad = int(np.argmax(proj.weight))
            raise NetworkError(
                f"{context}: weight[{bad}] = {proj.weight[bad]} nA is positive onto "
                f"{post_cell_type} on the inhibitory receptor; inhibitory weights of "
                "current-based cells are negative currents (PyNN's rule), give "
                f"{-proj.weight[bad]}"
            )
    elif proj.weight.min() < 0:
        bad = int(np.argmin(proj.weight))
        raise NetworkError(
            f"{context}: weight[{bad}] = {proj.weight[bad]} µS is negative onto "
            f"{post_cell_type}; weights are conductances (>= 0), the receptor "
            "'inhibitory' makes them inhibitory"
        )
