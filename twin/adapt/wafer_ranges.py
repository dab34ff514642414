"""``to_wafer_ranges``: every neuron parameter clipped into the wafer's range.

The ranges are the hardware tier's (:func:`twin.hardware.parameters.bio_range`: the
voltage window of the calibration, the ``tau_m``, ``tau_refrac`` and ``tau_syn``
ranges of the floating gates at the chosen capacitor and speed mode). Each parameter
with a floating gate of its own is clipped per neuron; the report gives, per
population and parameter, how many neurons were clipped and the largest change.
Quantisation to 10-bit floating-gate values is the hardware tier's, not this step's.
Parameters without a floating gate (``cm``, ``i_offset``) are left. Weights are left
too (the mapped tier realises them: 4-bit levels, a ``gmax`` per row, stochastic
rounding, :mod:`twin.hardware.weights`), but the report counts, per projection onto
conductance-based cells, the weights above the largest conductance a row can realise
(``gmax_div`` 2, level 15: clipped by the mapping) and below the smallest non-zero one
(``gmax_div`` 30, level 1: rounded to it or to 0, the mean kept), at the logical
neuron's capacitance (``neuron_size`` denmems).
"""

from __future__ import annotations

import numpy as np

from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.cells import CURRENT_BASED
from twin.errors import AdaptError, NetworkError
from twin.hardware.parameters import CapMode, SpeedMode, VoltageWindow, bio_range
from twin.hardware.weights import calibration_levels, weight_scale
from twin.network import Network, Population, Projection

__all__ = ["STEP", "WAFER_PARAMETERS", "to_wafer_ranges"]

#: The step's name (its rung in an :class:`twin.adapt.Adapted`).
STEP = "to_wafer_ranges"
#: Parameters with a floating gate of their own (a hardware range).
WAFER_PARAMETERS = (
    "v_rest", "v_reset", "v_thresh", "e_rev_E", "e_rev_I",
    "tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I",
)  # fmt: skip


def to_wafer_ranges(
    *,
    cap: CapMode = "big",
    speed: SpeedMode = "normal",
    window: VoltageWindow | None = None,
    neuron_size: int = 8,
) -> Step:
    """Return the step that clips every neuron parameter into the wafer's range.

    Parameters
    ----------
    cap, speed
        Capacitor and speed mode of the wafer's neurons (the seed: big, normal).
    window
        Voltage window of the calibration (default: the seed's, -140..140 mV on
        0.45..1.3 V).
    neuron_size
        Denmems per logical neuron (the seed's 8), for the weight range.

    Returns
    -------
    Step
        ``"to_wafer_ranges"``; the report's numbers ``clipped[pop.param]`` (neurons
        clipped) and ``max_change[pop.param]`` (largest absolute change, PyNN
        units), the ranges ``low[param]``/``high[param]``, and per projection onto
        conductance-based cells ``weights_above[proj]``/``weights_below[proj]``.

    Raises
    ------
    AdaptError
        If ``cap`` or ``speed`` is unknown or ``neuron_size`` is not a positive
        integer; when applied, if the clipped parameters
        of a neuron break a rule of its cell type (e.g. reset and threshold clipped
        to the same end of the window).
    """
    win = window or VoltageWindow()
    try:
        ranges = {k: bio_range(k, cap, speed, win) for k in WAFER_PARAMETERS}
    except KeyError:
        raise AdaptError(
            f"to_wafer_ranges: cap = {cap!r}, speed = {speed!r}; use cap 'big' or "
            "'small' and speed 'normal', 'slow' or 'fast'"
        ) from None

    if isinstance(neuron_size, bool) or not (
        isinstance(neuron_size, int) and neuron_size > 0
    ):
        raise AdaptError(
            f"to_wafer_ranges: neuron_size = {neuron_size!r}; give the denmems per "
            "logical neuron, a positive integer (the seed's 8)"
        )

    def apply(network: Network) -> tuple[Network, StepReport]:
        numbers: dict[str, float] = {}
        for key, (lo, hi) in ranges.items():
            numbers[f"low[{key}]"], numbers[f"high[{key}]"] = lo, hi
        pops = tuple(_clip(p, ranges, numbers) for p in network.populations)
        for proj in network.projections:
            _weights(network, proj, neuron_size, cap == "big", numbers)
        total = sum(v for k, v in numbers.items() if k.startswith("clipped["))
        numbers["clipped_total"] = total
        return network.replace(populations=pops), StepReport(
            step=STEP,
            formula="x' = clip(x, low, high) per neuron and parameter",
            source="twin.hardware.parameters.bio_range (bss1_hardware.md §2.10, "
            f"§3.2-3.4; {cap} capacitor, {speed} speed)",
            numbers=numbers,
            notes=(
                "no quantisation here (the hardware tier's)",
                "weights left; weights_above are clipped by the mapping",
            ),
        )

    return Step(STEP, apply)


def _clip(
    pop: Population,
    ranges: dict[str, tuple[float, float]],
    numbers: dict[str, float],
) -> Population:
    params = dict(pop.parameters)
    for key, (lo, hi) in ranges.items():
        if key not in params:
            continue
        old = np.asarray(params[key])
        new = np.clip(old, lo, hi)
        numbers[f"clipped[{pop.name}.{key}]"] = int(np.count_nonzero(new != old))
        numbers[f"max_change[{pop.name}.{key}]"] = float(np.max(np.abs(new - old)))
        params[key] = new
    try:
        return Population(
            name=pop.name, size=pop.size, cell_type=pop.cell_type, parameters=params
        )
    except NetworkError as err:
        raise AdaptError(
            f"to_wafer_ranges: clipping breaks a rule of {pop.name!r} ({err}); "
            "move the parameters into the wafer's range before"
        ) from None


def _weights(
    network: Network,
    proj: Projection,
    neuron_size: int,
    big_cap: bool,
    numbers: dict[str, float],
) -> None:
    """Count the weights of ``proj`` outside the wafer's realisable conductances."""
    post = network.population(proj.post)
    if post.cell_type in CURRENT_BASED or not proj.size:
        return
    cm = post.parameters["cm"][proj.post_idx]
    hw = np.abs(proj.weight) * weight_scale(cm, neuron_size, big_cap)  # nS
    top, bottom = calibration_levels(2)[15], calibration_levels(30)[1]
    numbers[f"weights_above[{proj.name}]"] = int(np.count_nonzero(hw > top))
    numbers[f"weights_below[{proj.name}]"] = int(
        np.count_nonzero((hw > 0) & (hw < bottom))
    )
