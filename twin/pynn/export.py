"""Write a ``twin.Network`` as a runnable PyNN script (plus a ``.npz`` of its arrays).

:func:`write_pynn_script` writes ``NAME.py`` and ``NAME.npz`` beside it. The script
rebuilds exactly the network with standard PyNN calls — one ``Population`` per neuron
population (its cell type, every parameter: literal where all neurons share it, the
per-neuron array from the ``.npz`` otherwise), a ``SpikeSourcePoisson`` per Poisson
source (rates and windows), a ``SpikeSourceArray`` per spike-times source, and a
``Projection`` per projection with ``FromListConnector`` (each synapse's pre, post,
weight and delay), ``StaticSynapse`` (``TsodyksMarkramSynapse`` where the projection
has short-term plasticity) and its receptor type — runs it, prints each recorded
population's mean rate and writes the recorded data as a Neo pickle
(``NAME_<simulator>.pkl``, PyNN's ``PickleIO``: no extra package).

The simulator is taken from the command line as in PyNN's examples::

    python NAME.py nest      # pyNN.nest, NEST's grid-based models (spike_precision
                             # "on_grid", the ones the twin emulates)
    python NAME.py twin      # twin.pynn (also: python -m twin.pynn.launch NAME.py twin)

Units are PyNN's, as in the network: weights in µS onto conductance-based cells, nA
onto current-based ones; delays and times in ms; rates in Hz.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyNN.standardmodels.cells as pynn_cells

from twin.cells import cell_defaults
from twin.errors import ConfigError
from twin.files import atomic_write_bytes, atomic_write_text
from twin.network import Network, PoissonSource, Population, Projection
from twin.pynn.export_template import EPILOGUE, PREAMBLE
from twin.sources import SpikeTimesSource

__all__ = ["NO_STOP", "ExportError", "Recording", "write_pynn_script"]

#: Duration written for a Poisson source without a stop (``stop = inf``): PyNN's
#: default ``duration`` of ``SpikeSourcePoisson``, ms.
NO_STOP = 1e10


class ExportError(ConfigError):
    """A network holds something a PyNN script cannot express, or a bad argument."""


def _literal(values: np.ndarray) -> str | None:
    """Return a Python literal of the one value all entries share, else ``None``."""
    flat = np.asarray(values, dtype=float).reshape(-1)
    if flat.size and np.all(flat == flat[0]):
        return repr(float(flat[0]))
    return None


def _value(arrays: dict[str, np.ndarray], key: str, values: np.ndarray) -> str:
    """Return the script's expression for ``values``: a literal or ``DATA[key]``."""
    literal = _literal(values)
    if literal is not None:
        return literal
    arrays[key] = np.asarray(values)
    return f'DATA["{key}"]'


def _cell_parameters(pop: Population) -> list[str]:
    """Return the PyNN parameters of ``pop``'s cell type, refusing twin-only values.

    Raises
    ------
    ExportError
        If a parameter PyNN's cell type lacks (the twin's ``g_sat_E``/``g_sat_I``)
        differs from the twin's default (no saturation).
    """
    pynn_names = list(getattr(pynn_cells, pop.cell_type).default_parameters)
    defaults = cell_defaults(pop.cell_type)
    for name in sorted(set(pop.parameters) - set(pynn_names)):
        if not np.all(pop.parameters[name] == defaults[name]):
            raise ExportError(
                f"population {pop.name!r}: {name} is not {defaults[name]} (PyNN's "
                f"{pop.cell_type} has no {name}); a PyNN script cannot carry it: "
                f"set {name} to {defaults[name]} before exporting"
            )
    return [n for n in pynn_names if n in pop.parameters]


def _population(
    k: int, pop: Population, v_init: np.ndarray | None, arrays: dict[str, np.ndarray]
) -> list[str]:
    """Return the lines that create neuron population ``k``."""
    lines = [f"pops[{pop.name!r}] = sim.Population({pop.size}, sim.{pop.cell_type}("]
    lines += [
        f"    {name}={_value(arrays, f'population{k}_{name}', pop.parameters[name])},"
        for name in _cell_parameters(pop)
    ]
    lines.append(f"), label={pop.name!r})")
    if v_init is not None:
        value = _value(arrays, f"population{k}_v_init", v_init)
        lines.append(f"pops[{pop.name!r}].initialize(v={value})")
    return lines


def _source(k: int, src: object, arrays: dict[str, np.ndarray]) -> list[str]:
    """Return the lines that create spike source ``k``.

    Raises
    ------
    ExportError
        If the source is of a kind the export does not know.
    """
    if isinstance(src, PoissonSource):
        rate = np.asarray(src.rate, float)
        start = np.asarray(src.start, float)
        duration = np.where(np.isinf(src.stop), NO_STOP, np.asarray(src.stop) - start)
        celltype = (
            f"sim.SpikeSourcePoisson(rate={_value(arrays, f'source{k}_rate', rate)}, "
            f"start={_value(arrays, f'source{k}_start', start)}, "
            f"duration={_value(arrays, f'source{k}_duration', duration)})"
        )
        size = src.size
    elif isinstance(src, SpikeTimesSource):
        trains = src.spike_times
        arrays[f"source{k}_times"] = np.concatenate([np.zeros(0), *trains])
        arrays[f"source{k}_counts"] = np.array([t.size for t in trains], np.int64)
        celltype = f'sim.SpikeSourceArray(spike_times=trains(DATA, "source{k}"))'
        size = len(trains)
    else:
        raise ExportError(f"spike source {src!r}: no PyNN equivalent known")
    name = src.name
    return [
        f"pops[{name!r}] = sim.Population(",
        f"    {size}, {celltype}, label={name!r}",
        ")",
    ]


def _projection(k: int, proj: Projection, arrays: dict[str, np.ndarray]) -> list[str]:
    """Return the lines that create projection ``k``."""
    key = f"projection{k}"
    columns = ["weight", "delay"]
    arrays[f"{key}_pre"] = proj.pre_idx
    arrays[f"{key}_post"] = proj.post_idx
    arrays[f"{key}_weight"] = proj.weight
    arrays[f"{key}_delay"] = proj.delay
    synapse = "sim.StaticSynapse()"
    stp = getattr(proj, "stp", None)
    if stp is not None:
        for name in ("U", "tau_rec", "tau_facil"):
            arrays[f"{key}_{name}"] = getattr(stp, name)
            columns.append(name)
        synapse = "sim.TsodyksMarkramSynapse()"
    return [
        f"sim.Projection(  # {proj.size} synapses",
        f"    pops[{proj.pre!r}], pops[{proj.post!r}],",
        f'    sim.FromListConnector(connections(DATA, "{key}", {columns!r}),',
        f"                          column_names={columns!r}),",
        f"    {synapse}, receptor_type={proj.receptor!r}, label={proj.name!r},",
        ")",
    ]


def _delay_limits(network: Network) -> tuple[str, str]:
    """Return the script's ``min_delay`` and ``max_delay`` arguments."""
    delays = [p.delay for p in network.projections if p.size]
    if not delays:
        return '"auto"', '"auto"'
    return (
        repr(float(min(d.min() for d in delays))),
        repr(float(max(d.max() for d in delays))),
    )


def _header(network: Network, path: Path, t_stop: float) -> str:
    """Return the script's docstring: what it builds and how to run it."""
    lines = [f'"""{path.stem}: a network for PyNN, {t_stop:g} ms.', ""]
    for pop in network.populations:
        lines.append(f"Population {pop.name!r}: {pop.size} {pop.cell_type}")
    for src in network.sources:
        lines.append(f"Source {src.name!r}: {type(src).__name__}")
    for proj in network.projections:
        lines.append(
            f"Projection {proj.name!r}: {proj.pre} -> {proj.post}, {proj.size} "
            f"synapses, {proj.receptor}"
        )
    lines += [
        "",
        f"The arrays (connections, per-neuron values) are in {path.stem}.npz.",
        f"Run: python {path.name} nest  |  python {path.name} twin",
        '"""',
        "",
    ]
    return "\n".join(lines)


#: What to record of one population: variable names (every cell), or variable name
#: -> indices of the cells to record it from.
Recording = Sequence[str] | Mapping[str, Sequence[int] | np.ndarray]


def _recorded_lines(
    record: Mapping[str, Recording], network: Network, arrays: dict[str, np.ndarray]
) -> list[str]:
    """Return the lines that record ``record``'s variables.

    Raises
    ------
    ExportError
        If ``record`` names a population the network lacks, or a cell index outside
        the population.
    """
    names = [p.name for p in network.populations] + [s.name for s in network.sources]
    sizes = {name: network.size_of(name) for name in names}
    out = []
    for k, (name, what) in enumerate(record.items()):
        if name not in sizes:
            raise ExportError(
                f"record names {name!r}, which is no population or source of the "
                f"network; give one of {sorted(sizes)}"
            )
        if not isinstance(what, Mapping):
            out.append(f"pops[{name!r}].record({list(what)!r})")
            continue
        for variable, cells in what.items():
            index = np.unique(np.asarray(cells, dtype=np.int64))
            if not index.size:
                continue
            if not 0 <= index.min() <= index.max() < sizes[name]:
                raise ExportError(
                    f"record: cells {index.min()}..{index.max()} of {name!r} for "
                    f"{variable!r}, which has {sizes[name]}; give indices in "
                    f"[0, {sizes[name]})"
                )
            key = f"record{k}_{variable}"
            arrays[key] = index
            out.append(f'pops[{name!r}][DATA["{key}"]].record({variable!r})')
    return out


def _records_spikes(what: Recording) -> bool:
    """Return whether ``what`` records the spikes of at least one cell."""
    if isinstance(what, Mapping):
        return "spikes" in what and len(what["spikes"]) > 0
    return "spikes" in what


def write_pynn_script(
    network: Network,
    path: str | Path,
    *,
    t_stop: float,
    record: Mapping[str, Recording] | None = None,
    simulator: str = "nest",
    v_init: Mapping[str, np.ndarray] | None = None,
    seed: int = 0,
    twin_setup: Mapping[str, str | int | float | bool] | None = None,
) -> Path:
    """Write ``network`` as a runnable PyNN script and its arrays as a ``.npz``.

    Parameters
    ----------
    network
        The network (neuron populations, Poisson and spike-times sources,
        projections; no current stimuli).
    path
        The script to write (``.py``); the arrays go to the same path with
        ``.npz``. Both are written atomically.
    t_stop
        Duration of the run, ms (> 0).
    record
        Population or source name -> the variables to record from all its cells
        (``("spikes", "v")``), or variable -> indices of the cells to record it from
        (``{"spikes": [0, 3]}``, as
        :attr:`twin.pynn.capture.CapturedPopulation.recorded` gives them); ``None``:
        the spikes of every neuron population.
    simulator
        The simulator the script uses when run without an argument.
    v_init
        Neuron population name -> initial membrane potential, mV (a scalar or one
        value per neuron); populations not named keep PyNN's default.
    seed
        The simulator's seed (``setup(rng_seed=...)``, the twin's Poisson streams;
        0: each simulator's default, the twin's is 0).
    twin_setup
        Options the script gives :func:`twin.pynn.setup` when run on the twin
        (``{"fidelity": "hardware"}``, ``{"dtype": "float64"}``); written as literals.

    Returns
    -------
    Path
        The script's path.

    Raises
    ------
    ExportError
        If ``t_stop`` is not > 0, ``path`` does not end in ``.py``, ``record`` or
        ``v_init`` names an unknown population, the network has current stimuli
        or a twin-only parameter that differs from its default.
    """
    script = Path(path)
    if script.suffix != ".py":
        raise ExportError(f"path {str(script)!r} must end in .py; name a script file")
    if not t_stop > 0:
        raise ExportError(f"t_stop = {t_stop!r} ms; give a duration > 0")
    if network.stimuli:
        raise ExportError(
            f"the network has {len(network.stimuli)} current stimuli, which the "
            "export does not write yet; remove them and add PyNN current sources to "
            "the script by hand"
        )
    v_init = dict(v_init or {})
    unknown = sorted(set(v_init) - {p.name for p in network.populations})
    if unknown:
        raise ExportError(f"v_init names {unknown}, which are no neuron populations")
    if record is None:
        record = {p.name: ("spikes",) for p in network.populations}
    arrays: dict[str, np.ndarray] = {}
    body: list[str] = []
    for k, pop in enumerate(network.populations):
        given = v_init.get(pop.name)
        v = None if given is None else np.broadcast_to(given, (pop.size,))
        body += _population(k, pop, v, arrays)
    for k, src in enumerate(network.sources):
        body += _source(k, src, arrays)
    for k, proj in enumerate(network.projections):
        body += _projection(k, proj, arrays)
    body += _recorded_lines(record, network, arrays)
    min_delay, max_delay = _delay_limits(network)
    text = (
        _header(network, script, t_stop)
        + PREAMBLE.format(
            simulator=simulator,
            t_stop=float(t_stop),
            seed=int(seed),
            dt=float(network.timestep),
            min_delay=min_delay,
            max_delay=max_delay,
            twin_setup=dict(twin_setup or {}),
        )
        + "\n".join(body)
        + "\n"
        + EPILOGUE.format(
            recorded=list(record),
            spiking=[name for name, what in record.items() if _records_spikes(what)],
        )
    )
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **cast(dict[str, Any], arrays))
    atomic_write_bytes(script.with_suffix(".npz"), buffer.getvalue())
    return atomic_write_text(script, text)
