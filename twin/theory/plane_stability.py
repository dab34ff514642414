r"""Linear stability of a conductance network's stationary states, a batch at once.

Each population enters :func:`twin.theory.stability.lif_stability` as its effective
LIF at the fixed point (:func:`twin.theory.conductance.effective_input`: ``mu``,
``sigma``, ``tau_m = tau_eff``, ``tau_s``; threshold, reset and refractory period
as given). A population of several distinct neurons is represented by the
share-weighted mean of these quantities (exact for a population of identical
neurons; for a heterogeneous one the linear response of the mean neuron stands for
the mean of the responses, an approximation). The couplings
:math:`\partial\mu_k/\partial\nu_l` and :math:`\partial\sigma_k^2/\partial\nu_l` are
central differences of the population means, each neuron's own rate (adaptation)
held; the modulation of ``tau_eff`` by the rates is neglected (as
:func:`~twin.theory.stability.lif_stability` says). Delays: the mean synaptic delay
of the projections from ``l`` onto ``k``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from twin.network import Network
from twin.theory.conductance import EffectiveInput, effective_input, neuron_rates
from twin.theory.connectivity import Scales
from twin.theory.plane_groups import NeuronGroup
from twin.theory.stability import lif_stability

__all__ = ["LinearStability", "mean_delays", "stability_over"]

#: Relative step of the coupling derivatives (times ``max(1, nu)`` Hz).
_STEP: Final = 1e-4


@dataclass(frozen=True, slots=True)
class LinearStability:
    """The linear stability of one point's stationary state.

    Attributes
    ----------
    unstable
        A root of the characteristic equation in the right half plane.
    frequency_hz
        Frequency of the leading unstable mode, Hz (0: a rate instability; NaN
        where stable).
    growth_per_s
        Its growth rate, 1/s (NaN where stable or not refined).
    resolved
        Whether the root count is backed by the tail check
        (:attr:`twin.theory.stability.Stability.resolved`).
    """

    unstable: bool
    frequency_hz: float
    growth_per_s: float
    resolved: bool

    @property
    def oscillatory(self) -> bool:
        """Unstable through an oscillating mode (``frequency_hz > 0``)."""
        return self.unstable and bool(np.nan_to_num(self.frequency_hz) > 0)


def mean_delays(network: Network, names: Sequence[str]) -> np.ndarray:
    """Return ``D[k, l]``, the mean delay (ms) of the synapses from ``l`` onto ``k``.

    Pairs without synapses get 0 (their coupling is 0).
    """
    index = {k: i for i, k in enumerate(names)}
    total = np.zeros((len(names), len(names)))
    count = np.zeros_like(total)
    for proj in network.projections:
        if proj.pre in index and proj.post in index:
            at = index[proj.post], index[proj.pre]
            total[at] += float(np.sum(proj.delay))
            count[at] += proj.delay.size
    return np.asarray(np.where(count > 0, total / np.maximum(count, 1), 0.0))


def _mean(group: NeuronGroup, values: np.ndarray) -> np.ndarray:
    return np.asarray((values * group.share).sum(-1))


def _moments(
    group: NeuronGroup, rates: np.ndarray, scales: Scales, own: np.ndarray
) -> EffectiveInput:
    return effective_input(group.cells, group.inputs.drive_over(rates, scales), own)


def stability_over(
    groups: Mapping[str, NeuronGroup],
    names: Sequence[str],
    rates: np.ndarray,
    scales: Scales,
    delays: np.ndarray,
) -> list[LinearStability | None]:
    """Return the linear stability of a batch of fixed points.

    Parameters
    ----------
    groups
        Population name -> its neurons.
    names
        The ``n`` populations, in the order of ``rates``.
    rates
        The fixed points, Hz, ``(P, n)`` (finite).
    scales
        The variants, shape ``(P,)``.
    delays
        ``D[k, l]``, ms (:func:`mean_delays`).

    Returns
    -------
    list of LinearStability or None
        One per point; ``None`` where the analysis skipped it (no noise: the
        diffusion approximation's response does not apply).
    """
    n = len(names)
    mu, sigma, tau_eff, tau_s = (np.zeros(rates.shape) for _ in range(4))
    dmu, dvar = np.zeros((*rates.shape, n)), np.zeros((*rates.shape, n))
    fixed = {}
    for k, name in enumerate(names):
        group = groups[name]
        own = neuron_rates(group.cells, group.inputs.drive_over(rates, scales))
        eff = _moments(group, rates, scales, own)
        mu[:, k], tau_eff[:, k] = _mean(group, eff.mu), _mean(group, eff.tau_eff)
        sigma[:, k], tau_s[:, k] = _mean(group, eff.sigma), _mean(group, eff.tau_s)
        for col in range(n):
            step = _STEP * np.maximum(1.0, rates[:, col])
            hi, lo = rates.copy(), rates.copy()
            hi[:, col] += step
            lo[:, col] = np.maximum(lo[:, col] - step, 0.0)
            up, down = (_moments(group, x, scales, own) for x in (hi, lo))
            width = hi[:, col] - lo[:, col]
            dmu[:, k, col] = _mean(group, up.mu - down.mu) / width
            dvar[:, k, col] = _mean(group, up.sigma**2 - down.sigma**2) / width
        fixed[name] = {
            f: _mean(group, getattr(group.cells, f))
            for f in ("tau_refrac", "v_thresh", "v_reset")
        }
    per_pop = {
        f: np.array([fixed[name][f] for name in names])
        for f in ("tau_refrac", "v_thresh", "v_reset")
    }
    result = lif_stability(
        mu,
        sigma,
        tau_m=tau_eff,
        tau_ref=per_pop["tau_refrac"],
        theta=per_pop["v_thresh"],
        v_reset=per_pop["v_reset"],
        tau_s=tau_s,
        dmu_drate=dmu,
        dsigma2_drate=dvar,
        delay_ms=delays,
    )
    return [
        None if k < 0 else LinearStability(bool(k > 0), float(f), float(g), bool(r))
        for k, f, g, r in zip(
            result.roots,
            result.frequency_hz,
            result.growth_per_s,
            result.resolved,
            strict=True,
        )
    ]
