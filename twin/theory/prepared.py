r"""A set of neurons prepared for many evaluations of their rates.

The self-consistent solve evaluates the same neurons (a population's distinct
neurons, or its cubature's nodes) at thousands of operating points. Everything that
does not change with the operating point is computed once here: the input sums of
each receptor times the factors the moments need, stacked as one matrix, so that
the conductances and noise terms of every neuron at every point are one matrix
product,

.. math:: [\,\nu_1 \dots \nu_n,\ r\,] \cdot W =
          [\,g_E \mid g_I / g \mid \beta_E \mid \beta_I / g^2\,],

(``g``: the variant's inhibitory factor, ``r``: its Poisson-rate factor;
:math:`\beta_x = 10^{-3} B_x`, :math:`g_x = 10^{-3} A_x \tau_x`), and the
constant parts of the moments (leak conductance, resting current, the charges per
mV) are per-neuron vectors. The rate is then the effective LIF of
:mod:`twin.theory.conductance` with the Siegert formula's scaled bounds written
directly,

.. math:: y_\theta = \frac{\theta - \mu + h}{\sigma}, \qquad
          y_r = y_\theta - \frac{\theta - V_r}{\sigma}, \qquad
          h = \frac{\alpha}{2}\sqrt{\tau_E v_E + \tau_I v_I}

(:math:`v_x` each receptor's share of :math:`\sigma^2/\tau_\mathrm{eff}`;
:math:`h/\sigma` is the Fourcaud-Brunel shift
:math:`\frac{\alpha}{2}\sqrt{\tau_s/\tau_\mathrm{eff}}`), and
:func:`twin.theory.siegert.first_passage_rate`. The same formulas as
:func:`twin.theory.conductance.neuron_rates` in another order: equal to rounding
(``tests/theory/test_prepared.py``). The parameters are checked once, here, not at
every evaluation, and a large batch of points is evaluated in blocks of
:data:`BLOCK` neuron evaluations. Neurons with spike-triggered adaptation
(``b > 0``: a bisection per evaluation) go through
:func:`twin.theory.conductance.neuron_rates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from twin.theory.conductance import Neurons, neuron_rates
from twin.theory.connectivity import Inputs, Scales
from twin.theory.siegert import ALPHA, first_passage_rate, noiseless_rate
from twin.theory.validate import require

__all__ = ["BLOCK", "PreparedNeurons"]

_MS: Final = 1e-3  # Hz x ms -> 1
#: Neuron evaluations per block of points: the ~40 temporaries of a block stay in a
#: core's cache (about 2x faster than whole batches of 10^5 and more).
BLOCK: Final = 1 << 14


@dataclass(frozen=True, slots=True, eq=False)
class PreparedNeurons:
    """``M`` neurons and their input sums, arranged for repeated evaluation.

    Attributes
    ----------
    cells, inputs
        The neurons' parameters and input sums (as given).
    matrix
        ``(n_populations + 1, 4 M)``: population rates and the Poisson factor to
        the four blocks of the module docstring (µS; µS² / ms).
    g_leak, rest, a
        ``C_m / tau_m`` (µS), the resting current ``(g_L + a) E_L + I_offset``
        (nA) and ``a`` (µS), ``(M,)`` each.
    adapting
        Whether a neuron has spike-triggered adaptation (then the general path).
    """

    cells: Neurons
    inputs: Inputs
    matrix: np.ndarray
    g_leak: np.ndarray
    rest: np.ndarray
    a: np.ndarray
    adapting: bool

    @classmethod
    def of(cls, cells: Neurons, inputs: Inputs) -> PreparedNeurons:
        """Return the neurons ``cells`` with input sums ``inputs``, prepared.

        Raises
        ------
        TheoryInputError
            If a neuron has ``cm <= 0``, ``tau_m <= 0``, ``tau_refrac < 0``,
            ``v_reset >= v_thresh``, or a parameter is not finite.
        """
        require("cm (nF)", cells.cm, lambda x: x > 0, "> 0", "give cm > 0")
        require("tau_m (ms)", cells.tau_m, lambda x: x > 0, "> 0", "give tau_m > 0")
        require(
            "tau_ref (ms)", cells.tau_refrac, lambda x: x >= 0, ">= 0", "give t_ref"
        )
        require(
            "theta - v_reset (mV)",
            cells.v_thresh - cells.v_reset,
            lambda x: x > 0,
            "> 0",
            "give v_reset < theta",
        )
        first = np.concatenate([inputs.first, inputs.ext_first[:, None]], axis=1)
        second = np.concatenate([inputs.second, inputs.ext_second[:, None]], axis=1)
        blocks = (
            first[..., 0] * (cells.tau_syn_E * _MS)[:, None],
            first[..., 1] * (cells.tau_syn_I * _MS)[:, None],
            second[..., 0] * _MS,
            second[..., 1] * _MS,
        )  # each (M, n_populations + 1)
        matrix = np.ascontiguousarray(np.concatenate(blocks, axis=0).T)
        g_leak = cells.cm / cells.tau_m
        a = cells.a * _MS  # nS -> µS
        rest = (g_leak + a) * cells.v_rest + cells.i_offset
        return cls(cells, inputs, matrix, g_leak, rest, a, bool(np.any(cells.b > 0)))

    @property
    def size(self) -> int:
        """Number of neurons ``M``."""
        return self.cells.size

    def rates(self, rates: np.ndarray, scales: Scales) -> np.ndarray:
        """Return each neuron's stationary rate, Hz, ``(..., *scales.shape, M)``.

        Parameters
        ----------
        rates
            Population rates, Hz, ``(..., *scales.shape, n_populations)``.
        scales
            The variants' factors.

        Returns
        -------
        np.ndarray
            As :func:`twin.theory.conductance.neuron_rates` of the same neurons.
        """
        rates = np.asarray(rates, float)
        if self.adapting:
            return neuron_rates(self.cells, self.inputs.drive_over(rates, scales))
        lead = rates.shape[:-1]
        g = np.broadcast_to(scales.g_scale, lead).reshape(-1, 1)
        r = np.broadcast_to(scales.rate_scale, lead).reshape(-1, 1)
        x = np.concatenate([rates.reshape(-1, rates.shape[-1]), r], axis=1)
        out = np.empty((x.shape[0], self.size))
        step = max(1, BLOCK // self.size)
        for lo in range(0, x.shape[0], step):
            part = slice(lo, lo + step)
            out[part] = self._evaluate(x[part] @ self.matrix, g[part])
        return out.reshape(*lead, self.size)

    def _evaluate(self, sums: np.ndarray, g: np.ndarray) -> np.ndarray:
        """Return the rates ``(P, M)`` from the matrix product ``sums (P, 4M)``."""
        c, m = self.cells, self.size
        g_e = sums[:, :m]
        g_i = sums[:, m : 2 * m] * g
        g_tot = g_e + g_i
        g_tot += self.g_leak
        mu = g_e * c.e_rev_E
        mu += g_i * c.e_rev_I
        mu += self.rest
        mu /= g_tot + self.a
        tau_eff = c.cm / g_tot
        charge = (c.e_rev_E - mu) * (c.tau_syn_E / c.cm)
        var_e = sums[:, 2 * m : 3 * m] * (charge * charge)
        charge = (c.e_rev_I - mu) * (c.tau_syn_I / c.cm)
        var_i = sums[:, 3 * m :] * (g * g) * (charge * charge)
        shift = var_e * c.tau_syn_E
        shift += var_i * c.tau_syn_I
        np.sqrt(shift, out=shift)
        shift *= 0.5 * ALPHA  # h, mV (the shift times sigma)
        var_e += var_i
        var_e *= tau_eff
        sigma = np.sqrt(var_e, out=var_e)
        noisy = bool(np.all(sigma > 0))
        safe = sigma if noisy else np.where(sigma > 0, sigma, 1.0)
        y_th = c.v_thresh - mu
        y_th += shift
        y_th /= safe
        y_r = y_th - (c.v_thresh - c.v_reset) / safe
        rate = first_passage_rate(y_th, y_r, tau_eff, c.tau_refrac)
        if noisy:
            return rate
        still = noiseless_rate(
            mu, tau_m=tau_eff, tau_ref=c.tau_refrac, theta=c.v_thresh, v_reset=c.v_reset
        )
        return np.asarray(np.where(sigma > 0, rate, still))
