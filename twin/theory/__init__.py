"""Mean-field theory: stationary population rates of LIF networks (numpy/scipy).

- :mod:`twin.theory.siegert`: the Siegert first-passage rate with the Fourcaud-Brunel
  correction for filtered synaptic input;
- :mod:`twin.theory.current`: current-based populations (diffusion approximation);
- :mod:`twin.theory.conductance`: conductance-based neurons in the
  effective-time-constant approximation;
- :mod:`twin.theory.fixed_point`: self-consistent rates from several starts, with
  their stability (:mod:`twin.theory.stationary`);
- :mod:`twin.theory.network_rates`: :func:`rates_of` any twin ``Network`` with random
  projections and Poisson sources.
"""

from twin.theory.current import CurrentNetwork, LIFPopulation, charge_jump
from twin.theory.errors import (
    NoStationaryRateError,
    NotDescribableError,
    TheoryInputError,
)
from twin.theory.fixed_point import solve_rates
from twin.theory.network_rates import (
    FAST_SYNAPSE_LIMIT,
    SMALL_PSP_LIMIT,
    NetworkRates,
    rates_of,
)
from twin.theory.siegert import ALPHA, colored_noise_shift, noiseless_rate, siegert_rate
from twin.theory.stationary import FixedPoint, Flag, Stationary

__all__ = [
    "ALPHA",
    "FAST_SYNAPSE_LIMIT",
    "SMALL_PSP_LIMIT",
    "CurrentNetwork",
    "FixedPoint",
    "Flag",
    "LIFPopulation",
    "NetworkRates",
    "NoStationaryRateError",
    "NotDescribableError",
    "Stationary",
    "TheoryInputError",
    "charge_jump",
    "colored_noise_shift",
    "noiseless_rate",
    "rates_of",
    "siegert_rate",
    "solve_rates",
]
