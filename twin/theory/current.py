r"""Current-based LIF populations: input moments and the rate transfer.

For population ``k`` receiving :math:`C_{kl}` synapses of PSP jump :math:`J_{kl}` (mV)
from population ``l`` firing at :math:`\nu_l`, plus :math:`C^\mathrm{ext}_k` external
Poisson synapses of jump :math:`J^\mathrm{ext}_k` at :math:`\nu^\mathrm{ext}_k` each,
the diffusion approximation (Brunel 2000, eqs. 4-5; Amit & Brunel 1997) gives

.. math::

    \mu_k = \tau_k \Big(\sum_l C_{kl} J_{kl} \nu_l + C^\mathrm{ext}_k J^\mathrm{ext}_k
            \nu^\mathrm{ext}_k\Big) + \mu^0_k, \qquad
    \sigma_k^2 = \tau_k \Big(\sum_l C_{kl} J_{kl}^2 \nu_l
            + C^\mathrm{ext}_k (J^\mathrm{ext}_k)^2 \nu^\mathrm{ext}_k\Big),

and the rate :math:`F_k = \phi(\mu_k, \sigma_k)` of
:func:`twin.theory.siegert.siegert_rate` (with the Fourcaud-Brunel shift for a
synaptic time constant). Exponentially decaying current synapses (NEST's
``iaf_psc_exp``) enter through their charge: :func:`charge_jump`. Every array
may carry leading axes of points (a grid). :func:`current_rates` solves the
self-consistent rates with the approximations' flags
(:func:`twin.theory.conditions.flag_conditions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from twin.theory.conditions import flag_conditions
from twin.theory.errors import TheoryInputError
from twin.theory.fixed_point import DEFAULT_STARTS, solve_rates
from twin.theory.siegert import siegert_rate
from twin.theory.stationary import Stationary
from twin.theory.validate import require

__all__ = ["CurrentNetwork", "LIFPopulation", "charge_jump", "current_rates"]

_MS: float = 1e-3  # Hz x ms -> dimensionless


def charge_jump(
    weight: np.ndarray | float, tau_syn: np.ndarray | float, c_m: np.ndarray | float
) -> np.ndarray:
    r"""Return the delta-synapse jump (mV) of an exponential current synapse.

    A current :math:`w e^{-t/\tau_s}` carries the charge :math:`w\tau_s`; spread over
    the membrane capacitance it moves the potential by :math:`J = w \tau_s / C_m` in
    the diffusion limit (Fourcaud & Brunel 2002).

    Parameters
    ----------
    weight
        Peak current, pA (signed).
    tau_syn
        Current decay, ms (``> 0``).
    c_m
        Membrane capacitance, pF (``> 0``).

    Returns
    -------
    np.ndarray
        The jump, mV (pA ms / pF).

    Raises
    ------
    TheoryInputError
        If ``tau_syn`` or ``c_m`` is not positive, or a value is not finite.

    Examples
    --------
    >>> float(charge_jump(87.8, 0.5, 250.0))
    0.1756
    """
    w = require("weight (pA)", weight, lambda x: x == x, "a number", "give a current")
    tau = require("tau_syn (ms)", tau_syn, lambda x: x > 0, "> 0", "give the decay")
    c = require("c_m (pF)", c_m, lambda x: x > 0, "> 0", "give the capacitance")
    return np.asarray(w * tau / c)


@dataclass(frozen=True, slots=True, kw_only=True)
class LIFPopulation:
    """The neurons of one current-based LIF population (potentials from rest).

    Parameters
    ----------
    name
        Population name.
    tau_m, tau_ref
        Membrane time constant (``> 0``) and refractory period (``>= 0``), ms.
    theta, v_reset
        Threshold and reset, mV above the resting potential (``v_reset < theta``).
    tau_syn
        Synaptic current decay, ms, for the Fourcaud-Brunel shift (0: delta
        synapses).
    mu_offset
        Constant drive (e.g. ``I_e tau_m / C_m``), mV.

    Raises
    ------
    TheoryInputError
        If a value breaks one of the rules above.
    """

    name: str
    tau_m: float
    tau_ref: float
    theta: float
    v_reset: float
    tau_syn: float = 0.0
    mu_offset: float = 0.0

    def __post_init__(self) -> None:
        where = f"population {self.name!r}:"
        require(f"{where} tau_m (ms)", self.tau_m, lambda x: x > 0, "> 0", "give tau_m")
        require(
            f"{where} tau_ref (ms)", self.tau_ref, lambda x: x >= 0, ">= 0", "fix it"
        )
        require(
            f"{where} tau_syn (ms)", self.tau_syn, lambda x: x >= 0, ">= 0", "fix it"
        )
        require(
            f"{where} mu_offset (mV)",
            self.mu_offset,
            lambda x: x == x,
            "finite",
            "fix it",
        )
        require(
            f"{where} theta - v_reset (mV)",
            self.theta - self.v_reset,
            lambda x: x > 0,
            "> 0",
            "give v_reset < theta",
        )


def _matrix(name: str, value: np.ndarray, n: int, rule: str) -> np.ndarray:
    arr = require(
        name,
        value,
        (lambda x: x >= 0) if rule == ">= 0" else (lambda x: x == x),
        rule,
        "fix the coupling",
    )
    if arr.shape[-2:] != (n, n):
        raise TheoryInputError(
            f"{name} has shape {arr.shape}; its last two axes must be ({n}, {n}): "
            "one row per target population, one column per source population"
        )
    return arr


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CurrentNetwork:
    """Populations of current-based LIF neurons and their couplings.

    Parameters
    ----------
    populations
        The ``n`` populations.
    in_degree
        ``C[..., k, l]``: synapses onto one neuron of ``k`` from population ``l``
        (``>= 0``), shape ``(..., n, n)`` (leading axes: points).
    jump
        ``J[..., k, l]``: PSP jump of those synapses, mV (negative: inhibitory).
    ext_in_degree, ext_jump, ext_rate
        External Poisson synapses per neuron, their jump (mV) and the rate of each
        (Hz), shape ``(..., n)`` (or broadcastable).

    Raises
    ------
    TheoryInputError
        If a coupling has the wrong trailing shape, a negative in-degree or rate, or
        a non-finite value.
    """

    populations: tuple[LIFPopulation, ...]
    in_degree: np.ndarray
    jump: np.ndarray
    ext_in_degree: np.ndarray = field(default_factory=lambda: np.zeros(1))
    ext_jump: np.ndarray = field(default_factory=lambda: np.zeros(1))
    ext_rate: np.ndarray = field(default_factory=lambda: np.zeros(1))

    def __post_init__(self) -> None:
        n = len(self.populations)
        object.__setattr__(self, "populations", tuple(self.populations))
        object.__setattr__(
            self, "in_degree", _matrix("in_degree", self.in_degree, n, ">= 0")
        )
        object.__setattr__(self, "jump", _matrix("jump (mV)", self.jump, n, "finite"))
        for name, rule in (
            ("ext_in_degree", ">= 0"),
            ("ext_jump", "finite"),
            ("ext_rate", ">= 0"),
        ):
            holds = (lambda x: x >= 0) if rule == ">= 0" else (lambda x: x == x)
            object.__setattr__(
                self,
                name,
                require(
                    name, getattr(self, name), holds, rule, "fix the external input"
                ),
            )

    def _column(self, attribute: str) -> np.ndarray:
        return np.array([getattr(p, attribute) for p in self.populations])

    @property
    def names(self) -> tuple[str, ...]:
        """The population names."""
        return tuple(p.name for p in self.populations)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The shape of the points the couplings describe (``()`` for one)."""
        shapes = [self.in_degree.shape[:-2], self.jump.shape[:-2]]
        shapes += [
            np.shape(x)[:-1] for x in (self.ext_in_degree, self.ext_jump, self.ext_rate)
        ]
        return tuple(np.broadcast_shapes(*shapes))

    def moments(self, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(mu, sigma)`` in mV for population rates ``(..., n)`` Hz.

        Returns
        -------
        tuple of np.ndarray
            Mean and noise amplitude per population, the broadcast shape of
            ``rates`` and the couplings.
        """
        tau = self._column("tau_m")
        cj = self.in_degree * self.jump
        cjj = cj * self.jump
        ext = self.ext_in_degree * self.ext_jump * self.ext_rate
        ext2 = ext * self.ext_jump
        rates = np.asarray(rates, float)
        drift = np.einsum("...kl,...l->...k", cj, rates) + ext
        diffusion = np.einsum("...kl,...l->...k", cjj, rates) + ext2
        mu = tau * _MS * drift + self._column("mu_offset")
        return mu, np.sqrt(np.maximum(tau * _MS * diffusion, 0.0))

    def transfer(self, rates: np.ndarray) -> np.ndarray:
        """Return the Siegert rates ``F(rates)``, Hz, shape of :meth:`moments`."""
        mu, sigma = self.moments(rates)
        return siegert_rate(
            mu,
            sigma,
            tau_m=self._column("tau_m"),
            tau_ref=self._column("tau_ref"),
            theta=self._column("theta"),
            v_reset=self._column("v_reset"),
            tau_s=self._column("tau_syn"),
        )

    def conditions(
        self, rates: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the approximations' numbers per population at ``rates`` (Hz).

        Returns
        -------
        synaptic, psp, busy : np.ndarray
            ``sqrt(tau_syn / tau_m)``, the largest ``|J|`` of a connected input
            (recurrent or external) over ``theta - v_reset``, and ``nu tau_ref``;
            each the broadcast shape of ``rates`` and the couplings, ``(..., n)``
            (:func:`twin.theory.conditions.flag_conditions`).
        """
        rates = np.asarray(rates, float)
        span = self._column("theta") - self._column("v_reset")
        recurrent = np.where(self.in_degree > 0, np.abs(self.jump), 0.0).max(axis=-1)
        external = np.where(self.ext_in_degree > 0, np.abs(self.ext_jump), 0.0)
        psp = np.maximum(recurrent, external) / span
        synaptic = np.sqrt(self._column("tau_syn") / self._column("tau_m"))
        busy = rates * self._column("tau_ref") * _MS
        shape = np.broadcast_shapes(busy.shape, np.shape(psp))
        return (
            np.broadcast_to(synaptic, shape),
            np.broadcast_to(psp, shape),
            busy,
        )


def current_rates(
    network: CurrentNetwork, *, starts: Sequence[float] = DEFAULT_STARTS
) -> tuple[Stationary, ...]:
    """Return the stationary rates of a current-based network, with their flags.

    :func:`twin.theory.fixed_point.solve_rates` of :meth:`CurrentNetwork.transfer`,
    each point's stable fixed point checked by
    :func:`twin.theory.conditions.flag_conditions` (as the conductance path's).

    Parameters
    ----------
    network
        The populations and couplings (any batch shape).
    starts
        Start rates of the solve, Hz.

    Returns
    -------
    tuple of Stationary
        One per point, C order of :attr:`CurrentNetwork.batch_shape`.

    Raises
    ------
    TheoryInputError
        If ``starts`` is empty or holds a negative or non-finite rate.
    """
    shape = network.batch_shape
    found = solve_rates(
        network.transfer, network.names, batch_shape=shape, starts=starts
    )
    at = np.array([s.stable[0].rates if s.ok else np.full(len(network.names), np.nan)
                   for s in found]).reshape(*shape, -1)  # fmt: skip
    synaptic, psp, busy = (
        np.reshape(x, (len(found), -1)) for x in network.conditions(at)
    )
    return tuple(
        flag_conditions(s, synaptic[i], psp[i], busy[i]) for i, s in enumerate(found)
    )
