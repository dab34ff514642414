r"""Mean saturation: the hardware's saturating synaptic input as theory can take it.

The hardware tier bounds the synaptic conductance the membrane sees,
:math:`g_\mathrm{eff} = g_\mathrm{sat} \tanh(g / g_\mathrm{sat})` per neuron and
receptor (:mod:`twin.analog.saturation`; ``g_sat_E``/``g_sat_I`` set by
:func:`twin.hardware.realise_hardware`). The stationary theory describes linear
conductances (:class:`twin.theory.conductance.Neurons` refuses a finite ``g_sat``), so
the saturation enters through its mean: at population rates :math:`\nu` a neuron's mean
conductance of receptor :math:`x` is :math:`\bar g_x = \tau_x \sum w \nu` (the mean
of shot noise of exponentially decaying conductances, Campbell's theorem; as in Kuhn,
Aertsen & Rotter 2004), and the theory is given the linear network whose synapses
onto that neuron are scaled by

.. math::

    m_x = \frac{g_\mathrm{sat} \tanh(\bar g_x / g_\mathrm{sat})}{\bar g_x}
    \quad (m_x = 1 \text{ for } g_\mathrm{sat} = \infty \text{ or } \bar g_x = 0),

so its mean conductance is the saturated one, :math:`g_\mathrm{sat}\tanh(\bar g_x /
g_\mathrm{sat})` (the "mean saturation"). Approximations, named: the tanh is taken at
the mean (Jensen: the saturated mean of a fluctuating :math:`g` is lower, by
:math:`\sigma_g^2 \tanh(x)\,\mathrm{sech}^2(x)/g_\mathrm{sat}` to second order,
:math:`x = \bar g/g_\mathrm{sat}`), and the fluctuations scale with the same factor
:math:`m_x` rather than with the local slope :math:`\mathrm{sech}^2 x \le m_x`, so the
theory's membrane noise exceeds that of the saturation linearised about its mean
where the saturation is strong.

Because :math:`m` depends on the rates and the rates on :math:`m`, the two are solved
together (:func:`saturated_rates`): damped iteration of
:math:`\nu \to \mathrm{rates}(\mathrm{linearised}(\nu))` until the rates move less than
a tolerance, then one full multi-start solve of the last linear network (its fixed
points and stability are the point's).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Final

import numpy as np

from twin.network import Network
from twin.theory.connectivity import Inputs, inputs_of
from twin.theory.network_rates import NetworkRates, rates_over
from twin.theory.stationary import Flag

__all__ = [
    "DAMPING",
    "MAX_ITERATIONS",
    "TOLERANCE",
    "linearised",
    "mean_conductance",
    "mean_factors",
    "saturated_rates",
    "saturating",
]

#: Rates (Hz) between two iterations below which the saturation factors are settled.
TOLERANCE: Final = 1e-3
#: Largest number of iterations of :func:`saturated_rates`.
MAX_ITERATIONS: Final = 200
#: Weight of the new rates in each iteration (the saturation is a negative feedback:
#: undamped iteration may alternate).
DAMPING: Final = 0.5
_MS: Final = 1e-3  # Hz x ms -> 1
_RECEPTORS: Final = {"excitatory": 0, "inhibitory": 1}


def _g_sat(network: Network) -> dict[str, np.ndarray]:
    """Return population -> saturation conductance per neuron and receptor (µS)."""
    return {
        p.name: np.stack(
            [
                np.broadcast_to(p.parameters[k], (p.size,))
                for k in ("g_sat_E", "g_sat_I")
            ],
            axis=-1,
        ).astype(float)
        for p in network.populations
    }


def saturating(network: Network) -> bool:
    """Whether some neuron of ``network`` has a finite saturation conductance."""
    return any(np.isfinite(g).any() for g in _g_sat(network).values())


def mean_conductance(
    network: Network,
    inputs: Mapping[str, Inputs],
    rates: np.ndarray,
    g_scale: float = 1.0,
    rate_scale: float = 1.0,
) -> dict[str, np.ndarray]:
    r"""Return each neuron's mean synaptic conductance per receptor, µS.

    :math:`\bar g_x = \tau_x (\sum_l \nu_l \sum w + \mathrm{rate\_scale} \sum w
    \nu_\mathrm{ext})`, the inhibitory one times ``g_scale`` (the variant's network,
    :func:`twin.theory.rates_over`).

    Parameters
    ----------
    network
        The network (its populations' ``tau_syn_E``/``tau_syn_I``, ms).
    inputs
        Its :func:`twin.theory.connectivity.inputs_of`.
    rates
        Population rates, Hz, shape ``(n_populations,)``.
    g_scale, rate_scale
        The variant's factors on the inhibitory weights and the Poisson rates.

    Returns
    -------
    dict
        Population -> ``(N, 2)`` (excitatory, inhibitory), µS.
    """
    rates = np.asarray(rates, float)
    out = {}
    for pop in network.populations:
        inp = inputs[pop.name]
        first = (inp.first * rates[None, :, None]).sum(axis=1)
        first = first + rate_scale * inp.ext_first
        tau = np.stack(
            [
                np.broadcast_to(pop.parameters[k], (pop.size,))
                for k in ("tau_syn_E", "tau_syn_I")
            ],
            axis=-1,
        )
        out[pop.name] = first * tau * _MS * np.array([1.0, g_scale])
    return out


def mean_factors(g_mean: np.ndarray, g_sat: np.ndarray) -> np.ndarray:
    """Return the mean-saturation factors ``g_sat tanh(g / g_sat) / g``.

    Parameters
    ----------
    g_mean
        Mean conductances, µS (``>= 0``).
    g_sat
        Saturation conductances, µS (``inf``: linear), broadcast with ``g_mean``.

    Returns
    -------
    numpy.ndarray
        Factors in (0, 1]; 1 where ``g_sat`` is infinite or ``g_mean`` is 0.

    Examples
    --------
    >>> float(mean_factors(np.array(0.15), np.array(0.15)).round(6))  # tanh(1)
    0.761594
    """
    g_mean, g_sat = np.broadcast_arrays(np.asarray(g_mean, float), g_sat)
    x = np.where(
        np.isfinite(g_sat), g_mean / np.where(np.isfinite(g_sat), g_sat, 1.0), 0.0
    )
    safe = np.where(x > 0, x, 1.0)
    return np.where(x > 0, np.tanh(safe) / safe, 1.0)


def linearised(network: Network, factors: Mapping[str, np.ndarray]) -> Network:
    """Return ``network`` with linear synapses, each weight times its target's factor.

    Parameters
    ----------
    network
        A network whose neurons may have finite ``g_sat_E``/``g_sat_I``.
    factors
        Population -> ``(N, 2)`` factor per neuron and receptor (:func:`mean_factors`).

    Returns
    -------
    Network
        ``g_sat_E = g_sat_I = inf`` everywhere; projection ``p``'s synapse onto
        neuron ``i`` weighs ``w * factors[p.post][i, receptor]``.
    """
    projections = tuple(
        p.replace(weight=p.weight * factors[p.post][p.post_idx, _RECEPTORS[p.receptor]])
        for p in network.projections
    )
    linear = {"g_sat_E": np.inf, "g_sat_I": np.inf}
    populations = tuple(
        dataclasses.replace(
            p,
            parameters={
                **p.parameters,
                **{k: np.full(p.size, v) for k, v in linear.items()},
            },
        )
        for p in network.populations
    )
    return network.replace(populations=populations, projections=projections)


def saturated_rates(
    network: Network,
    g_scale: float = 1.0,
    rate_scale: float = 1.0,
    *,
    check_connectivity: bool = True,
) -> tuple[NetworkRates, Network]:
    """Return the stationary rates of a variant of a saturating network.

    Parameters
    ----------
    network
        The network (finite ``g_sat`` allowed; linear neurons keep factor 1).
    g_scale, rate_scale
        The variant (as :func:`twin.theory.rates_over`).
    check_connectivity
        As :func:`twin.theory.rates_over`.

    Returns
    -------
    rates : NetworkRates
        Of the variant of the linearised network at the settled factors (its own
        fixed points, stability and flags); with :attr:`Flag.NO_FIXED_POINT` added
        and no stable fixed point where the factors did not settle within
        :data:`MAX_ITERATIONS`, or an intermediate linear network had no single
        stable fixed point.
    linear : Network
        That linearised network (before the variant's scales).

    Raises
    ------
    NotDescribableError, TheoryInputError
        As :func:`twin.theory.rates_over`.
    """
    check = check_connectivity
    inputs = inputs_of(network, check=check_connectivity)
    g_sat = _g_sat(network)
    names = [p.name for p in network.populations]
    rates = np.zeros(len(names))
    linear = network
    for _ in range(MAX_ITERATIONS):
        g_mean = mean_conductance(network, inputs, rates, g_scale, rate_scale)
        linear = linearised(
            network, {k: mean_factors(g_mean[k], g_sat[k]) for k in names}
        )
        start = (float(np.mean(rates)),) if rates.any() else (0.0, 10.0, 100.0)
        (step,) = rates_over(
            linear, g_scale, rate_scale, starts=start, check_connectivity=check
        )
        if not step.stationary.ok:
            break
        new = (1.0 - DAMPING) * rates + DAMPING * step.rates
        settled = bool(np.max(np.abs(new - rates)) < TOLERANCE)
        rates = new
        if settled:
            (final,) = rates_over(linear, g_scale, rate_scale, check_connectivity=check)
            return final, linear
    (final,) = rates_over(linear, g_scale, rate_scale, check_connectivity=check)
    unsettled = dataclasses.replace(
        final.stationary,
        fixed_points=tuple(p for p in final.stationary.fixed_points if not p.stable),
    ).with_flags(Flag.NO_FIXED_POINT)
    empty: Mapping[str, float] = {}
    return NetworkRates(unsettled, {}, empty, empty), linear
