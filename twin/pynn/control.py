"""``setup``, ``run``, ``reset``, ``end`` and the state queries of ``twin.pynn``.

``setup`` takes PyNN's arguments plus the twin's own (fidelity tier, wafer, mapping
and hardware settings, seed, precision) and accepts, and ignores, the options other
backends take (``threads``, ``spike_precision``, ...), so a script written for
``pyNN.nest`` runs unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from twin.errors import ConfigError
from twin.hardware import HardwareConfig
from twin.hardware.spike_loss import QueueLoss
from twin.pynn import simulator
from twin.pynn.engine import enable_float64
from twin.routing import MappingConfig, WaferMapping
from twin.tiers import IDEAL, Fidelity
from twin.timegrid import TimeGrid
from twin.wafer import Wafer

__all__ = [
    "end",
    "get_current_time",
    "get_max_delay",
    "get_min_delay",
    "get_time_step",
    "initialize",
    "losses",
    "mapping",
    "num_processes",
    "rank",
    "reset",
    "run",
    "run_for",
    "run_until",
    "setup",
]


def setup(
    timestep: float = DEFAULT_TIMESTEP,
    min_delay: float | str = DEFAULT_MIN_DELAY,
    *,
    fidelity: Fidelity = IDEAL,
    wafer: Wafer | None = None,
    mapping: MappingConfig | None = None,
    hardware: HardwareConfig | None = None,
    rng_seed: int = 0,
    dtype: Literal["float32", "float64"] = "float32",
    **extra_params: Any,
) -> int:
    """Start a session on the twin (PyNN's ``setup``).

    Parameters
    ----------
    timestep
        Resolution, ms (a multiple of 0.001 ms).
    min_delay
        Smallest delay, ms, or ``"auto"``.
    fidelity
        ``"ideal"`` (the model), ``"mapped"`` (mapped on ``wafer``: lost synapses
        removed, delays from route length) or ``"hardware"`` (mapped plus the
        analog effects and rate limits).
    wafer, mapping, hardware
        The wafer, mapping settings and hardware-tier settings (defaults: a perfect
        wafer, ``MappingConfig()``, ``HardwareConfig()``).
    rng_seed
        Seed of the emulator's random streams and of the mapping.
    dtype
        Emulator precision; ``"float64"`` switches JAX to 64-bit floats.
    **extra_params
        ``max_delay``; ``grng_seed``, ``rng_seeds_seed`` or ``rng_seeds`` (first
        value) stand for ``rng_seed`` as on other backends; other backends' options
        (``threads``, ``spike_precision``, ...) are ignored.

    Returns
    -------
    int
        The MPI rank (always 0).

    Raises
    ------
    ConfigError
        If ``timestep`` is not a positive multiple of 0.001 ms.
    UnsupportedError
        For an unknown fidelity.
    """
    common.setup(timestep, min_delay, **extra_params)
    TimeGrid(timestep)
    for alias in ("grng_seed", "rng_seeds_seed"):  # other backends' names of the seed
        rng_seed = int(extra_params.get(alias, rng_seed))
    if extra_params.get("rng_seeds"):
        rng_seed = int(extra_params["rng_seeds"][0])
    state = simulator.state
    state.options = simulator.Options(
        fidelity=fidelity,
        wafer=wafer,
        mapping=mapping,
        hardware=hardware,
        seed=int(rng_seed),
        dtype=dtype,
    )
    if dtype == "float64":
        enable_float64()
    state.clear()
    state.dt = timestep
    state.min_delay = min_delay
    state.max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    return rank()


def end(compatible_output: bool = True) -> None:
    """Write the data asked for with ``record(..., to_file=...)``; end the session.

    Each population recorded with ``to_file`` writes its recorded variables to its file
    as a Neo block (the file format chosen by the extension, as in PyNN); the list of
    pending files is then emptied. The recorded data stay in memory.

    Parameters
    ----------
    compatible_output
        Accepted for PyNN compatibility and ignored.

    Raises
    ------
    OSError
        If a file's extension names an ASCII format (``.txt``, ``.ras``, ``.v``,
        ``.gsyn``), which PyNN does not write, or the file cannot be written.
    Exception
        If a file's extension names no format Neo writes (raised by PyNN's
        ``get_io``).
    """
    state = simulator.state
    for population, variables, filename in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []


def mapping() -> WaferMapping | None:
    """Return the wafer mapping of the last run (``None`` on the ideal tier).

    Its ``loss`` is the loss report per projection; :func:`losses` gives the spikes
    the hardware tier's rate limits dropped.

    Returns
    -------
    twin.routing.WaferMapping or None
        The placement and routing the last run used on the mapped and hardware
        tiers; ``None`` on the ideal tier or before the first run since the last
        ``setup`` or ``reset``.
    """
    emulation = simulator.state.emulation
    if emulation is None or emulation.realised is None:
        return None
    return emulation.realised.mapping


def losses(run: int | None = None) -> dict[str, QueueLoss]:
    """Return the spikes the hardware tier's rate limits offered and dropped.

    Resource name (``priority_encoder``, ``dnc_merger`` inside the run,
    ``recording_per_hicann`` after it, and the external input links
    ``input_per_hicann`` and ``input_per_fpga``) -> a
    :class:`twin.hardware.spike_loss.QueueLoss` with per-group counts; empty on the
    ideal and mapped tiers. The counts cover the runs' whole duration, whatever is
    recorded (:mod:`twin.pynn.losses`): the recording link is offered the recorded
    neurons' spikes, the input links every event of the spike sources (the Poisson
    events drawn and the ``SpikeSourceArray`` times emitted; the network still
    receives them all). With current sources, also ``current_stimulus_per_hicann``:
    the (stimulus, neuron) inputs offered per HICANN and those discarded because a
    HICANN stimulates one neuron only (:mod:`twin.hardware.stimuli`; a property of the
    configuration, the same for every run).

    Parameters
    ----------
    run
        ``None``: all runs since the last ``reset`` (or ``setup``) together; an
        index: that run alone (0 is the first, -1 the last). The runs' counts add up
        to the total.

    Returns
    -------
    dict of str to twin.hardware.spike_loss.QueueLoss
        Resource name -> its offered and dropped counts, as described above; empty
        before the first run.

    Raises
    ------
    ConfigError
        If ``run`` is not the index of a run since the last reset.
    """
    emulation = simulator.state.emulation
    if emulation is None:
        if run is not None:
            raise ConfigError(
                f"losses(run={run!r}): no run since the last reset; call sim.run() "
                "first, or losses() for none"
            )
        return {}
    out = dict(emulation.losses if run is None else _run_losses(emulation, run))
    report = emulation.realised.report if emulation.realised is not None else None
    if report is not None and report.stimuli is not None:
        out[report.stimuli.loss.resource] = report.stimuli.loss
    return out


def _run_losses(emulation: Any, run: int) -> dict[str, QueueLoss]:
    """Return the losses of run ``run`` since the last reset.

    Raises
    ------
    ConfigError
        If ``run`` is not the index of such a run.
    """
    n = len(emulation.segments)
    is_index = isinstance(run, int | np.integer) and not isinstance(run, bool)
    index = int(run) if is_index else n  # not an index: refused below
    if not -n <= index < n:
        raise ConfigError(
            f"losses(run={run!r}): the session has {n} run(s) since the last reset; "
            f"give an index in [{-n}, {n - 1}], or None for all runs together"
        )
    if not emulation.run_losses:  # ideal and mapped tiers
        return {}
    return dict(emulation.run_losses[index])


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
(
    get_current_time,
    get_time_step,
    get_min_delay,
    get_max_delay,
    num_processes,
    rank,
) = common.build_state_queries(simulator)
