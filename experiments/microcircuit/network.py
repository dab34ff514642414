"""``build_network``: one ``MicrocircuitConfig`` as a ``twin.Network``.

Randomness: ``config.seed`` spawns five independent streams (connectivity, parameter
variation, weights, delays, initial potentials), so the network and the initial
potentials are a deterministic function of the configuration. The demo used one NumPy
RNG per purpose with its own seeds (:data:`DEMO_SEEDS`); its draws are not reproduced
number for number.

The network has no Poisson input (the raised resting potentials replace it). The
demo's NEST-only initial membrane potentials are not part of a ``twin.Network`` (it
has no initial state); :func:`initial_potentials` draws them for
``twin.analog.simulate(..., v0=...)``.
"""

from __future__ import annotations

import numpy as np

from experiments.microcircuit.config import (
    DELAY_BOUNDS,
    DELAYS,
    NEURON_MEANS,
    POPULATIONS,
    V_REST,
    VARIATION_BOUNDS,
    VARIATION_SDS,
    MicrocircuitConfig,
    initial_v_distribution,
    receptor_of,
)
from experiments.runs.draws import normal_clipped
from twin.network import Network, Population, Projection

__all__ = ["build_network", "initial_potentials"]

_STREAMS = ("connectivity", "variation", "weights", "delays", "init")


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """Return the realisation's independent generators, by purpose."""
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {
        k: np.random.default_rng(s) for k, s in zip(_STREAMS, children, strict=True)
    }


def _means(population: str) -> dict[str, float]:
    """Mean parameters of a population (its raised resting potential)."""
    return {**NEURON_MEANS, "v_rest": V_REST[population]}


def _parameters(
    population: str, size: int, variation: bool, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Per-neuron parameters: the means, varied with the absolute sds if asked."""
    params = {k: np.full(size, v) for k, v in _means(population).items()}
    if not variation:
        return params
    for name, sd in VARIATION_SDS.items():
        low, high = VARIATION_BOUNDS.get(name, (-np.inf, np.inf))
        params[name] = normal_clipped(
            rng,
            params[name][0],
            sd,
            size,
            low,
            high,
            name=f"{population} {name}",
            remedy="build without parameter variation (variation=False)",
        )
    return params


def _projection(
    config: MicrocircuitConfig,
    source: str,
    target: str,
    n: int,
    rngs: dict[str, np.random.Generator],
) -> Projection:
    """``n`` synapses with random pre and post (multapses and autapses allowed)."""
    sizes = config.sizes
    receptor = receptor_of(source)
    mean = config.weight(source, target)
    spread = config.weight_spread
    weight = (
        normal_clipped(
            rngs["weights"],
            mean,
            spread * mean,
            n,
            low=0.0,
            name=f"{source}->{target} weight",
            remedy="use the wafer platform's weights (no spread)",
        )
        if spread
        else np.full(n, mean)
    )
    delay_mean, delay_sd = DELAYS[receptor]
    return Projection(
        pre=source,
        post=target,
        pre_idx=rngs["connectivity"].integers(0, sizes[source], n),
        post_idx=rngs["connectivity"].integers(0, sizes[target], n),
        weight=weight,
        delay=normal_clipped(
            rngs["delays"],
            delay_mean,
            delay_sd,
            n,
            *DELAY_BOUNDS,
            name=f"{receptor} delay",
            remedy="check DELAYS and DELAY_BOUNDS",
        ),
        receptor=receptor,
    )


def build_network(config: MicrocircuitConfig) -> Network:
    """Build the adapted microcircuit of one configuration.

    Parameters
    ----------
    config
        Scale, seed, platform (weights) and variation.

    Returns
    -------
    Network
        Eight ``IF_cond_exp`` populations in :data:`POPULATIONS` order with
        per-neuron parameters, and one projection per (source, target) pair with at
        least one connection (target-major order, as the demo), named
        ``"source->target"``: ``config.connections[target, source]`` synapses,
        weights in µS, delays in ms, receptor by the source's type.

    Raises
    ------
    ConfigError
        If a redrawn value (parameter, weight, delay) is still out of bounds after
        PyNN's bound of redraw rounds.

    Examples
    --------
    >>> net = build_network(MicrocircuitConfig.tiny())
    >>> net.n_neurons, net.n_synapses == MicrocircuitConfig.tiny().n_synapses
    (1539, True)
    """
    rngs = _streams(config.seed)
    sizes = config.sizes
    populations = tuple(
        Population(
            name=pop,
            size=sizes[pop],
            cell_type="IF_cond_exp",
            parameters=_parameters(
                pop, sizes[pop], config.variation, rngs["variation"]
            ),
        )
        for pop in POPULATIONS
    )
    counts = config.connections
    projections = tuple(
        _projection(config, source, target, int(counts[t, s]), rngs)
        for t, target in enumerate(POPULATIONS)
        for s, source in enumerate(POPULATIONS)
        if counts[t, s] > 0
    )
    return Network(populations=populations, projections=projections, timestep=config.dt)


def initial_potentials(config: MicrocircuitConfig, network: Network) -> np.ndarray:
    """Draw the demo's initial membrane potentials of every neuron, mV.

    Per population ``N((V_th + V_rest) / 2, |V_th - V_rest| / 3)`` with the
    population's mean threshold and resting potential (after variation), from the
    realisation's own stream.

    Parameters
    ----------
    config
        The configuration ``network`` was built from (its seed).
    network
        ``build_network(config)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(network.n_neurons,)``, in the network's neuron order (the ``v0`` of
        ``twin.analog.simulate``).
    """
    rng = _streams(config.seed)["init"]
    parts = []
    for pop in network.populations:
        mean, sd = initial_v_distribution(
            float(np.mean(pop.parameters["v_thresh"])),
            float(np.mean(pop.parameters["v_rest"])),
        )
        parts.append(rng.normal(mean, sd, pop.size))
    return np.concatenate(parts)
