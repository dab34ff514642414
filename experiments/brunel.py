"""The seed experiment's network: Brunel's balanced random network adapted for BSS-1.

``BrunelConfig`` holds every parameter of the adapted model (reference
``brunel_bss1.md`` §1.2-1.3); ``build_network`` turns one configuration into a
``twin.Network``. The model: N = int(12500 / scale) conductance-based LIF neurons
(80 % excitatory), fixed in-degrees C_E = int(0.1 N_E), C_I = int(0.1 N_I) drawn with
replacement, 200 external connections per neuron from a shared pool of N Poisson
sources, weights from the 0.24 nA current scale, optional parameter variation with the
calibration spreads of wafer 30 and a 50 % weight spread.

Randomness: one ``seed`` spawns independent streams for connectivity, parameter
variation, weights and delays, so every (g, eta) point with the same seed shares one
realisation; g only rescales inhibitory weights and eta only the source rates. (The
original demo continued its streams from point to point instead.)

References
----------
Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory and inhibitory
spiking neurons. J Comput Neurosci 8, 183-208.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
from scipy.special import ndtr

from twin.errors import ConfigError
from twin.network import Network, PoissonSource, Population, Projection
from twin.spreads import SPREADS

__all__ = [
    "MAX_REDRAWS",
    "MIN_ACCEPTANCE",
    "NEURON_MEANS",
    "NEURON_SDS",
    "SEED_ETAS",
    "SEED_GS",
    "BrunelConfig",
    "build_network",
    "check_clipped_normal",
    "clipped_normal_acceptance",
    "normal_clipped",
    "seed_grid",
]

#: The seed sweep: g x eta. [seed parameters.py]
SEED_GS: Final = (1.0, 4.0, 8.0, 10.0)
SEED_ETAS: Final = (0.8, 1.6, 2.4, 3.2)

#: Mean neuron parameters (PyNN IF_cond_exp names and units). [seed parameters.py]
NEURON_MEANS: Final = MappingProxyType(
    {
        "tau_m": 10.0,
        "tau_syn_E": 3.0,
        "tau_syn_I": 3.0,
        "tau_refrac": 2.0,
        "cm": 1.0,
        "v_rest": 0.0,
        "v_reset": 10.0,
        "i_offset": 0.0,
        "v_thresh": 20.0,
        "e_rev_E": 140.0,
        "e_rev_I": -140.0,
    }
)
#: Standard deviations of the parameter variation (wafer 30, big cap, normal speed).
NEURON_SDS: Final = SPREADS[("big", "normal")]
_POSITIVE: Final = frozenset({"tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac", "cm"})
Layout = Literal["all", "30"]

#: Redraw bound of every re-drawing loop, as PyNN's ``pyNN.random.MAX_REDRAWS``:
#: PyNN checks ``iterations > MAX_REDRAWS`` before each redraw round, so it gives up
#: when values are still out of bounds after ``MAX_REDRAWS + 1`` rounds.
MAX_REDRAWS: Final = 1000
#: Smallest acceptance probability p = P(low <= X <= high), X ~ N(mean, sd), that a
#: clipped normal may have (:func:`check_clipped_normal`, computed with the normal
#: CDF). Below it a value needs on average more than ``MAX_REDRAWS`` draws: each value
#: is drawn at most ``MAX_REDRAWS + 2`` times and stays outside with probability
#: ``(1 - p) ** (MAX_REDRAWS + 2)`` > 0.36, so the bounded redraw would fail for all
#: but the smallest sizes. Distributions above it can still run out of redraws for
#: large sizes (a million values up to p ~ 0.02); the draw then raises the same
#: error.
MIN_ACCEPTANCE: Final = 1.0 / MAX_REDRAWS
_DELAY_REMEDY: Final = (
    "set BrunelConfig.delay_min below delay_mean, or raise delay_mean or delay_sd (ms)"
)
_WEIGHT_REMEDY: Final = "lower BrunelConfig.weight_spread"


@dataclass(frozen=True, slots=True, kw_only=True)
class BrunelConfig:
    """All parameters of one point of the adapted Brunel network.

    Parameters
    ----------
    g
        Relative inhibitory weight (inhibitory conductance = g × excitatory).
    eta
        External rate relative to the threshold rate ``nu_thresh``.
    seed
        Seed of the realisation (connectivity, variation, weights, delays, input).
    t_stop
        Simulated time, ms.
    dt
        Integration timestep, ms.
    n_full, scale
        The original network size and the down-scaling factor: N = int(n_full/scale).
    exc_fraction, epsilon
        Fraction of excitatory neurons; connection probability (in-degree / size).
    c_ext
        External connections per neuron, drawn from a pool of N Poisson sources.
    j_per_scale
        Brunel's J (mV) before scaling; the PSP scale is ``dV = j_per_scale * scale``.
    orig_weight
        Extra weight factor of the adapted model (1.2).
    variation
        Draw per-neuron parameters with :data:`NEURON_SDS` and a weight spread.
    weight_spread
        Relative standard deviation of every weight when ``variation`` is on.
    delay_mean, delay_sd, delay_min
        Delay distribution (normal, redrawn below ``delay_min``), ms.
    analysis_window
        Length of the analysed final window, ms (the seed analyses the last 1000 ms).

    Raises
    ------
    ConfigError
        If a size, rate, time or weight parameter is not positive, the analysis
        window is longer than ``t_stop``, the scale leaves no neurons or synapses, or
        a redrawn distribution (delays, weights) cannot be drawn: its bounds are
        crossed, ``sd`` is 0 with the mean outside the bounds, or the acceptance
        probability is below :data:`MIN_ACCEPTANCE` (see
        :func:`check_clipped_normal`).
    """

    g: float = 8.0
    eta: float = 0.8
    seed: int = 1234
    t_stop: float = 10_000.0
    dt: float = 0.1
    n_full: int = 12_500
    scale: float = 6.0
    exc_fraction: float = 0.8
    epsilon: float = 0.1
    c_ext: int = 200
    j_per_scale: float = 0.1
    orig_weight: float = 1.2
    variation: bool = True
    weight_spread: float = 0.5
    delay_mean: float = 1.5
    delay_sd: float = 0.2
    delay_min: float = 0.3
    analysis_window: float = 1000.0

    def __post_init__(self) -> None:
        positive = ("g", "eta", "scale", "dt", "t_stop", "epsilon", "j_per_scale")
        for name in (*positive, "orig_weight"):
            if not getattr(self, name) > 0:
                raise ConfigError(
                    f"BrunelConfig.{name} = {getattr(self, name)!r}; must be > 0"
                )
        if self.t_stop < self.analysis_window:
            raise ConfigError(
                f"t_stop = {self.t_stop} ms is shorter than the "
                f"{self.analysis_window} ms analysis window; simulate at least as long"
            )
        if not 0 < self.exc_fraction < 1:
            raise ConfigError(f"exc_fraction = {self.exc_fraction}; must be in (0, 1)")
        if self.n_inh < 1 or self.c_exc < 1 or self.c_inh < 1 or self.c_ext < 1:
            raise ConfigError(
                f"scale = {self.scale} leaves too few neurons or synapses "
                f"(N_I = {self.n_inh}, C_E = {self.c_exc}, C_I = {self.c_inh}); "
                "use a smaller scale"
            )
        self._check_distributions()

    def _check_distributions(self) -> None:
        """Reject delay and weight distributions the bounded redraw cannot draw."""
        check_clipped_normal(
            "delay",
            self.delay_mean,
            self.delay_sd,
            low=self.delay_min,
            remedy=_DELAY_REMEDY,
        )
        if not (math.isfinite(self.weight_spread) and self.weight_spread >= 0):
            raise ConfigError(
                f"BrunelConfig.weight_spread = {self.weight_spread!r}; must be a "
                "finite relative standard deviation >= 0 (the seed uses 0.5)"
            )
        for name, mean in (("exc", self.exc_weight), ("inh", self.inh_weight)):
            check_clipped_normal(
                f"{name} weight",
                mean,
                self.weight_spread * mean,
                low=0.0,
                remedy=_WEIGHT_REMEDY,
            )

    @classmethod
    def tiny(cls, **changes: object) -> BrunelConfig:
        """Return a 250-neuron version (scale 50, 1.2 s) for fast tests.

        Raises
        ------
        ConfigError
            If ``changes`` make an invalid configuration (see :class:`BrunelConfig`).
        """
        base = cls(scale=50.0, t_stop=1200.0)
        return dataclasses.replace(base, **changes)  # type: ignore[arg-type]

    @property
    def n_neurons(self) -> int:
        """Number of neurons N = int(n_full / scale) (2083 for the seed)."""
        return int(self.n_full / self.scale)

    @property
    def n_exc(self) -> int:
        """Excitatory neurons (1666 for the seed)."""
        return int(self.exc_fraction * self.n_neurons)

    @property
    def n_inh(self) -> int:
        """Inhibitory neurons (417 for the seed)."""
        return self.n_neurons - self.n_exc

    @property
    def c_exc(self) -> int:
        """Excitatory in-degree (166 for the seed)."""
        return int(self.epsilon * self.n_exc)

    @property
    def c_inh(self) -> int:
        """Inhibitory in-degree (41 for the seed)."""
        return int(self.epsilon * self.n_inh)

    @property
    def n_ext(self) -> int:
        """Size of the shared Poisson pool (= N)."""
        return self.n_neurons

    @property
    def dv(self) -> float:
        """PSP scale dV = J × scale, mV (0.6 mV for the seed)."""
        return self.j_per_scale * self.scale

    @property
    def nu_thresh(self) -> float:
        """Total external rate (Hz) that drives the mean input to threshold."""
        m = NEURON_MEANS
        return (m["v_thresh"] - m["v_rest"]) / (self.dv * m["tau_m"]) * 1e3

    @property
    def rate_per_source(self) -> float:
        """Rate of each Poisson source, Hz: eta × nu_thresh / c_ext."""
        return self.eta * self.nu_thresh / self.c_ext

    @property
    def current_scale(self) -> float:
        """Synaptic current scale w = orig_weight × dV × cm / tau_syn_E, nA (0.24)."""
        m = NEURON_MEANS
        return self.orig_weight * self.dv * m["cm"] / m["tau_syn_E"]

    @property
    def exc_weight(self) -> float:
        """Excitatory (and external) conductance, µS: w / (e_rev_E - v_rest)."""
        m = NEURON_MEANS
        return self.current_scale / (m["e_rev_E"] - m["v_rest"])

    @property
    def inh_weight(self) -> float:
        """Inhibitory conductance, µS: g × w / (v_rest - e_rev_I)."""
        m = NEURON_MEANS
        return self.g * self.current_scale / (m["v_rest"] - m["e_rev_I"])

    @property
    def layout(self) -> Layout:
        """Seed recording layout: ``"all"`` if g >= 7 and eta <= 1.2, else ``"30"``."""
        return "all" if self.g >= 7 and self.eta <= 1.2 else "30"

    def replace(self, **changes: object) -> BrunelConfig:
        """Return a copy with fields replaced (validated again).

        Raises
        ------
        ConfigError
            If the copy is an invalid configuration (see :class:`BrunelConfig`).
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def seed_grid(base: BrunelConfig | None = None) -> tuple[BrunelConfig, ...]:
    """Return the seed's 16 points (g outer, eta inner) derived from ``base``."""
    base = base or BrunelConfig()
    return tuple(base.replace(g=g, eta=eta) for g in SEED_GS for eta in SEED_ETAS)


def clipped_normal_acceptance(
    mean: float, sd: float, low: float = -np.inf, high: float = np.inf
) -> float:
    """Return the probability that one draw of N(mean, sd) falls in ``[low, high]``.

    Parameters
    ----------
    mean, sd
        Mean (finite) and standard deviation (finite, >= 0; 0 is the point mass at
        ``mean``) of the normal distribution, in the unit of the bounds.
    low, high
        Bounds of the accepted interval, inclusive.

    Returns
    -------
    float
        ``Phi((high - mean) / sd) - Phi((low - mean) / sd)``, computed in the tail
        nearer to the interval so that small probabilities keep their precision; 0
        when ``low > high`` or a bound is NaN.

    Examples
    --------
    >>> round(clipped_normal_acceptance(0.0, 1.0, low=-1.0, high=1.0), 4)
    0.6827
    >>> clipped_normal_acceptance(1.5, 0.0, low=2.0)
    0.0
    """
    if not low <= high:
        return 0.0
    if sd == 0:
        return 1.0 if low <= mean <= high else 0.0
    a = (float(low) - float(mean)) / float(sd)
    b = (float(high) - float(mean)) / float(sd)
    p = ndtr(-a) - ndtr(-b) if a > 0 else ndtr(b) - ndtr(a)
    return float(max(p, 0.0))


def check_clipped_normal(
    name: str,
    mean: float,
    sd: float,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    remedy: str = "move the mean towards the bounds, widen them or raise sd",
) -> None:
    """Check that N(mean, sd) redrawn outside ``[low, high]`` can be drawn.

    The criterion: ``mean`` and ``sd`` finite, ``sd`` >= 0, ``low <= high`` and an
    acceptance probability (:func:`clipped_normal_acceptance`) of at least
    :data:`MIN_ACCEPTANCE`. With ``sd = 0`` that means the mean lies in the bounds.

    Parameters
    ----------
    name
        The drawn parameter, named in the error.
    mean, sd
        Mean and standard deviation (same unit as the bounds).
    low, high
        Bounds, inclusive.
    remedy
        What the user can change, appended to the error.

    Raises
    ------
    ConfigError
        If the distribution fails the criterion; the message names the parameter,
        the distribution, the problem and ``remedy``.

    Examples
    --------
    >>> check_clipped_normal("delay", 1.5, 0.2, low=0.3)
    >>> try:
    ...     check_clipped_normal("delay", 1.5, 0.2, low=3.0)
    ... except ConfigError as err:
    ...     print(str(err).split(": ")[0])
    delay ~ normal(mean=1.5, sd=0.2) redrawn outside [3, inf]
    """
    dist = (
        f"{name} ~ normal(mean={mean:g}, sd={sd:g}) redrawn outside [{low:g}, {high:g}]"
    )
    if not (math.isfinite(mean) and math.isfinite(sd) and sd >= 0):
        problem = "the mean and sd must be finite and sd >= 0"
    elif math.isnan(low) or math.isnan(high) or low > high:
        problem = "low > high (or a bound is NaN), so no value can be accepted"
    elif sd == 0 and not low <= mean <= high:
        problem = "sd = 0 makes every draw equal the mean, which is outside the bounds"
    else:
        p = clipped_normal_acceptance(mean, sd, low, high)
        if p >= MIN_ACCEPTANCE:
            return
        problem = (
            f"only a fraction {p:.3g} of draws falls inside the bounds (at least "
            f"{MIN_ACCEPTANCE:g} is needed: each value is redrawn at most "
            f"{MAX_REDRAWS + 1} times, as in PyNN)"
        )
    raise ConfigError(f"{dist}: {problem}; {remedy}")


def _redraw(
    values: np.ndarray,
    draw: Callable[[int], np.ndarray],
    outside: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """Redraw out-of-bounds values in place with PyNN's bound; return those left.

    ``outside(v, idx)`` flags the values ``v = values[idx]`` to redraw; ``draw(n)``
    gives ``n`` new values. At most ``MAX_REDRAWS + 1`` rounds redraw the flagged
    values in index order (``pyNN.random.WrappedRNG._clipped``), so a run that needs
    no more rounds draws exactly what an unbounded loop would.
    """
    idx = np.flatnonzero(outside(values, np.arange(values.size)))
    rounds = 0
    while idx.size and rounds <= MAX_REDRAWS:
        values[idx] = draw(idx.size)
        idx = idx[outside(values[idx], idx)]
        rounds += 1
    return idx


def normal_clipped(
    rng: np.random.Generator,
    mean: float,
    sd: float,
    size: int,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    name: str = "value",
    remedy: str = "move the mean towards the bounds, widen them or raise sd",
) -> np.ndarray:
    """Draw normal values, re-drawing those outside ``[low, high]`` (PyNN semantics).

    As PyNN's ``normal_clipped``, values outside the bounds are redrawn at most
    ``MAX_REDRAWS + 1`` times; unlike PyNN, the distribution is checked first
    (:func:`check_clipped_normal`), so a hopeless one fails before any draw.

    Parameters
    ----------
    rng
        Generator of the draws.
    mean, sd
        Mean and standard deviation of the normal distribution (unit of the values).
    size
        Number of values.
    low, high
        Bounds, inclusive.
    name, remedy
        The drawn parameter and what the user can change, for the error message.

    Returns
    -------
    np.ndarray
        ``size`` values in ``[low, high]``.

    Raises
    ------
    ConfigError
        If the distribution fails :func:`check_clipped_normal`, or values are still
        outside the bounds after ``MAX_REDRAWS + 1`` redraw rounds.

    Examples
    --------
    >>> x = normal_clipped(np.random.default_rng(0), 1.0, 5.0, 1000, low=0.0)
    >>> bool(x.min() >= 0.0)
    True
    """
    check_clipped_normal(name, mean, sd, low, high, remedy=remedy)
    values = rng.normal(mean, sd, size)
    left = _redraw(
        values,
        lambda n: rng.normal(mean, sd, n),
        lambda v, _: (v < low) | (v > high),
    )
    if left.size:
        raise ConfigError(
            f"{name} ~ normal(mean={mean:g}, sd={sd:g}) redrawn outside "
            f"[{low:g}, {high:g}]: {left.size} of {size} values are still outside "
            f"after {MAX_REDRAWS + 1} redraw rounds (PyNN's bound); {remedy}"
        )
    return values


def _neuron_parameters(
    config: BrunelConfig, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    n = config.n_neurons
    if not config.variation:
        return {k: np.full(n, v) for k, v in NEURON_MEANS.items()}
    params = {}
    for key, mean in NEURON_MEANS.items():
        sd = NEURON_SDS.get(key, 0.0)
        low = 0.0 if key in _POSITIVE else -np.inf
        high = 0.9 * NEURON_MEANS["v_thresh"] if key == "v_reset" else np.inf
        params[key] = (
            normal_clipped(
                rng,
                mean,
                sd,
                n,
                low,
                high,
                name=key,
                remedy="draw without parameter variation (variation=False)",
            )
            if sd
            else np.full(n, mean)
        )
    # NEST rejects v_reset >= v_thresh (p ~ 3e-4 per neuron): redraw those resets.
    mean, sd = NEURON_MEANS["v_reset"], NEURON_SDS["v_reset"]
    v_thresh = params["v_thresh"]
    left = _redraw(
        params["v_reset"],
        lambda k: rng.normal(mean, sd, k),
        lambda v, idx: v >= v_thresh[idx],
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
        remedy=_WEIGHT_REMEDY,
    )


def build_network(config: BrunelConfig) -> Network:
    """Build the adapted Brunel network of one configuration.

    Parameters
    ----------
    config
        The point (g, eta), seed and every model parameter.

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
                        remedy=_DELAY_REMEDY,
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
