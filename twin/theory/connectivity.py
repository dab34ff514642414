r"""What a network's projections give each neuron: per-neuron weight sums.

The stationary theory treats every presynaptic neuron of a population as firing
independently at the population's rate. That holds for random connectivity: a fixed
in-degree (every target neuron has the same number of synapses, PyNN's
``FixedNumberPreConnector``, ``AllToAllConnector``, ``OneToOneConnector``) or a fixed
probability (in-degrees dispersed as a binomial or Poisson count:
``FixedProbabilityConnector``, ``FixedTotalNumberConnector``,
``FixedNumberPostConnector``). A :class:`twin.projection.Projection` keeps only its
synapses, so the kind is read from them: in-degrees all equal, or their dispersion
statistic :math:`D = \sum_i (K_i - \bar K)^2 / \bar K` below the
:math:`1 - 10^{-6}` quantile of :math:`\chi^2_{N-1}` (a binomial or Poisson count
passes; a projection onto part of a population, or a hub structure, does not).

Per target neuron ``i``, receptor ``x`` and presynaptic population ``l`` the sums
:math:`\sum w` and :math:`\sum w^2` of the weights (µS) are kept, so that
:math:`A_x = \sum_l \nu_l \sum w` and :math:`B_x = \sum_l \nu_l \sum w^2` for any
population rates (:class:`twin.theory.conductance.Drive`); Poisson sources enter with
each generator's own rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from scipy.stats import chi2

from twin.network import Network
from twin.projection import Projection
from twin.sources import PoissonSource
from twin.theory.conductance import Drive
from twin.theory.errors import NotDescribableError
from twin.wafer_cells import check_wafer_cells

__all__ = [
    "DISPERSION_LEVEL",
    "Inputs",
    "Scales",
    "check_random",
    "connectivity_kind",
    "inputs_of",
]

#: Significance of the in-degree dispersion test (a random projection fails it once
#: in a million).
DISPERSION_LEVEL: Final = 1e-6
Kind = Literal["fixed in-degree", "fixed probability"]
_RECEPTOR: Final = {"excitatory": 0, "inhibitory": 1}


def _in_degrees(post_idx: np.ndarray, n_post: int) -> np.ndarray:
    """Return the number of synapses onto each target, ``(n_post,)``."""
    if post_idx.size and np.all(post_idx[1:] >= post_idx[:-1]):
        return np.diff(np.searchsorted(post_idx, np.arange(n_post + 1)))
    return np.bincount(post_idx, minlength=n_post)


def connectivity_kind(projection: Projection, n_post: int) -> Kind:
    """Return the kind of a projection's connectivity, read from its synapses.

    Parameters
    ----------
    projection
        The projection.
    n_post
        Size of its target population.

    Returns
    -------
    str
        ``"fixed in-degree"`` (all in-degrees equal) or ``"fixed probability"``
        (dispersed no more than a binomial or Poisson count).

    Raises
    ------
    NotDescribableError
        If the in-degrees are over-dispersed; the message names the projection.
    """
    k = _in_degrees(projection.post_idx, n_post)
    if np.all(k == k[0]):
        return "fixed in-degree"
    mean = k.mean()
    dispersion = float(np.sum((k - mean) ** 2) / mean)
    limit = float(chi2.ppf(1.0 - DISPERSION_LEVEL, n_post - 1))
    if dispersion > limit:
        raise NotDescribableError(
            f"projection {projection.name!r}: in-degrees from {k.min()} to {k.max()} "
            f"(mean {mean:.3g}) are dispersed beyond a random projection's (statistic "
            f"{dispersion:.4g} > {limit:.4g}); the stationary theory describes fixed "
            "in-degree or fixed probability projections: connect at random"
        )
    return "fixed probability"


@dataclass(frozen=True, slots=True, eq=False)
class Inputs:
    """The input of one target population: weight sums per neuron.

    Attributes
    ----------
    first, second
        ``sum w`` (µS) and ``sum w^2`` (µS²) per neuron, presynaptic population and
        receptor, shape ``(N, n_populations, 2)``.
    ext_first, ext_second
        ``sum w nu`` (µS Hz) and ``sum w^2 nu`` (µS² Hz) of the Poisson sources,
        shape ``(N, 2)``.
    """

    first: np.ndarray
    second: np.ndarray
    ext_first: np.ndarray
    ext_second: np.ndarray

    def drive(self, rates: np.ndarray) -> Drive:
        """Return the drive for population rates ``(..., n_populations)`` Hz."""
        rates = np.asarray(rates, float)[..., None, :, None]
        first = (self.first * rates).sum(axis=-2) + self.ext_first
        second = (self.second * rates).sum(axis=-2) + self.ext_second
        return Drive(first, second)

    def drive_over(self, rates: np.ndarray, scales: Scales) -> Drive:
        """Return the drive of a batch of scaled variants of the network.

        Parameters
        ----------
        rates
            Population rates, Hz, shape ``(..., *scales.shape, n_populations)``.
        scales
            The variants' inhibitory-weight and Poisson-rate factors.

        Returns
        -------
        Drive
            Shape ``(..., *scales.shape, N, 2)``.
        """
        rates = np.asarray(rates, float)
        size, n_pop, _ = self.first.shape
        per_rate = (self.first, self.second)
        sums = [
            (rates @ w.transpose(1, 0, 2).reshape(n_pop, 2 * size)).reshape(
                *rates.shape[:-1], size, 2
            )
            for w in per_rate
        ]
        first = sums[0] * scales.first + self.ext_first * scales.ext_first
        second = sums[1] * scales.second + self.ext_second * scales.ext_second
        return Drive(first, second)


@dataclass(frozen=True, slots=True, eq=False)
class Scales:
    """Factors on a network's input sums for a batch of variants.

    A variant multiplies every inhibitory weight by ``g`` and every Poisson source's
    rate by ``r`` (as :class:`twin.tier_inputs.RunVariant` and
    :func:`experiments.runs.points.scaled`): ``sum w`` of the inhibitory receptor
    scales with ``g``, ``sum w^2`` with ``g^2``; the sources' sums with ``r`` (and
    ``g r``, ``g^2 r`` on the inhibitory receptor).

    Attributes
    ----------
    first, second, ext_first, ext_second
        Factors per variant and receptor, shape ``(*shape, 1, 2)`` (the ``1`` is the
        neuron axis of a :class:`Drive`).
    """

    first: np.ndarray
    second: np.ndarray
    ext_first: np.ndarray
    ext_second: np.ndarray

    @classmethod
    def of(cls, g_scale: np.ndarray, rate_scale: np.ndarray) -> Scales:
        """Return the factors of variants ``(g_scale, rate_scale)`` (equal shapes)."""
        g = np.asarray(g_scale, float)[..., None, None]
        r = np.asarray(rate_scale, float)[..., None, None]
        one = np.ones_like(g)
        first = np.concatenate([one, g], axis=-1)
        second = np.concatenate([one, g * g], axis=-1)
        return cls(first, second, first * r, second * r)

    def at(self, index: np.ndarray | int) -> Scales:
        """Return the factors of the variants ``index`` (a flat batch)."""
        return Scales(
            self.first[index],
            self.second[index],
            self.ext_first[index],
            self.ext_second[index],
        )

    @property
    def shape(self) -> tuple[int, ...]:
        """The batch shape."""
        return tuple(self.first.shape[:-2])

    @property
    def g_scale(self) -> np.ndarray:
        """The inhibitory factor of each variant, ``(*shape,)``."""
        return self.first[..., 0, 1]

    @property
    def rate_scale(self) -> np.ndarray:
        """The Poisson-rate factor of each variant, ``(*shape,)``."""
        return self.ext_first[..., 0, 0]


def _source_rates(network: Network, projection: Projection) -> np.ndarray:
    """Return the rate of each synapse's Poisson generator, Hz.

    Raises
    ------
    NotDescribableError
        If the source emits given spike times.
    """
    source = network.source(projection.pre)
    if not isinstance(source, PoissonSource):
        raise NotDescribableError(
            f"projection {projection.name!r}: source {source.name!r} emits given "
            "spike times; the stationary theory describes Poisson sources only"
        )
    return np.asarray(source.rate)[projection.pre_idx]


def _per_target(post_idx: np.ndarray, values: np.ndarray, n_post: int) -> np.ndarray:
    """Return the sum of ``values`` per target neuron, ``(n_post,)``.

    Sorted targets (a projection drawn target by target) are summed by segments,
    which is several times faster than ``np.bincount`` with weights.
    """
    if post_idx.size == 0 or np.any(post_idx[1:] < post_idx[:-1]):
        return np.bincount(post_idx, values, n_post)
    starts = np.searchsorted(post_idx, np.arange(n_post))
    full = np.diff(starts, append=values.size) > 0
    sums = np.zeros(n_post)
    sums[full] = np.add.reduceat(values, starts[full])
    return sums


def check_random(network: Network) -> None:
    """Check that every projection of ``network`` is random (:func:`connectivity_kind`).

    Raises
    ------
    NotDescribableError
        If a projection's in-degrees are over-dispersed; the message names it.
    """
    for proj in network.projections:
        connectivity_kind(proj, network.population(proj.post).size)


def inputs_of(network: Network, *, check: bool = True) -> dict[str, Inputs]:
    """Return the :class:`Inputs` of every population of a network.

    Parameters
    ----------
    network
        Any twin network without current stimuli.
    check
        Check that its projections are random (:func:`check_random`). A realised
        network whose requested one passed it is not checked again: the mapping's
        losses are uneven across targets (e.g. a small chip block), a spread of
        in-degrees that the per-neuron sums describe as they are, not a structure.

    Returns
    -------
    dict
        Population name -> its inputs (population order of the network).

    Raises
    ------
    UnsupportedError
        If a population's cell type does not have exponential synaptic
        conductances (:func:`twin.wafer_cells.check_wafer_cells`: the conductance
        theory describes those only; current-based networks have
        :class:`twin.theory.CurrentNetwork`).
    NotDescribableError
        If the network has current stimuli, a projection has short-term
        plasticity, a projection's connectivity is not random
        (:func:`connectivity_kind`, with ``check``) or a source emits given spike
        times.
    """
    check_wafer_cells(network, "the theory tiers")
    if network.stimuli:
        raise NotDescribableError(
            f"current stimulus {network.stimuli[0].name!r}: the stationary theory "
            "describes constant input only: give the current as the population's "
            "i_offset"
        )
    for proj in network.projections:
        if proj.stp is not None:
            raise NotDescribableError(
                f"projection {proj.name!r} has short-term plasticity: the stationary "
                "theory describes static synapses only; use the ideal tier"
            )
    names = [p.name for p in network.populations]
    shapes = {p.name: (p.size, len(names), 2) for p in network.populations}
    first = {k: np.zeros(s) for k, s in shapes.items()}
    second = {k: np.zeros(s) for k, s in shapes.items()}
    ext_first = {k: np.zeros(s[::2]) for k, s in shapes.items()}
    ext_second = {k: np.zeros(s[::2]) for k, s in shapes.items()}
    if check:
        check_random(network)
    for proj in network.projections:
        n_post = network.population(proj.post).size
        x = _RECEPTOR[proj.receptor]
        w = proj.weight
        post = proj.post_idx
        if network.is_source(proj.pre):
            nu = _source_rates(network, proj)
            ext_first[proj.post][:, x] += _per_target(post, w * nu, n_post)
            ext_second[proj.post][:, x] += _per_target(post, w * w * nu, n_post)
            continue
        col = names.index(proj.pre)
        first[proj.post][:, col, x] += _per_target(post, w, n_post)
        second[proj.post][:, col, x] += _per_target(post, w * w, n_post)
    return {k: Inputs(first[k], second[k], ext_first[k], ext_second[k]) for k in names}
