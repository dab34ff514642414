r"""Exact propagators of the current-based LIF neurons, as NEST computes them.

Between two grid points the subthreshold dynamics of ``iaf_psc_exp`` and
``iaf_psc_alpha`` are linear with constant coefficients,

.. math::

    \tau_m \dot V = -V + \tau_m (I_{syn} + I_0) / C_m, \qquad
    \tau_s \dot I_{syn} = -I_{syn} \;(\text{exp}), \qquad
    \dot I_{syn} = dI - I_{syn}/\tau_s,\; \dot{dI} = -dI/\tau_s \;(\text{alpha}),

with ``V`` relative to ``v_rest``, so one step of length ``h`` is a matrix product
(Rotter & Diesmann 1999): the matrix exponential of the system's matrix times ``h``.
:func:`propagators` returns its entries per neuron in float64 with NEST's own formulas
(NEST 3.10, ``libnestutil/iaf_propagator.cpp``, ``IAFPropagator::evaluate_P32_``,
``IAFPropagatorAlpha::evaluate``; ``models/iaf_psc_exp.cpp`` and
``models/iaf_psc_alpha.cpp``, ``pre_run_hook``), including NEST's treatment of the
singular case ``tau_m == tau_syn`` (and its numerical neighbourhood), so the twin's
steps are NEST's steps to the last bits.

Units: PyNN's (ms, nF, nA, mV): NEST's pF and pA scale numerator and denominator
alike, so the propagators (mV per nA) are the same numbers.

References
----------
Rotter, S. & Diesmann, M. (1999). Exact digital simulation of time-invariant linear
systems with applications to neuronal modeling. Biol Cybern 81, 381-402.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["PscPropagators", "p_current_to_v", "p_didt_to_v", "propagators"]

#: NEST's IAFPropagator::NUMERICAL_STABILITY_FACTOR_: the regular P31 needs
#: ``h > 1e-7 tau_m^2 / |tau_m - tau_syn|``.
_STABILITY_FACTOR = 1e-7


class PscPropagators(NamedTuple):
    """One step's propagators per neuron, float64 arrays of shape ``(n,)``.

    ``v_v`` (``exp(-h/tau_m)``) and ``v_v_m1`` (``expm1(-h/tau_m)``) map V to V
    (exponential and alpha cells use one each, as NEST); ``v_i0`` maps the constant
    current (nA) to V (mV); ``v_ie``/``v_ii`` the synaptic currents (nA) and
    ``v_de``/``v_di`` their derivatives (nA/ms; alpha only) to V; ``i_i`` =
    ``exp(-h/tau_syn)`` the currents and derivatives to themselves, ``i_d`` = ``h
    exp(-h/tau_syn)`` the derivative to the current (alpha).
    """

    v_v: np.ndarray
    v_v_m1: np.ndarray
    v_i0: np.ndarray
    v_ie: np.ndarray
    v_ii: np.ndarray
    v_de: np.ndarray
    v_di: np.ndarray
    i_ie: np.ndarray
    i_ii: np.ndarray
    i_de: np.ndarray
    i_di: np.ndarray


def p_current_to_v(
    tau_syn: np.ndarray, tau_m: np.ndarray, c_m: np.ndarray, h: float
) -> np.ndarray:
    """Return the propagator from the synaptic current to V, mV/nA (NEST's P32).

    ``gamma exp(-h/tau_syn) expm1(h/beta)`` with ``beta = tau_syn tau_m / (tau_m -
    tau_syn)``, ``gamma = beta / c_m``; where that is not a positive normal number
    (``tau_m == tau_syn``: inf times 0, or lost to rounding near it), its limit
    ``h / c_m exp(-h/tau_m)`` (``IAFPropagator::evaluate_P32_``).

    Parameters
    ----------
    tau_syn, tau_m
        Synaptic and membrane time constants, ms, shape ``(n,)``.
    c_m
        Membrane capacitance, nF, shape ``(n,)``.
    h
        Step, ms.
    """
    tau_syn, tau_m, c_m = (np.asarray(x, np.float64) for x in (tau_syn, tau_m, c_m))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        beta = tau_syn * tau_m / (tau_m - tau_syn)
        gamma = beta / c_m
        inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m)
        p32 = gamma * np.exp(-h * (1 / tau_syn)) * np.expm1(h * inv_beta)
    regular = np.isfinite(p32) & (np.abs(p32) >= np.finfo(np.float64).tiny) & (p32 > 0)
    singular = h * (1 / c_m) * np.exp(-h * (1 / tau_m))
    return np.where(regular, p32, singular)


def p_didt_to_v(
    tau_syn: np.ndarray, tau_m: np.ndarray, c_m: np.ndarray, h: float
) -> np.ndarray:
    """Return the propagator from dI/dt to V of an alpha current, mV ms/nA (NEST's P31).

    ``gamma exp(-h/tau_syn) (beta expm1(h/beta) - h)`` where ``h > 1e-7 tau_m^2 /
    |tau_m - tau_syn|``, else its limit ``h^2 / (2 c_m) exp(-h/tau_m)``
    (``IAFPropagatorAlpha::evaluate``). Arguments as :func:`p_current_to_v`.
    """
    tau_syn, tau_m, c_m = (np.asarray(x, np.float64) for x in (tau_syn, tau_m, c_m))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        h_min = _STABILITY_FACTOR * tau_m * tau_m / np.abs(tau_m - tau_syn)
        beta = tau_syn * tau_m / (tau_m - tau_syn)
        gamma = beta / c_m
        inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m)
        p31 = gamma * np.exp(-h * (1 / tau_syn)) * (beta * np.expm1(h * inv_beta) - h)
    singular = 0.5 * h * h * (1 / c_m) * np.exp(-h * (1 / tau_m))
    return np.where(h > h_min, p31, singular)


def propagators(
    tau_m: np.ndarray,
    c_m: np.ndarray,
    tau_syn_e: np.ndarray,
    tau_syn_i: np.ndarray,
    alpha: np.ndarray,
    h: float,
) -> PscPropagators:
    """Return the propagators of one step ``h`` for every neuron, float64.

    Parameters
    ----------
    tau_m, c_m
        Membrane time constant (ms) and capacitance (nF), shape ``(n,)``.
    tau_syn_e, tau_syn_i
        Synaptic time constants, ms, shape ``(n,)``.
    alpha
        Bool, shape ``(n,)``: the neuron has alpha currents (``iaf_psc_alpha``),
        else exponential ones (``iaf_psc_exp``); it picks the form of the constant
        current's propagator and whether the derivative propagators are set (0 for
        exponential currents).
    h
        Step, ms.

    Returns
    -------
    PscPropagators
        NEST's ``P22``/``expm1_tau_m``, ``P20``/``P30``, ``P21``/``P32`` (ex, in),
        ``P31`` (ex, in), ``P11`` (ex, in) and ``P21`` of the alpha current (ex, in).

    Examples
    --------
    >>> p = propagators(*np.array([[10.0], [0.25], [2.0], [2.0]]), np.array([False]),
    ...                 0.1)
    >>> bool(np.isclose(p.v_v[0], np.exp(-0.01)))
    True
    """
    tau_m, c_m = np.asarray(tau_m, np.float64), np.asarray(c_m, np.float64)
    alpha = np.asarray(alpha, bool)
    v_v = np.exp(-h / tau_m)
    v_v_m1 = np.expm1(-h / tau_m)
    i0_exp = tau_m / c_m * (1.0 - v_v)  # iaf_psc_exp: P20
    i0_alpha = -tau_m / c_m * np.expm1(-h / tau_m)  # iaf_psc_alpha: P30
    i_ie, i_ii = np.exp(-h / np.asarray(tau_syn_e)), np.exp(-h / np.asarray(tau_syn_i))
    zero = np.zeros_like(v_v)
    return PscPropagators(
        v_v=v_v,
        v_v_m1=v_v_m1,
        v_i0=np.where(alpha, i0_alpha, i0_exp),
        v_ie=p_current_to_v(tau_syn_e, tau_m, c_m, h),
        v_ii=p_current_to_v(tau_syn_i, tau_m, c_m, h),
        v_de=np.where(alpha, p_didt_to_v(tau_syn_e, tau_m, c_m, h), zero),
        v_di=np.where(alpha, p_didt_to_v(tau_syn_i, tau_m, c_m, h), zero),
        i_ie=i_ie,
        i_ii=i_ii,
        i_de=np.where(alpha, h * i_ie, zero),
        i_di=np.where(alpha, h * i_ii, zero),
    )
