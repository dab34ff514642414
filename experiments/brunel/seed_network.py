"""``build_seed_network``: the seed experiment's own realisation, draw for draw.

The seed builds its Brunel network with PyNN random distributions on four
``NumpyRNG`` seeds (parameter cell ``parameters.py``; experiment code
``experiment_description.py`` of the seed's demo collection, reference
``brunel_bss1.md`` §1.2). This module draws the same numbers with numpy's
``RandomState`` (the generator inside PyNN's ``NumpyRNG``) in the seed's order, so the
``twin.Network`` it returns is the instance PyNN 0.13 builds from the seed's code:

* **Neuron parameters** (seed 200). The eleven ``IF_cond_exp`` parameters are
  ``normal_clipped`` distributions (``i_offset``: ``normal``) that share one
  ``NumpyRNG(200)``. A population copies each distribution together with its RNG, so
  every parameter of every population draws from a fresh copy of the seeded state:
  parameter k of neuron i is ``mean_k + sd_k * z_i`` with the same standard normal
  ``z_i`` for all parameters (tau_m, v_rest, v_thresh, e_rev_E, e_rev_I, tau_syn_E and
  tau_syn_I correlate with r = 1 over the neurons) except where a value was redrawn
  outside its bounds (``tau_refrac`` below 0, ``v_reset`` above 0.9 × v_thresh);
  inhibitory neuron i repeats excitatory neuron i. The seed's sds are
  :data:`~experiments.brunel.config.NEURON_SDS` (0 for ``cm`` and ``i_offset``), times
  0 without variation. Each value lies on the same z as its partners, so no reset
  reaches its neuron's threshold and none is redrawn (unlike ``build_network``).
* **Connections** (network seed ``BrunelConfig.seed``, the seed's ``network_seed``
  1234). The seed's matrix generator: projections exc→exc, exc→inh, inh→exc, inh→inh,
  then ext→(exc + inh); for each target neuron in turn, ``C`` presynaptic indices
  ``randint(0, n_pre, C)`` (with replacement, autapses and multapses allowed) from one
  RNG shared by all projections, then ``C`` weights and ``C`` delays. These are also
  the draws of PyNN's ``FixedNumberPreConnector(C, with_replacement=True,
  allow_self_connections=True, rng=NumpyRNG(seed))`` given that one RNG in the same
  order. The external projection targets the assembly exc + inh (N neurons); its
  first ``N_E × C_ext`` synapses become ``ext->exc``, the rest ``ext->inh``.
* **Weights** (seed 400) and **delays** (seed 300): ``normal_clipped`` with sd =
  ``weight_spread`` × mean (low 0) and ``normal_clipped(delay_mean, delay_sd, low
  delay_min)``, both times 0 without variation. The seed calls these distributions
  directly (no copy), so one weight stream and one delay stream run on through all
  projections, ``C`` values per target neuron, each chunk redrawn at its bounds
  before the next. Means: excitatory and external ``exc_conductance``, inhibitory
  ``inh_conductance × g``, computed in the seed's order (the seed's NEST runs build
  the network at each g; its hardware runs instead build it at g = ``mapping_g`` = 8
  and multiply the inhibitory weights by g / 8, equal up to rounding).

Assumptions
-----------
* Every (g, eta) point is the seed's first build: fresh streams. The seed's NEST sweep
  keeps its weight and delay RNGs from one build to the next, so its later points
  continue those streams; its neuron parameters are the same at every point (copies
  of an RNG that is never drawn from).
* Connectivity is the seed's generator (its wafer build). The seed's own NEST runs
  loaded the wafer's routed connections instead (``implemented_routes_*.pickle``,
  lost synapses removed, delays from the route length); those are not public.
* ``BrunelConfig.seed`` is the seed's ``network_seed``; the variation, delay and weight
  seeds are the seed's constants (:data:`VARIATION_SEED`, :data:`DELAY_SEED`,
  :data:`WEIGHT_SEED`).

This realisation rule is not the one of ``examples/brunel_pynn.py``: that script gives
every distribution an RNG of its own, as ``build_network``'s default
(``network="independent"``) does, and is compared with that default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, cast

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
from experiments.runs.draws import normal_clipped
from twin.network import Network, PoissonSource, Population, Projection

__all__ = ["DELAY_SEED", "VARIATION_SEED", "WEIGHT_SEED", "build_seed_network"]

#: The seed's ``variation_rng`` seed (neuron parameters). [seed parameters.py]
VARIATION_SEED: Final = 200
#: The seed's ``delay_rng`` seed. [seed parameters.py]
DELAY_SEED: Final = 300
#: The seed's ``weight_rng`` seed. [seed parameters.py]
WEIGHT_SEED: Final = 400
_CELL_REMEDY: Final = "draw without parameter variation (variation=False)"


@dataclass(frozen=True, slots=True)
class _ClippedNormal:
    """A normal distribution redrawn outside ``[low, high]`` (``normal_clipped``)."""

    mean: float
    sd: float
    low: float
    high: float
    name: str
    remedy: str

    def draw(self, rng: np.random.RandomState, size: int) -> np.ndarray:
        """Draw ``size`` values as ``NumpyRNG.normal_clipped`` does.

        Raises
        ------
        ConfigError
            If values are still outside the bounds after PyNN's redraw rounds.
        """
        # RandomState.normal(loc, scale, size) is the call normal_clipped makes.
        return normal_clipped(
            cast(np.random.Generator, rng),
            self.mean,
            self.sd,
            size,
            self.low,
            self.high,
            name=self.name,
            remedy=self.remedy,
        )


def _switch(config: BrunelConfig) -> float:
    """Return the seed's ``variation_switch``: 1 with parameter variation, else 0."""
    return 1.0 if config.variation else 0.0


def _cell_distribution(key: str, config: BrunelConfig) -> _ClippedNormal:
    """Return the seed's distribution of one ``IF_cond_exp`` parameter."""
    return _ClippedNormal(
        mean=NEURON_MEANS[key],
        sd=NEURON_SDS.get(key, 0.0) * _switch(config),
        low=0.0 if key in POSITIVE else -math.inf,
        high=(
            RESET_HIGH_FRACTION * NEURON_MEANS["v_thresh"]
            if key == "v_reset"
            else math.inf
        ),
        name=key,
        remedy=_CELL_REMEDY,
    )


def _cell_parameters(config: BrunelConfig, size: int) -> dict[str, np.ndarray]:
    """Draw one population's parameters, each from a fresh copy of the seeded RNG."""
    return {
        key: _cell_distribution(key, config).draw(
            np.random.RandomState(VARIATION_SEED), size
        )
        for key in NEURON_MEANS
    }


def _weight_distributions(config: BrunelConfig) -> dict[str, _ClippedNormal]:
    """Return the seed's weight distributions per presynaptic side (µS)."""
    # inh_weight at g = 1 is w / (v_rest - e_rev_I), the seed's inh_conductance; the
    # seed multiplies it by g after the division.
    unit_inh = config.replace(g=1.0).inh_weight
    means = {
        "exc": config.exc_weight,
        "inh": unit_inh * config.g,
        "ext": config.exc_weight,
    }
    spread = {
        "exc": config.weight_spread * config.exc_weight,
        "inh": config.weight_spread * unit_inh * config.g,
        "ext": config.weight_spread * config.exc_weight,
    }
    return {
        pre: _ClippedNormal(
            mean=means[pre],
            sd=spread[pre] * _switch(config),
            low=0.0,
            high=math.inf,
            name=f"{pre} weight",
            remedy=WEIGHT_REMEDY,
        )
        for pre in means
    }


@dataclass(frozen=True, slots=True)
class _Streams:
    """The seed's three shared connection RNGs."""

    network: np.random.RandomState
    weight: np.random.RandomState
    delay: np.random.RandomState


def _matrix(
    n_pre: int,
    n_targets: int,
    k: int,
    weight: _ClippedNormal,
    delay: _ClippedNormal,
    streams: _Streams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw ``k`` synapses per target neuron, target by target, as the seed does.

    Returns
    -------
    tuple of np.ndarray
        Presynaptic indices (int64), weights (µS) and delays (ms), each of shape
        ``(n_targets * k,)``, target-major (synapse ``t * k + j`` belongs to target
        ``t``).
    """
    pre = np.empty(n_targets * k, dtype=np.int64)
    weights = np.empty(n_targets * k)
    delays = np.empty(n_targets * k)
    for t in range(n_targets):
        chunk = slice(t * k, (t + 1) * k)
        pre[chunk] = streams.network.randint(0, n_pre, k)
        weights[chunk] = weight.draw(streams.weight, k)
        delays[chunk] = delay.draw(streams.delay, k)
    return pre, weights, delays


def _projection(
    pre: str,
    post: str,
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
    targets: np.ndarray,
) -> Projection:
    """Return one twin projection from the seed's matrix rows onto ``targets``."""
    pre_idx, weight, delay = arrays
    return Projection(
        pre=pre,
        post=post,
        pre_idx=pre_idx,
        post_idx=targets,
        weight=weight,
        delay=delay,
        receptor="inhibitory" if pre == "inh" else "excitatory",
    )


def _projections(config: BrunelConfig) -> tuple[Projection, ...]:
    """Draw the six projections in the seed's order."""
    sizes = {"exc": config.n_exc, "inh": config.n_inh, "ext": config.n_ext}
    in_degree = {"exc": config.c_exc, "inh": config.c_inh, "ext": config.c_ext}
    weights = _weight_distributions(config)
    delay = _ClippedNormal(
        mean=config.delay_mean,
        sd=config.delay_sd * _switch(config),
        low=config.delay_min,
        high=math.inf,
        name="delay",
        remedy=DELAY_REMEDY,
    )
    streams = _Streams(
        network=np.random.RandomState(config.seed),
        weight=np.random.RandomState(WEIGHT_SEED),
        delay=np.random.RandomState(DELAY_SEED),
    )
    projections = []
    for pre in ("exc", "inh"):
        for post in ("exc", "inh"):
            k, n = in_degree[pre], sizes[post]
            arrays = _matrix(sizes[pre], n, k, weights[pre], delay, streams)
            projections.append(
                _projection(pre, post, arrays, np.repeat(np.arange(n), k))
            )
    # ext -> the assembly exc + inh: targets 0..N_E-1 are exc, then inh.
    k, n_exc = config.c_ext, config.n_exc
    pre_idx, weight, dly = _matrix(
        config.n_ext, config.n_neurons, k, weights["ext"], delay, streams
    )
    split = n_exc * k
    for post, part, n in (
        ("exc", slice(None, split), n_exc),
        ("inh", slice(split, None), config.n_inh),
    ):
        arrays = (pre_idx[part], weight[part], dly[part])
        projections.append(_projection("ext", post, arrays, np.repeat(np.arange(n), k)))
    return tuple(projections)


def build_seed_network(config: BrunelConfig) -> Network:
    """Build the seed experiment's own realisation of one configuration.

    Parameters
    ----------
    config
        The point (g, eta) and model parameters; ``config.seed`` is the seed's
        network seed (1234 in the seed), ``config.network`` is not read.

    Returns
    -------
    Network
        Populations ``exc`` and ``inh`` (IF_cond_exp; parameter arrays of shapes
        ``(N_E,)`` and ``(N_I,)``), Poisson source ``ext`` (``N`` sources at
        ``config.rate_per_source`` Hz) and the projections exc→exc, exc→inh,
        inh→exc, inh→inh, ext→exc, ext→inh (``N_post × C`` synapses each, weights in
        µS, delays in ms), as :func:`experiments.brunel.build_network` names and
        orders them.

    Raises
    ------
    ConfigError
        If a weight or delay distribution is still out of bounds after PyNN's
        redraw rounds (the message names it and the remedy), or ``config.seed`` is
        not a valid ``RandomState`` seed (0 <= seed < 2**32; checked by
        :class:`BrunelConfig`).

    Examples
    --------
    >>> net = build_seed_network(BrunelConfig.tiny(network="seed"))
    >>> exc, inh = net.populations
    >>> bool((inh.parameters["tau_m"] == exc.parameters["tau_m"][:50]).all())
    True
    """
    populations = tuple(
        Population(
            name=name,
            size=size,
            cell_type="IF_cond_exp",
            parameters=_cell_parameters(config, size),
        )
        for name, size in (("exc", config.n_exc), ("inh", config.n_inh))
    )
    source = PoissonSource(name="ext", size=config.n_ext, rate=config.rate_per_source)
    return Network(
        populations=populations,
        sources=(source,),
        projections=_projections(config),
        timestep=config.dt,
    )
