"""``twin adapt SCRIPT.py``: a PyNN script's network adapted for the wafer, its ladder.

The network the script builds is captured at its first ``run`` through ``twin.pynn``
(:func:`twin.pynn.capture.capture_script`) and adapted by the seed's recipe
(``brunel_bss1.md`` §1.2-1.3), each step only where the network needs it
(:func:`script_steps`):

1. ``downscale(k)`` if asked for (``k > 1``);
2. ``set_time_constants(tau_syn=3)`` (the seed's 3 ms, charge kept) if a synaptic
   time constant lies outside the wafer's range
   (:func:`twin.hardware.parameters.bio_range`);
3. ``pool_inputs(N, 200)``: independent Poisson generators pooled into as many
   shared sources as neurons with 200 connections each (the seed's 2,083 = N and
   C_ext = 200); a network whose inputs cannot be pooled keeps them, and the step's
   report says why;
4. ``to_conductance`` for current-based cells, at ``V_mean`` = the mean resting
   potential with reversal potentials ``V_mean ± 140 mV`` (the seed's 0 and
   ±140 mV);
5. ``to_wafer_ranges()``;
6. ``with_variation``: the wafer's calibration spreads (:data:`twin.spreads.SPREADS`,
   big capacitor, normal speed) as NEST-side variation.

The network after step 5 is written as a PyNN script
(:func:`twin.pynn.export.write_pynn_script`, ``<name>_wafer.py``): the file a user
would submit to the wafer, which brings its own variation; run on the twin
(``python <name>_wafer.py twin``) it runs on the ``hardware`` tier. The ladder runs
the script's network and every rung at the script's own point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from experiments.adapt.files import write_ladder
from experiments.runs.analysis import activity
from twin.adapt import (
    Adapted,
    Step,
    StepReport,
    adapt_steps,
    downscale,
    pool_inputs,
    set_time_constants,
    to_conductance,
    to_wafer_ranges,
    with_variation,
)
from twin.adapt.fit_runs import Point
from twin.adapt.ladder import Ladder, run_ladder
from twin.adapt.wafer_ranges import STEP as WAFER_RANGES_STEP
from twin.cells import CURRENT_BASED, cell_defaults
from twin.errors import AdaptError
from twin.hardware.cost import WaferCost, wafer_cost
from twin.hardware.parameters import bio_range
from twin.network import Network
from twin.spreads import SPREADS

__all__ = ["ScriptOutcome", "adapt_and_export", "adapt_script", "script_steps"]

#: The seed's synaptic time constant, ms, and reversal potentials around V_mean, mV.
SEED_TAU_SYN: Final = 3.0
SEED_DRIVING_FORCE: Final = 140.0
#: The seed's connections per neuron from the shared pool (C_ext).
SEED_POOL_IN_DEGREE: Final = 200
#: The step whose network the exported script holds (before the NEST-side variation).
WAFER_READY: Final = WAFER_RANGES_STEP


@dataclass(frozen=True, slots=True, eq=False)
class ScriptOutcome:
    """What :func:`adapt_script` made.

    Attributes
    ----------
    adapted
        The captured network and its cumulative steps.
    ladder
        The ladder's rows.
    cost
        What the script's run would cost on the wafer.
    paths
        The files written (the ladder's, the adapted script and its arrays).
    fits
        Always empty (the fit runs for workloads with a reference; kept for the
        command's report).
    """

    adapted: Adapted
    ladder: Ladder
    cost: WaferCost
    paths: tuple[Path, ...]
    fits: tuple[()] = ()


def _parameter(network: Network, name: str) -> np.ndarray:
    """Return every neuron's value of parameter ``name`` (its cell type's default)."""
    values = [
        np.broadcast_to(
            p.parameters.get(name, cell_defaults(p.cell_type).get(name, np.nan)),
            (p.size,),
        )
        for p in network.populations
    ]
    return np.concatenate(values).astype(float)


def _optional(step: Step) -> Step:
    """Return ``step`` that leaves a network it cannot carry as it is, saying why."""

    def apply(network: Network) -> tuple[Network, StepReport]:
        try:
            return step(network)
        except AdaptError as err:
            return network, StepReport(
                step=step.name, formula="not applied", source="twin adapt SCRIPT",
                notes=(f"left as it is: {err}",),
            )  # fmt: skip

    return Step(step.name, apply)


def _pooled(seed: int) -> Step:
    """Return ``pool_inputs`` into as many sources as neurons, 200 each (the seed's)."""

    def apply(network: Network) -> tuple[Network, StepReport]:
        n = network.n_neurons
        step = pool_inputs(n, min(SEED_POOL_IN_DEGREE, n), seed=seed)
        return _optional(step)(network)

    return Step("pool_inputs", apply)


def _conductance(network: Network) -> tuple[Network, StepReport]:
    """Convert current-based cells at V_mean = the mean v_rest, E_rev = V_mean ± 140."""
    v_mean = float(np.nanmean(_parameter(network, "v_rest")))
    step = to_conductance(
        v_mean=v_mean,
        e_rev_E=v_mean + SEED_DRIVING_FORCE,
        e_rev_I=v_mean - SEED_DRIVING_FORCE,
    )
    return step(network)


def script_steps(network: Network, *, seed: int, k: float = 1.0) -> list[Step]:
    """Return the seed's recipe for ``network``: the steps it needs, in order.

    Parameters
    ----------
    network
        The captured network.
    seed
        Seed of the drawn connections and variation.
    k
        Down-scaling factor (1: none).

    Returns
    -------
    list of Step
        See the module's list.
    """
    steps = [downscale(k, seed=seed)] if k > 1 else []
    lo, hi = bio_range("tau_syn_E")
    taus = np.concatenate(
        [_parameter(network, "tau_syn_E"), _parameter(network, "tau_syn_I")]
    )
    if np.any((taus < lo) | (taus > hi)):
        steps.append(set_time_constants(tau_syn=SEED_TAU_SYN))
    steps.append(_pooled(seed))
    if any(p.cell_type in CURRENT_BASED for p in network.populations):
        steps.append(Step("to_conductance", _conductance))
    steps += [
        to_wafer_ranges(),
        with_variation(SPREADS[("big", "normal")], seed=seed),
    ]
    return steps


def adapt_and_export(
    script: Path,
    out: str | Path,
    *,
    script_args: Sequence[str] = (),
    t_stop: float | None = None,
    seed: int = 1234,
    k: float = 1.0,
) -> tuple[Adapted, float, tuple[Path, Path]]:
    """Capture and adapt a PyNN script; write the wafer-ready network as a script.

    Parameters
    ----------
    script, out, script_args, t_stop, seed, k
        As :func:`adapt_script`.

    Returns
    -------
    adapted : Adapted
        The captured network and its cumulative steps.
    t_stop : float
        The run length, ms (the script's own unless given).
    paths : tuple of Path
        The adapted script ``<name>_wafer.py`` and its arrays (``.npz``).

    Raises
    ------
    CaptureError, AdaptError, ExportError, ConfigError
        As :func:`adapt_script`.
    """
    from twin.pynn.capture import capture_script
    from twin.pynn.export import write_pynn_script

    captured = capture_script(script, script_args)
    run_for = captured.t_stop if t_stop is None else t_stop
    adapted = adapt_steps(
        captured.network, script_steps(captured.network, seed=seed, k=k)
    )
    ready = write_pynn_script(
        adapted.rung(WAFER_READY), Path(out) / f"{script.stem}_wafer.py",
        t_stop=run_for, seed=seed, twin_setup={"fidelity": "hardware"},
    )  # fmt: skip
    return adapted, run_for, (ready, ready.with_suffix(".npz"))


def adapt_script(
    script: Path,
    out: str | Path,
    *,
    script_args: Sequence[str] = (),
    t_stop: float | None = None,
    seed: int = 1234,
    k: float = 1.0,
    tiers: Sequence[str] = ("mapped", "hardware"),
    progress: Callable[[str], None] | None = None,
) -> ScriptOutcome:
    """Capture, adapt and ladder a PyNN script; write the adapted script into ``out``.

    Parameters
    ----------
    script
        The PyNN script (run as ``python SCRIPT twin ARGS``).
    out
        Output folder: ``ladder.*`` and ``<name>_wafer.py`` (+ ``.npz``).
    script_args
        The script's arguments after the simulator's name.
    t_stop
        Run length of each rung, ms (``None``: the script's own run).
    seed
        Seed of the steps' draws and of the ladder's Poisson input.
    k
        Down-scaling factor (1: none).
    tiers
        The wafer tiers of the last rungs.
    progress
        Told what runs next.

    Returns
    -------
    ScriptOutcome
        The adaptation, the ladder, the wafer cost and the files.

    Raises
    ------
    CaptureError
        If the script cannot be captured (missing, failing, never calling run).
    AdaptError, ExportError, ConfigError
        If a step or the export refuses the network.
    """
    adapted, run_for, exported = adapt_and_export(
        script, out, script_args=script_args, t_stop=t_stop, seed=seed, k=k
    )
    ladder = run_ladder(adapted, (Point(script.stem),), tiers=tiers, t_stop=run_for,
                        seed=seed, measure=activity, progress=progress)  # fmt: skip
    cost = wafer_cost(run_for, recorded_spikes=ladder.spikes(ladder.rungs[-1]))
    paths = write_ladder(
        ladder, out, title=f"Adaptation ladder: {script.name} on the wafer",
        cost=cost, reports=adapted.reports,
    )  # fmt: skip
    return ScriptOutcome(adapted, ladder, cost, (*paths, *exported))
