"""``Network``: the frozen description of a spiking network that every layer consumes.

A network has neuron populations (per-neuron parameter arrays in PyNN names and
units), spike sources (Poisson rates or explicit spike times), projections stored as
COO arrays (``pre``, ``post``, ``weight`` in µS, ``delay`` in ms, receptor) and current
stimuli (step-wise constant currents into neurons, :mod:`twin.stimuli`). Mapping
produces another ``Network`` (the realised one); the emulator and the NEST backend
consume it unchanged.

Arrays given to the constructors are copied and made read-only, so a ``Network`` cannot
change after it is built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np

from twin.cells import SATURATION_DEFAULTS, cell_defaults, check_parameters
from twin.errors import ConfigError, NetworkError
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

Receptor = Literal["excitatory", "inhibitory"]
_RECEPTORS = ("excitatory", "inhibitory")


def _frozen(
    values: object, dtype: type, name: str, context: str, allow_inf: bool = False
) -> np.ndarray:
    """Copy ``values`` to a read-only 1-D array of ``dtype``; reject NaN (and inf)."""
    arr: np.ndarray = np.array(values, dtype=dtype, copy=True).reshape(-1)
    finite = (~np.isnan(arr) & (arr > 0)) if allow_inf else np.isfinite(arr)
    if arr.dtype.kind == "f" and not np.all(finite):
        bad = int(np.flatnonzero(~finite)[0])
        remedy = "values > 0 (inf: no saturation)" if allow_inf else "finite values"
        raise NetworkError(f"{context}: {name}[{bad}] is {arr[bad]}; give {remedy}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Population:
    """A population of neurons of one standard cell type.

    Parameters
    ----------
    name
        Unique name within the network.
    size
        Number of neurons.
    cell_type
        ``"IF_cond_exp"`` or ``"EIF_cond_exp_isfa_ista"``.
    parameters
        Parameter name -> scalar or array of shape ``(size,)`` in PyNN units. Missing
        parameters take PyNN's defaults; every stored value is a read-only array.

    Raises
    ------
    NetworkError
        If ``size`` is not a positive integer, the cell type or a parameter name is
        unknown, a parameter is not numeric, has neither one value nor ``size``
        values, is NaN or infinite (``g_sat_E``/``g_sat_I``: not > 0), or violates a
        bound of :data:`twin.cells.CELL_RULES` (NEST's checks of the model, e.g.
        ``v_reset < v_thresh``, ``cm > 0``, ``tau_refrac >= 0``).
    """

    name: str
    size: int
    cell_type: str = "IF_cond_exp"
    parameters: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        context = f"population {self.name!r}"
        if isinstance(self.size, bool) or not isinstance(self.size, int | np.integer):
            raise NetworkError(
                f"{context}: size = {self.size!r} is not an integer; give the number "
                "of neurons as an int"
            )
        if self.size <= 0:
            raise NetworkError(f"{context}: size {self.size} must be positive")
        defaults = cell_defaults(self.cell_type)
        unknown = sorted(set(self.parameters) - set(defaults))
        if unknown:
            raise NetworkError(
                f"{context}: unknown parameter(s) {unknown} for "
                f"{self.cell_type}; known: {sorted(defaults)}"
            )
        full = {
            key: self._parameter_array(
                key, self.parameters.get(key, default), int(self.size), context
            )
            for key, default in defaults.items()
        }
        check_parameters(self.cell_type, full, context)
        # Normalising the user's input (size, mapping of read-only arrays) is the one
        # write here.
        object.__setattr__(self, "size", int(self.size))
        object.__setattr__(self, "parameters", MappingProxyType(full))

    @staticmethod
    def _parameter_array(
        name: str, value: object, size: int, context: str
    ) -> np.ndarray:
        """Return one parameter as a read-only array of ``size`` finite floats.

        Raises
        ------
        NetworkError
            If ``value`` is not numeric, is neither a scalar nor of shape
            ``(size,)``, or holds NaN or inf (saturation conductances: not > 0).
        """
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise NetworkError(
                f"{context}: {name} = {value!r} is not numeric; give a number or one "
                "number per neuron"
            ) from None
        if arr.ndim == 0:
            arr = np.broadcast_to(arr, (size,))
        elif arr.shape != (size,):
            count = f"length {len(arr)}" if arr.ndim == 1 else f"shape {arr.shape}"
            raise NetworkError(
                f"{context}: {name} has {count} but the population has {size} neurons; "
                f"give one value or an array of {size} values"
            )
        return _frozen(arr, float, name, context, allow_inf=name in SATURATION_DEFAULTS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return (self.name, self.size, self.cell_type) == (
            other.name,
            other.size,
            other.cell_type,
        ) and all(
            np.array_equal(self.parameters[k], other.parameters[k])
            for k in self.parameters
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Projection:
    """Synapses from one population or source onto one population, as COO arrays.

    Parameters
    ----------
    pre, post
        Names of the presynaptic population/source and the postsynaptic population.
    pre_idx, post_idx
        Index of each synapse's pre- and postsynaptic neuron within its population.
    weight
        Peak conductance per synapse, µS (non-negative).
    delay
        Transmission delay per synapse, ms (at least the network's timestep).
    receptor
        ``"excitatory"`` or ``"inhibitory"``.
    name
        Optional label; defaults to ``"pre->post"``.

    Raises
    ------
    NetworkError
        If the receptor is not ``"excitatory"`` or ``"inhibitory"``, a weight or
        delay is NaN or infinite, the four arrays differ in length, or a weight is
        negative. (Indices and delays are checked against the populations and the
        timestep by :class:`Network`.)
    """

    pre: str
    post: str
    pre_idx: np.ndarray
    post_idx: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    receptor: Receptor = "excitatory"
    name: str = ""

    def __post_init__(self) -> None:
        label = self.name or f"{self.pre}->{self.post}"
        object.__setattr__(self, "name", label)
        context = f"projection {label!r}"
        if self.receptor not in _RECEPTORS:
            raise NetworkError(
                f"{context}: receptor {self.receptor!r}; use 'excitatory' or "
                "'inhibitory'"
            )
        arrays = {
            "pre_idx": _frozen(self.pre_idx, np.int64, "pre_idx", context),
            "post_idx": _frozen(self.post_idx, np.int64, "post_idx", context),
            "weight": _frozen(self.weight, np.float64, "weight", context),
            "delay": _frozen(self.delay, np.float64, "delay", context),
        }
        n = arrays["pre_idx"].size
        for key, arr in arrays.items():
            if arr.size != n:
                raise NetworkError(
                    f"{context}: {key} has {arr.size} entries but pre_idx has {n}; "
                    "give one value per synapse"
                )
            object.__setattr__(self, key, arr)
        if n and self.weight.min() < 0:
            bad = int(np.argmin(self.weight))
            raise NetworkError(
                f"{context}: weight[{bad}] = {self.weight[bad]} µS is negative; "
                "weights are conductances, set the receptor to 'inhibitory' instead"
            )

    @property
    def size(self) -> int:
        """Number of synapses."""
        return int(self.pre_idx.size)

    def replace(self, **changes: object) -> Projection:
        """Return a copy with some fields replaced (validated again).

        Raises
        ------
        NetworkError
            If the copy is not a valid projection (see :class:`Projection`).
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def subset(self, keep: np.ndarray) -> Projection:
        """Return the projection restricted to the synapses selected by ``keep``."""
        return self.replace(
            pre_idx=self.pre_idx[keep],
            post_idx=self.post_idx[keep],
            weight=self.weight[keep],
            delay=self.delay[keep],
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Projection):
            return NotImplemented
        return (self.pre, self.post, self.receptor, self.name) == (
            other.pre,
            other.post,
            other.receptor,
            other.name,
        ) and all(
            np.array_equal(getattr(self, k), getattr(other, k))
            for k in ("pre_idx", "post_idx", "weight", "delay")
        )

    __hash__ = None  # type: ignore[assignment]


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
