"""``build_network``: one ``BrunelConfig`` as a ``twin.Network``.

Randomness: one ``seed`` spawns independent streams for connectivity, parameter
variation, weights and delays, so every (g, eta) point with the same seed shares one
realisation; g only rescales inhibitory weights and eta only the source rates. (The
original demo continued its streams from point to point instead.)

``examples/brunel_pynn.py`` builds this model through PyNN's API: the same
distributions, redraw rules (:func:`reset_redrawn`), in-degrees, weights, delays and
input pool, neurons starting at their resting potentials, with its own random streams
(so the same seed gives another realisation; the two agree over realisations,
``tests/pynn/test_brunel_script.py``).
"""

from __future__ import annotations

import numpy as np

from experiments.brunel.config import (
    DELAY_REMEDY,
    NEURON_MEANS,
    NEURON_SDS,
    POSITIVE,
    RESET_HIGH_FRACTION,
    WEIGHT_REMEDY,
    BrunelConfig,
)
from experiments.brunel.seed_network import build_seed_network
from experiments.runs.draws import MAX_REDRAWS, normal_clipped, redraw
from twin.errors import ConfigError
from twin.network import Network, PoissonSource, Population, Projection

__all__ = ["build_network", "reset_redrawn"]

_CELL_REMEDY = "draw without parameter variation (variation=False)"


def reset_redrawn(v_reset: np.ndarray, v_thresh: np.ndarray) -> np.ndarray:
    """Flag the resets drawn again: those at or above their neuron's threshold.

    NEST rejects ``v_reset >= v_thresh`` (probability ~3e-4 per neuron with the
    seed's spreads); such a reset is drawn again from its own distribution.

    Parameters
    ----------
    v_reset, v_thresh
        Reset and threshold potentials of the same neurons, mV, equal shapes.

    Returns
    -------
    np.ndarray
        Boolean mask, the shape of ``v_reset``.
    """
    return np.asarray(v_reset) >= np.asarray(v_thresh)


def _neuron_parameters(
    config: BrunelConfig, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    n = config.n_neurons
    if not config.variation:
        return {k: np.full(n, v) for k, v in NEURON_MEANS.items()}
    params = {}
    for key, mean in NEURON_MEANS.items():
        sd = NEURON_SDS.get(key, 0.0)
        low = 0.0 if key in POSITIVE else -np.inf
        high = (
            RESET_HIGH_FRACTION * NEURON_MEANS["v_thresh"]
            if key == "v_reset"
            else np.inf
        )
        params[key] = (
            normal_clipped(
                rng,
                mean,
                sd,
                n,
                low,
                high,
                name=key,
                remedy=_CELL_REMEDY,
            )
            if sd
            else np.full(n, mean)
        )
    # NEST rejects v_reset >= v_thresh: redraw those from the reset's distribution.
    mean, sd = NEURON_MEANS["v_reset"], NEURON_SDS["v_reset"]
    high = RESET_HIGH_FRACTION * NEURON_MEANS["v_thresh"]
    v_thresh = params["v_thresh"]
    left = redraw(
        params["v_reset"],
        lambda k: normal_clipped(
            rng, mean, sd, k, high=high, name="v_reset", remedy=_CELL_REMEDY
        ),
        lambda v, idx: reset_redrawn(v, v_thresh[idx]),
    )
    if left.size:
        raise ConfigError(
            f"v_reset ~ normal(mean={mean:g}, sd={sd:g}) redrawn at or above the "
            f"neuron's v_thresh: {left.size} of {n} neurons are still there after "
            f"{MAX_REDRAWS + 1} redraw rounds (PyNN's bound); draw without parameter "
            "variation (variation=False)"
        )
    return params


def _weights(
    config: BrunelConfig, pre: str, size: int, rng: np.random.Generator
) -> np.ndarray:
    mean = config.inh_weight if pre == "inh" else config.exc_weight
    if not config.variation:
        return np.full(size, mean)
    return normal_clipped(
        rng,
        mean,
        config.weight_spread * mean,
        size,
        low=0.0,
        name=f"{pre} weight",
        remedy=WEIGHT_REMEDY,
    )


def build_network(config: BrunelConfig) -> Network:
    """Build the adapted Brunel network of one configuration.

    Parameters
    ----------
    config
        The point (g, eta), seed and every model parameter. With
        ``config.network == "seed"`` the seed's own draws
        (:func:`~experiments.brunel.seed_network.build_seed_network`); the rest of
        this docstring describes the default, independent streams.

    Returns
    -------
    Network
        Populations ``exc`` and ``inh`` (IF_cond_exp), Poisson source ``ext`` and six
        projections (``exc``/``inh``/``ext`` onto ``exc``/``inh``).

    Raises
    ------
    ConfigError
        If a redrawn value (delay, weight, neuron parameter, a reset at or above its
        neuron's threshold) is still out of bounds after PyNN's ``MAX_REDRAWS + 1``
        redraw rounds; the message names the parameter, its distribution and the
        remedy.

    Examples
    --------
    >>> net = build_network(BrunelConfig.tiny())
    >>> [p.size for p in net.populations], net.source("ext").size
    ([200, 50], 250)
    """
    if config.network == "seed":
        return build_seed_network(config)
    streams = np.random.SeedSequence(config.seed).spawn(4)
    conn, var, wgt, dly = (np.random.default_rng(s) for s in streams)
    params = _neuron_parameters(config, var)
    sizes = {"exc": config.n_exc, "inh": config.n_inh, "ext": config.n_ext}
    populations = tuple(
        Population(
            name=name,
            size=sizes[name],
            cell_type="IF_cond_exp",
            parameters={k: v[sl] for k, v in params.items()},
        )
        for name, sl in (
            ("exc", slice(0, config.n_exc)),
            ("inh", slice(config.n_exc, None)),
        )
    )
    source = PoissonSource(name="ext", size=config.n_ext, rate=config.rate_per_source)
    in_degree = {"exc": config.c_exc, "inh": config.c_inh, "ext": config.c_ext}
    projections = []
    for pre in ("exc", "inh", "ext"):
        for post in ("exc", "inh"):
            k, n_post = in_degree[pre], sizes[post]
            size = k * n_post
            projections.append(
                Projection(
                    pre=pre,
                    post=post,
                    pre_idx=conn.integers(0, sizes[pre], size),
                    post_idx=np.repeat(np.arange(n_post), k),
                    weight=_weights(config, pre, size, wgt),
                    delay=normal_clipped(
                        dly,
                        config.delay_mean,
                        config.delay_sd,
                        size,
                        low=config.delay_min,
                        name="delay",
                        remedy=DELAY_REMEDY,
                    ),
                    receptor="inhibitory" if pre == "inh" else "excitatory",
                )
            )
    return Network(
        populations=populations,
        sources=(source,),
        projections=tuple(projections),
        timestep=config.dt,
    )
