"""From what a PyNN script built to the twin's frozen ``Network`` (a pure function).

Neuron populations become :class:`twin.network.Population` (PyNN names and units, one
array per parameter), ``SpikeSourcePoisson`` a :class:`twin.sources.PoissonSource`,
``SpikeSourceArray`` a :class:`twin.sources.SpikeTimesSource`. A PyNN projection may
join views and assemblies of several populations: it becomes one twin projection per
(presynaptic population, postsynaptic population) pair it touches. Each injection of a
current source into a population becomes a :class:`twin.stimuli.CurrentStimulus` with
the times pyNN.nest gives (:mod:`twin.pynn.electrode_times`), named
``"<population>:<source type><k>"`` (the population's k-th injection).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.errors import ConfigError, NetworkError
from twin.network import Network, Population, Projection, Receptor
from twin.sources import PoissonSource, SpikeSource, SpikeTimesSource
from twin.stimuli import CurrentStimulus
from twin.timegrid import TimeGrid

__all__ = [
    "IDLE",
    "Built",
    "check_population",
    "network_of",
    "owners",
    "projection_prefix",
    "spike_times",
]


@dataclass(frozen=True, slots=True, eq=False)
class Built:
    """The network of a session and how PyNN's cells map onto it.

    Attributes
    ----------
    network
        The twin network (neuron populations in creation order).
    names
        PyNN population (by ``id()``) -> its name in ``network``.
    """

    network: Network
    names: dict[int, str]

    def name_of(self, population: Any) -> str:
        """Return the network name of a PyNN population.

        Parameters
        ----------
        population
            A PyNN population of this session (matched by identity).

        Returns
        -------
        str
            Its population's (or spike source's) name in ``network``.

        Raises
        ------
        KeyError
            If ``population`` was not part of the session this network was built from.
        """
        return self.names[id(population)]


#: Name of the unconnected neuron a session of spike sources only is given.
IDLE = "(no neuron)"


def projection_prefix(label: str, k: int) -> str:
    """Return the start of the twin names of PyNN projection ``k`` (``label``).

    A PyNN projection becomes one twin projection per (pre, post) population pair,
    named ``"<label> [<k>] <pre>-><post>"``.

    Parameters
    ----------
    label
        The PyNN projection's label.
    k
        The projection's index in the session's creation order.

    Returns
    -------
    str
        ``"<label> [<k>] "``, the common start of its twin projections' names.

    Examples
    --------
    >>> projection_prefix("exc", 0) + "E->I"
    'exc [0] E->I'
    """
    return f"{label} [{k}] "


def spike_times(value: Any) -> np.ndarray:
    """Return the spike times (ms) of a ``Sequence`` or array.

    Parameters
    ----------
    value
        A :class:`pyNN.parameters.Sequence` (its ``value`` is used), an array or a
        scalar of spike times, ms.

    Returns
    -------
    numpy.ndarray
        The times as a flat float array, shape ``(n_spikes,)``, ms.

    Raises
    ------
    ValueError
        If the values cannot be converted to floats.

    Examples
    --------
    >>> spike_times([[1.0, 2.5]]).tolist(), spike_times(3).tolist()
    ([1.0, 2.5], [3.0])
    """
    return np.asarray(getattr(value, "value", value), dtype=float).reshape(-1)


def _values(pop: Any, cells: Any) -> dict[str, np.ndarray]:
    """Return each parameter of ``cells`` of a PyNN population, one value per cell."""
    return {k: np.broadcast_to(v, pop.size)[cells] for k, v in pop._parameters.items()}


def _source(pop: Any, name: str, cells: Any = slice(None)) -> SpikeSource:
    p = _values(pop, cells)
    kind = type(pop.celltype).__name__
    if kind == "SpikeSourceArray":
        trains = tuple(spike_times(v) for v in p["spike_times"])
        return SpikeTimesSource(name=name, spike_times=trains)
    return PoissonSource(
        name=name,
        size=p["rate"].size,
        rate=p["rate"],
        start=p["start"],
        stop=p["start"] + p["duration"],
    )


def _neurons(pop: Any, name: str, cells: Any = slice(None)) -> Population:
    params = _values(pop, cells)
    return Population(
        name=name,
        size=next(iter(params.values())).size if params else pop.size,
        cell_type=type(pop.celltype).__name__,
        parameters=params,
    )


def check_population(pop: Any, grid: TimeGrid, cells: Any = slice(None)) -> None:
    """Validate a PyNN population's parameters with the twin's own rules.

    Parameters
    ----------
    pop
        The PyNN population.
    grid
        The session's step grid.
    cells
        The cells to check (index array or slice; default: all).

    Raises
    ------
    NetworkError
        If a parameter is outside its cell type's bounds; a spike time is not
        finite, positive and sorted or is never emitted (rounds to t = 0); a
        Poisson source's rate is negative, or its window (``start``, ``start +
        duration``) is empty or off the step grid (NEST refuses it too).
    """
    name = pop.label or "population"
    if not np.arange(pop.size)[cells].size:
        return
    if pop.is_neuron:
        _neurons(pop, name, cells)
        return
    source = _source(pop, name, cells)
    try:
        if isinstance(source, SpikeTimesSource):
            for i, train in enumerate(source.spike_times):
                grid.emitted_stamps(train, f"source {name!r}, train {i}")
        elif isinstance(source, PoissonSource):
            for edge in (source.start, source.stop):
                grid.device_steps(edge, f"source {name!r} window")
    except ConfigError as err:
        raise NetworkError(str(err)) from None


def owners(
    ids: np.ndarray, populations: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Return, per cell id, the index of its population and its index there.

    Parameters
    ----------
    ids
        PyNN cell ids (integers), any shape.
    populations
        The session's populations in creation order (ascending ``first_id``, their
        ids contiguous).

    Returns
    -------
    owner, local
        Integer arrays of the shape of ``ids``: the index in ``populations`` of each
        cell's population and the cell's index within it.
    """
    firsts = np.array([int(p.first_id) for p in populations])
    owner = np.searchsorted(firsts, ids, side="right") - 1
    return owner, ids - firsts[owner]


def _unique_names(populations: Sequence[Any]) -> list[str]:
    names: list[str] = []
    for k, pop in enumerate(populations):
        label = str(pop.label or f"population{k}")
        names.append(label if label not in names else f"{label}#{k}")
    return names


def network_of(
    populations: Sequence[Any], projections: Sequence[Any], dt: float
) -> Built:
    """Build the twin network of a session's populations and projections.

    Parameters
    ----------
    populations
        PyNN populations in creation order (neurons and spike sources).
    projections
        PyNN projections (with their connections collected).
    dt
        Time step, ms.

    Returns
    -------
    Built
        The network (neuron populations in creation order, an idle neuron
        :data:`IDLE` if there is none; one projection per (pre, post) population
        pair of each PyNN projection; one current stimulus per injection) and the
        name each PyNN population has in it.

    Raises
    ------
    NetworkError
        On invalid parameters, weights, delays or current source parameters (see
        :class:`twin.network.Network`).
    ConfigError
        If ``dt`` is not a positive multiple of 0.001 ms.
    """
    names = _unique_names(populations)
    neurons, sources = [], []
    for pop, name in zip(populations, names, strict=True):
        if pop.is_neuron:
            neurons.append(_neurons(pop, name))
        else:
            sources.append(_source(pop, name))
    if not neurons:  # spike sources only: one idle neuron lets the emulator run
        neurons.append(Population(name=IDLE, size=1))
    twin_projections = []
    for k, proj in enumerate(projections):
        twin_projections += _split(k, proj, populations, names)
    network = Network(
        populations=tuple(neurons),
        sources=tuple(sources),
        projections=tuple(twin_projections),
        timestep=dt,
        stimuli=_stimuli(populations, names, TimeGrid(dt)),
    )
    return Built(network, {id(p): n for p, n in zip(populations, names, strict=True)})


def _stimuli(
    populations: Sequence[Any], names: list[str], grid: TimeGrid
) -> tuple[CurrentStimulus, ...]:
    """One current stimulus per injection of a current source into a population."""
    out = []
    for pop, name in zip(populations, names, strict=True):
        for k, (source, index, delay) in enumerate(getattr(pop, "_injections", ())):
            times, amplitudes = source.changes(grid, delay)
            out.append(
                CurrentStimulus(
                    name=f"{name}:{type(source).__name__}{k}",
                    population=name,
                    index=index,
                    times=times,
                    amplitudes=amplitudes,
                )
            )
    return tuple(out)


def _split(
    k: int, proj: Any, populations: Sequence[Any], names: list[str]
) -> list[Projection]:
    """One twin projection per (pre population, post population) pair."""
    pre_idx, post_idx, weight, delay = proj.coo()
    stp = proj.stp()
    pre_owner, pre_local = owners(proj.pre_ids[pre_idx], populations)
    post_owner, post_local = owners(proj.post_ids[post_idx], populations)
    receptor: Receptor = (
        "inhibitory" if proj.receptor_type == "inhibitory" else "excitatory"
    )
    out = []
    n = len(populations)  # one integer key per pair: np.unique(axis=1) is slow
    pair = np.asarray(pre_owner, np.int64) * n + post_owner
    for key in np.unique(pair):
        a, b = divmod(int(key), n)
        sel = pair == key
        out.append(
            Projection(
                pre=names[a],
                post=names[b],
                pre_idx=pre_local[sel],
                post_idx=post_local[sel],
                weight=weight[sel],
                delay=delay[sel],
                receptor=receptor,
                name=f"{projection_prefix(proj.label, k)}{names[a]}->{names[b]}",
                stp=None if stp is None else stp.subset(sel),
            )
        )
    return out
