"""``seed_adaptation``: the seed's adaptation of model A as ``twin.adapt`` steps.

The seed (``parameters.py``; reference ``brunel_bss1.md`` §1.2-1.3) turned model A
into its wafer network by hand; the same settings as steps, in the order of the
ladder:

1. ``downscale(6)``: 12,500 -> 2,083 = 1,666 + 417 neurons, C_E 166, C_I 41, J 0.6 mV;
2. ``set_time_constants(tau_m=10, tau_syn=3)``: the charge kept, eta kept (the
   external rate follows tau_m: nu_thresh = theta / (dV tau_m) = 3,333 Hz);
3. ``pool_inputs(2083, 200)``: 2,083 shared sources, 200 per neuron, each at
   eta nu_thresh / 200;
4. ``to_conductance(v_mean=0, e_rev_E=140, e_rev_I=-140)``: w / (E_rev - V_mean);
5. ``scale_weights(1.2)``: the seed's ``orig_weight`` (0.2 -> 0.24 nA, 1.7143 nS);
6. ``to_wafer_ranges()``: the seed's means all lie in the wafer's ranges (nothing
   clipped);
7. ``with_variation``: the seed's NEST-side variation (the calibration spreads of
   wafer 30, 50 % weight spread, delays N(1.5, 0.2) above 0.3 ms).

The result is ``experiments.brunel``'s :class:`~experiments.brunel.BrunelConfig`
network at the same (g, eta), number for number (``tests/adapt/test_brunel2000*.py``).
"""

from __future__ import annotations

from typing import Final

from experiments.brunel.config import (
    NEURON_MEANS,
    NEURON_SDS,
    RESET_HIGH_FRACTION,
    BrunelConfig,
)
from experiments.brunel2000.config import Brunel2000Config
from twin.adapt import (
    Step,
    downscale,
    pool_inputs,
    scale_weights,
    set_time_constants,
    to_conductance,
    to_wafer_ranges,
    with_variation,
)
from twin.adapt.downscale import population_sizes
from twin.errors import ConfigError

__all__ = ["SEED", "SEED_SCALE", "seed_adaptation"]

#: The seed's adapted model (its defaults: scale 6, orig_weight 1.2, C_ext 200, ...).
SEED: Final = BrunelConfig()
#: The seed's down-scaling factor of the original 12,500 neurons.
SEED_SCALE: Final = SEED.scale


def seed_adaptation(
    config: Brunel2000Config,
    *,
    orig_weight: float = SEED.orig_weight,
    variation: bool = True,
) -> list[Step]:
    """Return the seed's adaptation steps for model A at ``config``.

    Parameters
    ----------
    config
        The original network's config; its ``scale`` (<= 6) is taken into account:
        the network is downscaled by ``6 / scale``, so the result has the seed's
        2,083 neurons at any scale.
    orig_weight
        The weight factor of step 5 (the seed's 1.2; the weight-factor fit varies
        it).
    variation
        Whether to end with the seed's NEST-side variation (step 7).

    Returns
    -------
    list of Step
        The steps, in the order of the module's list; random streams from
        ``config.seed``.

    Raises
    ------
    ConfigError
        If ``config.scale`` exceeds the seed's 6 (nothing left to downscale) or
        ``orig_weight`` is not > 0.
    """
    if config.scale > SEED_SCALE:
        raise ConfigError(
            f"seed_adaptation: config.scale = {config.scale} is above the seed's "
            f"{SEED_SCALE:g}; adapt the original (scale 1) or a scale <= 6"
        )
    k = SEED_SCALE / config.scale
    n_pool = sum(population_sizes((config.n_exc, config.n_inh), k))
    m = NEURON_MEANS
    steps = [
        downscale(k, seed=config.seed),
        set_time_constants(tau_m=m["tau_m"], tau_syn=m["tau_syn_E"]),
        pool_inputs(n_pool, SEED.c_ext, seed=config.seed),
        to_conductance(v_mean=m["v_rest"], e_rev_E=m["e_rev_E"], e_rev_I=m["e_rev_I"]),
        scale_weights(orig_weight),
        to_wafer_ranges(),
    ]
    if variation:
        high = RESET_HIGH_FRACTION * m["v_thresh"]
        steps.append(
            with_variation(
                NEURON_SDS,
                seed=config.seed,
                weight_spread=SEED.weight_spread,
                delay_sd=SEED.delay_sd,
                delay_min=SEED.delay_min,
                bounds={"v_reset": (float("-inf"), high)},
            )
        )
    return steps
