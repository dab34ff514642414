r"""Conductance-based LIF neurons in the effective-time-constant approximation.

Each neuron ``i`` receives, per receptor ``x`` (excitatory, inhibitory), Poisson
spikes through synapses of peak conductance :math:`w` (µS) decaying with
:math:`\tau_x`. With :math:`A_x = \sum w\,\nu` and :math:`B_x = \sum w^2 \nu` over its
synapses (rates in Hz; the per-neuron sums of :class:`Drive`):

.. math::

    g_x = A_x \tau_x, \quad g_\mathrm{tot} = g_L + g_E + g_I, \quad
    \tau_\mathrm{eff} = C_m / g_\mathrm{tot}, \quad
    \mu_V = \frac{g_L E_L + g_E E_E + g_I E_I + I_\mathrm{offset} - \bar w}
                 {g_\mathrm{tot}},

(Kuhn, Aertsen & Rotter 2004; Richardson & Gerstner 2005; Zerlaut et al. 2018). At
:math:`\mu_V` a synapse injects the charge :math:`w (E_x - \mu_V)\tau_x`, a jump
:math:`J = w (E_x - \mu_V)\tau_x / C_m`, so the white-noise amplitude is
:math:`\sigma^2 = \tau_\mathrm{eff} \sum_x B_x ((E_x - \mu_V)\tau_x / C_m)^2`; the free
membrane variance is then :math:`\sigma^2/2 \cdot \tau_\mathrm{eff}/(\tau_\mathrm{eff}
+ \tau_s)`, Zerlaut's shot-noise variance of exponentially filtered conductance PSPs.
The rate is :func:`twin.theory.siegert.siegert_rate` with :math:`\tau_m \to
\tau_\mathrm{eff}`, the refractory period, and the Fourcaud-Brunel shift with
:math:`\tau_s` the variance-weighted mean of :math:`\tau_E, \tau_I`.

AdEx adaptation (``EIF_cond_exp_isfa_ista``) enters as its mean current
:math:`\bar w = a(\mu_V - E_L) + b\,\tau_w \nu_i` (``a`` acts on the mean only: the
slow current does not follow the fast fluctuations); with ``b > 0`` each neuron's own
rate is solved for by bisection (the right side falls with :math:`\nu_i`). The
exponential spike onset (``delta_T > 0``) is replaced by a hard threshold at
``v_thresh`` (flagged by the caller).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from twin.population import Population
from twin.theory.errors import NotDescribableError
from twin.theory.siegert import siegert_rate

__all__ = [
    "BISECTIONS",
    "Drive",
    "EffectiveInput",
    "Neurons",
    "effective_input",
    "neuron_rates",
]

#: Bisection steps of a neuron's own rate under spike-triggered adaptation.
BISECTIONS: Final = 48
_MS: Final = 1e-3  # Hz x ms -> 1
_FIELDS: Final = (
    "cm", "tau_m", "tau_refrac", "v_rest", "v_reset", "v_thresh", "e_rev_E",
    "e_rev_I", "tau_syn_E", "tau_syn_I", "i_offset", "a", "b", "tau_w", "delta_T",
)  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)
class Neurons:
    """Per-neuron parameters of one population (PyNN names and units), ``(N,)`` each.

    ``a`` (nS), ``b`` (nA), ``tau_w`` (ms) and ``delta_T`` (mV) are 0 for
    ``IF_cond_exp`` (``tau_w`` 1, unused).
    """

    cm: np.ndarray
    tau_m: np.ndarray
    tau_refrac: np.ndarray
    v_rest: np.ndarray
    v_reset: np.ndarray
    v_thresh: np.ndarray
    e_rev_E: np.ndarray
    e_rev_I: np.ndarray
    tau_syn_E: np.ndarray
    tau_syn_I: np.ndarray
    i_offset: np.ndarray
    a: np.ndarray
    b: np.ndarray
    tau_w: np.ndarray
    delta_T: np.ndarray

    @classmethod
    def of(cls, population: Population) -> Neurons:
        """Return the parameters of a twin population.

        Raises
        ------
        NotDescribableError
            If a saturation conductance (``g_sat_E``/``g_sat_I``) is finite: the
            theory describes the standard, linear synaptic input.
        """
        params = population.parameters
        for key in ("g_sat_E", "g_sat_I"):
            if np.isfinite(params[key]).any():
                raise NotDescribableError(
                    f"population {population.name!r}: {key} is finite (saturating "
                    "synaptic input); the stationary theory describes linear "
                    f"conductances only: set {key} = inf"
                )
        zero = np.zeros(population.size)
        extra = {"a": zero, "b": zero, "tau_w": zero + 1.0, "delta_T": zero}
        return cls(
            **{k: np.asarray(params.get(k, extra.get(k)), float) for k in _FIELDS}
        )

    @property
    def size(self) -> int:
        """Number of neurons."""
        return int(self.cm.size)


@dataclass(frozen=True, slots=True, eq=False)
class Drive:
    """Per-neuron input sums ``A = sum w nu`` (µS Hz) and ``B = sum w^2 nu`` (µS² Hz).

    Shape ``(..., N, 2)``: receptor axis last (0 excitatory, 1 inhibitory).
    """

    first: np.ndarray
    second: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class EffectiveInput:
    """The effective LIF of each neuron, shape ``(..., N)`` each.

    Attributes
    ----------
    mu, sigma
        Mean free membrane potential and white-noise amplitude, mV.
    tau_eff
        Effective membrane time constant, ms.
    tau_s
        Variance-weighted synaptic time constant, ms.
    jump
        Largest mean PSP jump of the two receptors at ``mu``, mV (absolute).
    """

    mu: np.ndarray
    sigma: np.ndarray
    tau_eff: np.ndarray
    tau_s: np.ndarray
    jump: np.ndarray


def effective_input(
    neurons: Neurons, drive: Drive, own_rate: np.ndarray | float = 0.0
) -> EffectiveInput:
    """Return each neuron's effective LIF for its input and its own rate (Hz).

    Parameters
    ----------
    neurons
        The population's parameters.
    drive
        Its per-neuron input sums, shape ``(..., N, 2)``.
    own_rate
        Each neuron's own rate, Hz (spike-triggered adaptation), ``(..., N)``.

    Returns
    -------
    EffectiveInput
        Moments, time constants and PSP size per neuron.
    """
    moments = _moments(neurons, drive, own_rate)
    weight = _mean_weight(drive)
    jump = np.maximum(
        np.abs(moments.charge_E) * weight[..., 0],
        np.abs(moments.charge_I) * weight[..., 1],
    )
    return EffectiveInput(
        moments.mu, moments.sigma, moments.tau_eff, moments.tau_s, jump
    )


@dataclass(frozen=True, slots=True, eq=False)
class _Moments:
    """:class:`EffectiveInput` without the PSP size, with the charges.

    ``charge_E``, ``charge_I``: each receptor's charge per µS at ``mu`` (mV / µS);
    every field ``(..., N)``.
    """

    mu: np.ndarray
    sigma: np.ndarray
    tau_eff: np.ndarray
    tau_s: np.ndarray
    charge_E: np.ndarray
    charge_I: np.ndarray


def _moments(n: Neurons, drive: Drive, own_rate: np.ndarray | float) -> _Moments:
    """Return the effective LIF's moments (the module docstring's formulas).

    The two receptors are written out (the rate's inner loop: reductions over a
    trailing axis of 2 cost more than the arithmetic).
    """
    g_e = drive.first[..., 0] * n.tau_syn_E * _MS  # µS
    g_i = drive.first[..., 1] * n.tau_syn_I * _MS
    g_leak = n.cm / n.tau_m
    g_tot = g_leak + (g_e + g_i)
    a = n.a * _MS  # nS -> µS
    current = n.i_offset - n.b * n.tau_w * np.asarray(own_rate) * _MS  # nA
    synaptic = g_e * n.e_rev_E + g_i * n.e_rev_I
    mu = (g_leak * n.v_rest + synaptic + a * n.v_rest + current) / (g_tot + a)
    tau_eff = n.cm / g_tot
    charge_e = (n.e_rev_E - mu) * n.tau_syn_E / n.cm  # mV per µS
    charge_i = (n.e_rev_I - mu) * n.tau_syn_I / n.cm
    var_e = drive.second[..., 0] * charge_e**2 * _MS  # mV² / ms
    var_i = drive.second[..., 1] * charge_i**2 * _MS
    total = var_e + var_i
    safe = np.where(total > 0, total, 1.0)
    tau_s = (var_e / safe) * n.tau_syn_E + (var_i / safe) * n.tau_syn_I  # 0: no input
    sigma = np.sqrt(tau_eff * total)
    return _Moments(mu, sigma, tau_eff, tau_s, charge_e, charge_i)


def _mean_weight(drive: Drive) -> np.ndarray:
    """Rate-weighted mean weight of each receptor, ``B / A`` (µS; 0 without input)."""
    safe = np.where(drive.first > 0, drive.first, 1.0)
    return np.where(drive.first > 0, drive.second / safe, 0.0)


def _rate(neurons: Neurons, drive: Drive, own_rate: np.ndarray | float) -> np.ndarray:
    eff = _moments(neurons, drive, own_rate)
    return siegert_rate(
        eff.mu,
        eff.sigma,
        tau_m=eff.tau_eff,
        tau_ref=neurons.tau_refrac,
        theta=neurons.v_thresh,
        v_reset=neurons.v_reset,
        tau_s=eff.tau_s,
    )


def neuron_rates(neurons: Neurons, drive: Drive) -> np.ndarray:
    r"""Return each neuron's stationary rate, Hz, shape ``(..., N)``.

    Without spike-triggered adaptation (``b = 0``) one Siegert evaluation; with it,
    the rate :math:`\nu_i = \phi_i(\nu_i)` by bisection on ``[0, phi_i(0)]``
    (:data:`BISECTIONS` steps; :math:`\phi_i` falls as :math:`\nu_i` grows).
    """
    free = _rate(neurons, drive, 0.0)
    if not np.any(neurons.b > 0):
        return free
    lo, hi = np.zeros_like(free), free
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        above = _rate(neurons, drive, mid) > mid
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.asarray(0.5 * (lo + hi))
