"""Mean-field theory: stationary population rates of LIF networks (numpy/scipy).

- :mod:`twin.theory.siegert`: the Siegert first-passage rate with the Fourcaud-Brunel
  correction for filtered synaptic input (:mod:`twin.theory.siegert_integral`,
  :mod:`twin.theory.quadrature`: its integral, tabulated);
- :mod:`twin.theory.current`: current-based populations (diffusion approximation),
  :func:`current_rates` their self-consistent rates;
- :mod:`twin.theory.conditions`: the approximations' conditions as flags, for
  both paths;
- :mod:`twin.theory.conductance`: conductance-based neurons in the
  effective-time-constant approximation (:mod:`twin.theory.saturation`: the wafer's
  saturating synaptic input through its mean);
- :mod:`twin.theory.fixed_point`: self-consistent rates from several starts, with
  their stability under the rate dynamics (:mod:`twin.theory.stationary`);
- :mod:`twin.theory.response`, :mod:`twin.theory.characteristic`,
  :mod:`twin.theory.stability`: the LIF rate response to modulated input and the
  linear stability of the stationary (asynchronous) state: oscillatory modes;
- :mod:`twin.theory.network_rates`: :func:`rates_of` any twin ``Network`` with random
  projections and Poisson sources, :func:`rates_over` a batch of its (g, rate)
  variants (:mod:`twin.theory.plane_groups`, :mod:`twin.theory.plane_stability`;
  :mod:`twin.theory.cubature`: the mean over the neurons' parameter spreads;
  :mod:`twin.theory.prepared`: the neurons prepared for many evaluations);
- :mod:`twin.theory.neuron_resolved`: :func:`resolve_neurons`, the fixed point with
  every neuron driven by its own presynaptic neurons' rates (what the theory tiers
  give);
- :mod:`twin.theory.plane`: a (g, eta) plane of variants;
- :mod:`twin.theory.tier`: the theory tiers (``theory``, ``theory-mapped``,
  ``theory-hardware``).
"""

from twin.theory.conditions import (
    FAST_SYNAPSE_LIMIT,
    REGULAR_LIMIT,
    SMALL_PSP_LIMIT,
    flag_conditions,
)
from twin.theory.current import (
    CurrentNetwork,
    LIFPopulation,
    charge_jump,
    current_rates,
)
from twin.theory.errors import (
    NoStationaryRateError,
    NotDescribableError,
    TheoryInputError,
)
from twin.theory.fixed_point import solve_points, solve_rates
from twin.theory.network_rates import NetworkRates, rates_of, rates_over
from twin.theory.neuron_resolved import NeuronResolved, resolve_neurons
from twin.theory.plane import Plane, rates_plane
from twin.theory.plane_stability import LinearStability
from twin.theory.response import Response, lif_response
from twin.theory.siegert import ALPHA, colored_noise_shift, noiseless_rate, siegert_rate
from twin.theory.stability import (
    Stability,
    current_stability,
    default_frequencies,
    lif_stability,
)
from twin.theory.stationary import FixedPoint, Flag, Stationary

__all__ = [
    "ALPHA",
    "FAST_SYNAPSE_LIMIT",
    "REGULAR_LIMIT",
    "SMALL_PSP_LIMIT",
    "CurrentNetwork",
    "FixedPoint",
    "Flag",
    "LIFPopulation",
    "LinearStability",
    "NetworkRates",
    "NeuronResolved",
    "NoStationaryRateError",
    "NotDescribableError",
    "Plane",
    "Response",
    "Stability",
    "Stationary",
    "TheoryInputError",
    "charge_jump",
    "colored_noise_shift",
    "current_rates",
    "current_stability",
    "default_frequencies",
    "flag_conditions",
    "lif_response",
    "lif_stability",
    "noiseless_rate",
    "rates_of",
    "rates_over",
    "rates_plane",
    "resolve_neurons",
    "siegert_rate",
    "solve_points",
    "solve_rates",
]
