"""``microcircuit_adaptation``: P&D's original model -> the demo's wafer version.

The BrainScaleS-1 demo (reference ``brunel_bss1.md`` §2) adapted Potjans & Diesmann
(2014) by hand; the same as ``twin.adapt`` steps, from
:func:`experiments.microcircuit.original.build_original` at the demo's scales:

1. ``downscale_weights``: every weight x ``1 / k_scale`` (the in-degrees are
   ``k_scale`` of P&D's; :func:`twin.adapt.downscale`'s rule ``w x k``, the mean
   input kept; the sizes and in-degrees are already the demo's, built by its own
   rounding: ``downscale(10)`` of the full-size original would keep 484 L5e and 298
   L6i neurons instead of the demo's 485 and 294, and redraw its fixed totals of
   synapses as probabilities);
2. ``drive_to_rest``: the 8 Hz background replaced by raised resting potentials
   (:func:`twin.adapt.rest.drive_to_rest`; gives the demo's printed ``V_REST``);
3. ``single_l4e_weight``: P&D's doubled L4e -> L2/3e weight halved (the demo's table
   has one excitatory weight per target);
4. ``set_time_constants(tau_syn=2.2)``: the charge of each synapse kept;
5. ``to_conductance``: E_rev +50 / -150 mV, one V_mean per target population
   (default: midway between reset and threshold, -57.5 mV);
6. ``scale_weights`` per receptor: the demo's platform factors
   (:data:`~experiments.microcircuit.weights.WEIGHT_FACTORS`; steps with factor 1
   left out);
7. ``to_wafer_ranges``: small capacitor, slow mode, the demo's voltage window
   ([-150, 50] mV onto [0.4, 1.3] V), 8 denmems per neuron;
8. ``with_variation`` (optional): the demo's NEST-side spreads and bounds.

The demo's 16 weights are not derived from public constants
(:mod:`experiments.microcircuit.weights`): :func:`implied_conversion` finds the one
current per source type and the one V_mean per target that give them exactly under
``g = I / (E_rev - V_mean)`` (to 1.2e-6): its currents are 1.700 and 2.500 times
the charge-kept ones of steps 1-4 (``tuning``), at V_mean from -61.9 (L2/3e) to
-48.9 mV (L6i).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np

from experiments.microcircuit.anatomy import POPULATIONS
from experiments.microcircuit.config import Platform
from experiments.microcircuit.original import OriginalConfig
from experiments.microcircuit.parameters import (
    NEURON_MEANS,
    VARIATION_BOUNDS,
    VARIATION_SDS,
)
from experiments.microcircuit.weights import BASE_WEIGHTS, WEIGHT_FACTORS
from twin.adapt import (
    Step,
    StepReport,
    scale_weights,
    set_time_constants,
    to_conductance,
    to_wafer_ranges,
    with_variation,
)
from twin.adapt.rest import drive_to_rest
from twin.errors import ConfigError
from twin.hardware.parameters import VoltageWindow
from twin.network import Network, Receptor

__all__ = [
    "DEMO_WINDOW",
    "ImpliedConversion",
    "default_v_mean",
    "implied_conversion",
    "microcircuit_adaptation",
]

#: The demo's voltage window: bio [-150, 50] mV onto hardware [0.4, 1.3] V. [§2]
DEMO_WINDOW: Final = VoltageWindow(min_bio=-150.0, max_bio=50.0, min_hw=0.4, max_hw=1.3)


@dataclass(frozen=True, slots=True)
class ImpliedConversion:
    """The constants that turn one current per source type into the demo's weights.

    Parameters
    ----------
    current_exc, current_inh
        Current amplitudes, nA (positive), of the excitatory and inhibitory synapses.
    v_mean
        Mean membrane potential per target population, mV.
    max_rel_error
        Largest relative difference of the 16 reconstructed weights from the table.
    """

    current_exc: float
    current_inh: float
    v_mean: Mapping[str, float]
    max_rel_error: float


def implied_conversion() -> ImpliedConversion:
    """Fit ``g = I / (E_rev - V_mean)`` to the demo's 16 weights (wafer factors 1).

    With ``V_t = E_E - I_E / gE_t`` from the excitatory weight, the inhibitory one
    gives ``200 mV gI_t = I_I + I_E gI_t / gE_t`` (``E_E - E_I`` = 200 mV): linear in
    ``(I_I, I_E)``, solved by least squares over the eight targets.

    Returns
    -------
    ImpliedConversion
        The currents, the eight V_means and how exactly they reproduce the table.
    """
    e_exc, e_inh = NEURON_MEANS["e_rev_E"], NEURON_MEANS["e_rev_I"]
    g_e = np.array([BASE_WEIGHTS["excitatory"][p] for p in POPULATIONS])
    g_i = np.array([BASE_WEIGHTS["inhibitory"][p] for p in POPULATIONS])
    lhs = np.column_stack([np.ones(g_e.size), g_i / g_e])
    (i_inh, i_exc), *_ = np.linalg.lstsq(lhs, (e_exc - e_inh) * g_i, rcond=None)
    v_mean = e_exc - i_exc / g_e
    error = max(
        float(np.max(np.abs(i_exc / (e_exc - v_mean) / g_e - 1))),
        float(np.max(np.abs(i_inh / (v_mean - e_inh) / g_i - 1))),
    )
    return ImpliedConversion(
        current_exc=float(i_exc),
        current_inh=float(i_inh),
        v_mean=MappingProxyType(dict(zip(POPULATIONS, v_mean.tolist(), strict=True))),
        max_rel_error=error,
    )


def default_v_mean() -> Mapping[str, float]:
    """Return V_mean per population: midway between reset and threshold, mV."""
    mid = (NEURON_MEANS["v_reset"] + NEURON_MEANS["v_thresh"]) / 2
    return MappingProxyType(dict.fromkeys(POPULATIONS, mid))


def _single_l4e_weight() -> Step:
    """Return the step that halves P&D's doubled L4e -> L2/3e weights."""

    def apply(network: Network) -> tuple[Network, StepReport]:
        projections = tuple(
            p.replace(weight=p.weight / 2) if (p.pre, p.post) == ("L4E", "L23E") else p
            for p in network.projections
        )
        return network.replace(projections=projections), StepReport(
            step="single_l4e_weight",
            formula="w'(L4E->L23E) = w / 2",
            source="the demo's weight table: one excitatory weight per target "
            "(experiments.microcircuit.weights)",
            numbers={"factor": 0.5},
        )

    return Step("single_l4e_weight", apply)


def _named(name: str, step: Step) -> Step:
    return Step(name, step.apply)


def microcircuit_adaptation(
    config: OriginalConfig,
    *,
    platform: Platform = "wafer",
    v_mean: Mapping[str, float] | None = None,
    variation: bool = False,
    tuning: Mapping[Receptor, float] | None = None,
) -> list[Step]:
    """Return the demo's adaptation of P&D's model as ``twin.adapt`` steps.

    Parameters
    ----------
    config
        The original's config (its ``k_scale`` and ``seed``).
    platform
        Whose weight factors step 6 applies (``"wafer"``: 1 and 1; ``"nest"``: 0.1
        excitatory).
    v_mean
        Expected mean membrane potential per population, mV (default
        :func:`default_v_mean`; :func:`implied_conversion`'s reproduces the demo's
        weight ratios).
    variation
        Whether to end with the demo's NEST-side variation (seed ``config.seed``).
    tuning
        Extra factors per receptor after the conversion (steps ``tune_<receptor>``;
        default none). The demo's weights imply 1.700 (excitatory) and 2.500
        (inhibitory) on the charge-kept currents (:func:`implied_conversion`),
        hand factors like the Brunel seed's 1.7.

    Returns
    -------
    list of Step
        The steps of the module's list, in order.

    Raises
    ------
    ConfigError
        If ``platform`` is unknown.
    AdaptError
        If a V_mean lies outside (-150, 50) mV.
    """
    if platform not in WEIGHT_FACTORS:
        raise ConfigError(
            f"platform = {platform!r}; use one of {sorted(WEIGHT_FACTORS)}"
        )
    steps = [
        _named("downscale_weights", scale_weights(1.0 / config.k_scale)),
        drive_to_rest(),
        _single_l4e_weight(),
        set_time_constants(tau_syn=NEURON_MEANS["tau_syn_E"]),
        to_conductance(
            v_mean=default_v_mean() if v_mean is None else v_mean,
            e_rev_E=NEURON_MEANS["e_rev_E"],
            e_rev_I=NEURON_MEANS["e_rev_I"],
            window=DEMO_WINDOW,
        ),
    ]
    receptors: tuple[Receptor, ...] = ("excitatory", "inhibitory")
    for receptor in receptors:
        factor = WEIGHT_FACTORS[platform][receptor]
        if tuning is not None and receptor in tuning:
            steps.append(
                _named(
                    f"tune_{receptor}",
                    scale_weights(tuning[receptor], receptors=(receptor,)),
                )
            )
        if factor != 1.0:
            steps.append(
                _named(
                    f"weight_factor_{receptor}",
                    scale_weights(factor, receptors=(receptor,)),
                )
            )
    steps.append(
        to_wafer_ranges(cap="small", speed="slow", window=DEMO_WINDOW, neuron_size=8)
    )
    if variation:
        steps.append(
            with_variation(VARIATION_SDS, seed=config.seed, bounds=VARIATION_BOUNDS)
        )
    return steps
