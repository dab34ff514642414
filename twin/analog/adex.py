"""The neuron kernel: one time step of AdEx / LIF with exponential or alpha synapses.

Scheme. Within a step the synaptic conductances evolve exactly, ``g(t) = g0
exp(-t / tau)`` (alpha: ``g(t) = exp(-t / tau) (g0 + dg0 t)``; an arriving weight ``w``
adds ``w e / tau`` to ``dg``, as NEST), and the membrane potential and adaptation
current are
integrated with the classical 4th-order Runge-Kutta method using those exact
conductances at the stage times. With dt = 0.1 ms and time constants of milliseconds the
local error is far below NEST's RKF45 tolerance, and the method is 4th order in dt
(tested). Why not exponential Euler: it is first order in the conductance coupling and
put low-rate Brunel points 25-30 % above NEST at 0.1 ms.

Stiff input. Fixed-step RK4 diverges once ``dt (g_L + g_E + g_I) / C_m`` exceeds
~2.79 (its stability bound on the negative real axis), where NEST's adaptive RKF45
takes smaller steps. A neuron whose stiffness ``s = dt (g_L + g_E + g_I) / C_m`` at the
step's start exceeds :data:`RK4_STIFFNESS` is integrated in ``ceil(s / RK4_STIFFNESS)``
equal sub-steps (at most :data:`MAX_SUBSTEPS`), each with exact conductance decay; a
sub-step that is still beyond RK4's stability (``s / MAX_SUBSTEPS > 2.5``, i.e.
``s > 160``: conductances above ~1.6 mS per nF at dt = 0.1 ms) is an
exponential-Euler step with the conductances of its midpoint, which is L-stable and
tends to the quasi-static potential the membrane is then clamped to. A step in which
no neuron is stiff runs the single RK4 step unchanged (``lax.cond``), so ordinary
networks pay one comparison per step.

Order of operations per step, as NEST's ``iaf_cond_exp`` / ``aeif_cond_exp``:
conductance jumps of events arriving at the step's start are already in ``g``;
integrate; then if refractory count > 0: decrement and clamp V to v_reset; else if
V >= threshold: spike, V = v_reset, w += b, start the refractory count. During the
refractory period the right-hand side sees V = v_reset (as NEST's aeif models).

Synaptic input saturation: the membrane sees ``g_sat tanh(g / g_sat)`` instead of ``g``
(:mod:`twin.analog.saturation`); with the default ``g_sat = inf`` this is exactly ``g``.

The exponential term is bounded (its exponent is clipped at 20, as NEST bounds V in its
aeif models) so it cannot overflow before the spike is detected.

References
----------
Brette, R. & Gerstner, W. (2005). Adaptive exponential integrate-and-fire model as an
effective description of neuronal activity. J Neurophysiol 94, 3637-3642.
Hairer, E. & Wanner, G. (1996). Solving Ordinary Differential Equations II, §IV.2
(stability function of explicit Runge-Kutta methods).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, NamedTuple

import jax.numpy as jnp
from jax import Array, lax

from twin.analog.params import NeuronParams
from twin.analog.saturation import saturate

__all__ = [
    "MAX_SUBSTEPS",
    "RK4_STIFFNESS",
    "NeuronState",
    "adex_rhs",
    "adex_step",
    "adex_step_with",
    "initial_state",
]

_EXP_CAP = 20.0  # bound on (V - V_T) / delta_T inside exp()

#: Largest stiffness dt (g_L + g_E + g_I) / C_m one RK4 step takes (RK4's amplification
#: at 0.5 is within 0.05 % of exp(-0.5)); stiffer neurons are sub-stepped.
RK4_STIFFNESS: Final = 0.5

#: Most sub-steps per step (so a stiff step costs at most this many RK4 steps).
MAX_SUBSTEPS: Final = 64

#: Sub-steps stiffer than this use exponential Euler (RK4 is unstable beyond ~2.785).
_RK4_STABLE: Final = 2.5

_Rhs = Callable[[Array, Array, Array, Array], tuple[Array, Array]]


class NeuronState(NamedTuple):
    """Dynamic state of every neuron (each leaf shape ``(n,)``).

    Current-based neurons (:mod:`twin.analog.psc`) keep their synaptic currents (nA)
    in ``g_e``/``g_i`` and, with alpha currents, their derivatives (nA/ms) in
    ``dg_e``/``dg_i``; those two have shape ``(0,)`` in a network without alpha
    synapses.
    """

    v: Array  # membrane potential, mV
    w: Array  # adaptation current, nA
    g_e: Array  # excitatory conductance, µS (current-based cells: current, nA)
    g_i: Array  # inhibitory conductance, µS (current-based cells: current, nA)
    refrac: Array  # remaining refractory steps (int32)
    dg_e: Array  # alpha synapses: derivative of g_e (per ms); else shape (0,)
    dg_i: Array  # alpha synapses: derivative of g_i (per ms); else shape (0,)


def initial_state(
    params: NeuronParams,
    v0: Array | float | None = None,
    w0: Array | float = 0.0,
    alpha: bool = False,
) -> NeuronState:
    """Return the state at rest (or at ``v0``, mV; ``w0``, nA), no synaptic input.

    ``alpha``: the network has alpha synapses (``dg_e``/``dg_i`` of shape ``(n,)``).
    """
    zeros = jnp.zeros_like(params.v_rest)
    v = (
        params.v_rest
        if v0 is None
        else jnp.broadcast_to(jnp.asarray(v0, zeros.dtype), zeros.shape)
    )
    w = jnp.broadcast_to(jnp.asarray(w0, zeros.dtype), zeros.shape)
    derivative = zeros if alpha else zeros[..., :0]
    return NeuronState(
        v=v,
        w=w,
        g_e=zeros,
        g_i=zeros,
        refrac=jnp.zeros_like(params.refrac_steps),
        dg_e=derivative,
        dg_i=derivative,
    )


def adex_rhs(
    v: Array,
    w: Array,
    g_e: Array,
    g_i: Array,
    p: NeuronParams,
    exponential: bool = True,
    saturating: bool = True,
) -> tuple[Array, Array]:
    """Return dV/dt (mV/ms) and dw/dt (nA/ms) of the AdEx equations.

    ``exponential=False`` drops the exponential term (exact when every delta_T is 0,
    and saves the transcendental evaluations of LIF-only networks);
    ``saturating=False`` skips the saturation (exact when every g_sat is inf).
    """
    if saturating:
        g_e, g_i = saturate(g_e, p.g_sat_e), saturate(g_i, p.g_sat_i)
    spike_current: Array | float = 0.0
    if exponential:
        safe_dt = jnp.where(p.delta_t > 0, p.delta_t, 1.0)
        arg = jnp.minimum((v - p.v_thresh) / safe_dt, _EXP_CAP)
        spike_current = jnp.where(
            p.delta_t > 0, p.g_leak * p.delta_t * jnp.exp(arg), 0.0
        )
    i_total = (
        -p.g_leak * (v - p.v_rest)
        + spike_current
        - g_e * (v - p.e_rev_e)
        - g_i * (v - p.e_rev_i)
        - w
        + p.i_offset
    )
    return i_total / p.cm, (p.a * (v - p.v_rest) - w) / p.tau_w


def adex_step(
    state: NeuronState, p: NeuronParams, dt: float
) -> tuple[NeuronState, Array]:
    """Advance every neuron by one step; return the new state and the spike mask."""
    decay_e = jnp.exp(-dt / (2 * p.tau_syn_e))
    decay_i = jnp.exp(-dt / (2 * p.tau_syn_i))
    return adex_step_with(
        state, p, dt, decay_e, decay_i, exponential=True, saturating=True
    )


def adex_step_with(
    state: NeuronState,
    p: NeuronParams,
    dt: float,
    decay_e: Array,
    decay_i: Array,
    exponential: bool,
    saturating: bool = False,
    alpha: bool = False,
) -> tuple[NeuronState, Array]:
    """Advance by one step with precomputed half-step decays ``exp(-dt / 2 tau)``.

    Neurons with stiff input are sub-stepped (module docstring); every other neuron
    takes one RK4 step. ``alpha`` (static): the conductances are alpha-shaped,
    ``g(t) = exp(-t/tau) (g0 + dg0 t)`` with ``dg(t) = dg0 exp(-t/tau)``, evaluated
    exactly at the stage times (``dg = 0``: the exponential decay, so neurons with
    exponential conductances may share the step).
    """
    refractory = state.refrac > 0

    def f(v: Array, w: Array, g_e: Array, g_i: Array) -> tuple[Array, Array]:
        return adex_rhs(
            jnp.where(refractory, p.v_reset, v),
            w,
            g_e,
            g_i,
            p,
            exponential,
            saturating,
        )

    if alpha:  # g(t) <= g0 + dg0 t within the step
        g_top = state.g_e + dt * state.dg_e + state.g_i + dt * state.dg_i
        stiffness = dt * (p.g_leak + g_top) / p.cm
    else:
        stiffness = dt * (p.g_leak + state.g_e + state.g_i) / p.cm
    g = _Syn(state.g_e, state.g_i, state.dg_e, state.dg_i)

    def single(_: None) -> tuple[Array, Array]:
        stages = _stages(g, dt, decay_e, decay_i, alpha)
        return _rk4(f, state.v, state.w, stages, dt)

    def split(_: None) -> tuple[Array, Array]:
        return _substeps(
            f, state, p, dt, stiffness, refractory, exponential, saturating, alpha
        )

    v, w = lax.cond(jnp.all(stiffness <= RK4_STIFFNESS), single, split, None)
    spike = ~refractory & (v >= p.v_spike)
    v = jnp.where(refractory | spike, p.v_reset, v)
    w = jnp.where(spike, w + p.b, w)
    refrac = jnp.where(
        refractory, state.refrac - 1, jnp.where(spike, p.refrac_steps, 0)
    )
    new = _advanced(
        g, dt, decay_e * decay_e, decay_i * decay_i, alpha, decay_e, decay_i
    )
    return state._replace(
        v=v, w=w, g_e=new.g_e, g_i=new.g_i, dg_e=new.dg_e, dg_i=new.dg_i, refrac=refrac
    ), spike


class _Syn(NamedTuple):
    """Synaptic conductances and (alpha) their derivatives."""

    g_e: Array
    g_i: Array
    dg_e: Array
    dg_i: Array


def _advanced(
    g: _Syn,
    h: Array | float,
    full_e: Array,
    full_i: Array,
    alpha: bool,
    half_e: Array | None = None,
    half_i: Array | None = None,
) -> _Syn:
    """Return the conductances after ``h`` (``full = exp(-h/tau)``).

    Exponential: ``g half half`` when the half-step decays are given (the step's
    historical rounding), else ``g full``. Alpha: ``full (g + dg h)``, ``dg full``.
    """
    if alpha:
        return _Syn(
            full_e * (g.g_e + g.dg_e * h),
            full_i * (g.g_i + g.dg_i * h),
            g.dg_e * full_e,
            g.dg_i * full_i,
        )
    if half_e is not None and half_i is not None:
        return g._replace(g_e=g.g_e * half_e * half_e, g_i=g.g_i * half_i * half_i)
    return g._replace(g_e=g.g_e * full_e, g_i=g.g_i * full_i)


def _stages(
    g: _Syn, h: Array | float, decay_e: Array, decay_i: Array, alpha: bool
) -> tuple[tuple[Array, Array], ...]:
    """Return (g_e, g_i) at 0, h/2 and h of a step (``decay = exp(-h / 2 tau)``)."""
    if alpha:
        return (
            (g.g_e, g.g_i),
            (
                decay_e * (g.g_e + g.dg_e * (0.5 * h)),
                decay_i * (g.g_i + g.dg_i * (0.5 * h)),
            ),
            (
                decay_e * decay_e * (g.g_e + g.dg_e * h),
                decay_i * decay_i * (g.g_i + g.dg_i * h),
            ),
        )
    ge_half, gi_half = g.g_e * decay_e, g.g_i * decay_i
    return ((g.g_e, g.g_i), (ge_half, gi_half), (ge_half * decay_e, gi_half * decay_i))


def _rk4(
    f: _Rhs,
    v0: Array,
    w0: Array,
    stages: tuple[tuple[Array, Array], ...],
    h: Array | float,
) -> tuple[Array, Array]:
    """One classical RK4 step of length ``h`` with the exact conductances ``stages``."""
    (ge0, gi0), (ge_half, gi_half), (ge_end, gi_end) = stages
    k1v, k1w = f(v0, w0, ge0, gi0)
    k2v, k2w = f(v0 + 0.5 * h * k1v, w0 + 0.5 * h * k1w, ge_half, gi_half)
    k3v, k3w = f(v0 + 0.5 * h * k2v, w0 + 0.5 * h * k2w, ge_half, gi_half)
    k4v, k4w = f(v0 + h * k3v, w0 + h * k3w, ge_end, gi_end)
    v = v0 + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
    w = w0 + h / 6 * (k1w + 2 * k2w + 2 * k3w + k4w)
    return v, w


def _exp_euler(
    v0: Array,
    w0: Array,
    g_e: Array,
    g_i: Array,
    h: Array,
    p: NeuronParams,
    refractory: Array,
    exponential: bool,
    saturating: bool,
) -> tuple[Array, Array]:
    """One exponential-Euler step with the given (midpoint) conductances: L-stable.

    V relaxes exactly towards ``mu / lam`` of the frozen linear equation
    ``dV/dt = mu - lam V``; w relaxes towards ``a (V - v_rest)``.
    """
    if saturating:
        g_e, g_i = saturate(g_e, p.g_sat_e), saturate(g_i, p.g_sat_i)
    v_eff = jnp.where(refractory, p.v_reset, v0)
    drive = p.g_leak * p.v_rest + g_e * p.e_rev_e + g_i * p.e_rev_i + p.i_offset - w0
    if exponential:
        safe_dt = jnp.where(p.delta_t > 0, p.delta_t, 1.0)
        arg = jnp.minimum((v_eff - p.v_thresh) / safe_dt, _EXP_CAP)
        drive = drive + jnp.where(
            p.delta_t > 0, p.g_leak * p.delta_t * jnp.exp(arg), 0.0
        )
    lam = (p.g_leak + g_e + g_i) / p.cm
    v_inf = drive / (lam * p.cm)
    v = v_inf + (v0 - v_inf) * jnp.exp(-lam * h)
    w_inf = p.a * (v_eff - p.v_rest)
    w = w_inf + (w0 - w_inf) * jnp.exp(-h / p.tau_w)
    return v, w


def _substeps(
    f: _Rhs,
    state: NeuronState,
    p: NeuronParams,
    dt: float,
    stiffness: Array,
    refractory: Array,
    exponential: bool,
    saturating: bool,
    alpha: bool = False,
) -> tuple[Array, Array]:
    """Integrate one step in per-neuron sub-steps (module docstring)."""
    n = jnp.ceil(stiffness / RK4_STIFFNESS)
    n = jnp.where(jnp.isfinite(n), jnp.clip(n, 1, MAX_SUBSTEPS), 1)
    h = dt / n
    decay_e = jnp.exp(-h / (2 * p.tau_syn_e))
    decay_i = jnp.exp(-h / (2 * p.tau_syn_i))
    stiff = stiffness / n > _RK4_STABLE

    def body(k: Array, carry: tuple[Array, ...]) -> tuple[Array, ...]:
        v, w, *syn = carry
        g = _Syn(*syn)
        stages = _stages(g, h, decay_e, decay_i, alpha)
        rv, rw = _rk4(f, v, w, stages, h)
        (mid_e, mid_i) = stages[1]
        ev, ew = _exp_euler(
            v, w, mid_e, mid_i, h, p, refractory, exponential, saturating
        )
        active = k < n
        v_new = jnp.where(active, jnp.where(stiff, ev, rv), v)
        w_new = jnp.where(active, jnp.where(stiff, ew, rw), w)
        if alpha:
            after = _advanced(g, h, decay_e * decay_e, decay_i * decay_i, True)
            new = tuple(jnp.where(active, a, b) for a, b in zip(after, g, strict=True))
            return (v_new, w_new, *new)
        decay2_e = jnp.where(active, decay_e * decay_e, 1.0)
        decay2_i = jnp.where(active, decay_i * decay_i, 1.0)
        return v_new, w_new, g.g_e * decay2_e, g.g_i * decay2_i, g.dg_e, g.dg_i

    carry = (state.v, state.w, state.g_e, state.g_i, state.dg_e, state.dg_i)
    v, w, *_ = lax.fori_loop(0, jnp.max(n).astype(jnp.int32), body, carry)
    return v, w
