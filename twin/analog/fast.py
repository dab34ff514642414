"""The native block step on CPUs: when a run may use it, and exact arithmetic for it.

The pure-JAX step of :mod:`twin.analog.kernel` is the reference (and the path on
GPUs). On a CPU, a run whose network it covers advances each block of steps in one
call of the C++ handler (:mod:`twin.analog.native.step`), which computes the same
operations in the same order. Identical spikes also need identical rounding, which
XLA's fused multiply-adds would break: importing :mod:`twin` caps XLA's CPU
instruction set below FMA (:mod:`twin.cpu_arithmetic`). :func:`contracts` checks what
the running backend does; where it still contracts (another ISA cap, an ARM host, a
backend started before :mod:`twin` was imported) every run takes the reference step.

In a step where a neuron is stiff the reference takes RK4 sub-steps
(:mod:`twin.analog.adex`), and so does the handler. A sub-step beyond RK4's stability
is an exponential-Euler step in the reference, with an ``exp`` only XLA computes: the
handler counts the steps with one, and
:func:`~twin.analog.simulate.simulate_batch` then runs the reference instead, so the
spikes are always the reference's.
"""

from __future__ import annotations

import functools
from typing import Final

import jax
import numpy as np

from twin.analog.loop_types import Static
from twin.errors import ConfigError

__all__ = ["STEPS", "contracts", "eligible", "use_fast"]

#: ``SimConfig.step`` values: auto (native where it applies), native, jax.
STEPS: Final = ("auto", "native", "jax")

#: The synapse kinds the native block step covers.
_KINDS: Final = frozenset({"cond_exp", "curr_exp"})


@functools.cache
def contracts() -> bool:
    """Whether XLA's CPU backend fuses ``a * b + c`` into one rounding (FMA).

    Computes ``a * b + c`` for 256 float32 triples on the CPU backend, chosen so that
    one rounding and two differ for most of them, and compares with numpy (two
    roundings). Cached: the backend's flags do not change within a process.
    """
    rng = np.random.default_rng(0)
    a, b = rng.random((2, 256), dtype=np.float32) + np.float32(1)
    c = -(a * b) + rng.random(256, dtype=np.float32) * np.float32(1e-6)
    cpu = jax.devices("cpu")[0]
    fused = jax.jit(lambda x, y, z: x * y + z)(*jax.device_put((a, b, c), cpu))
    return not np.array_equal(np.asarray(fused), a * b + c)


def eligible(s: Static) -> str | None:
    """Return why the native block step cannot run a loop, or ``None`` if it can.

    Parameters
    ----------
    s
        The loop's settings: its synapse kinds, whether some neuron has an
        exponential term (AdEx, ``delta_T > 0``) or saturating inputs, some synapse
        short-term plasticity, how many rate-limit stages act on the spikes, whether
        some neuron receives a current stimulus and whether state is traced.

    Returns
    -------
    str or None
        The first reason found, for messages and tests.
    """
    reasons = (
        (not set(s.kinds) <= _KINDS, f"synapse kinds {s.kinds} (covered: exponential)"),
        (s.exponential, "an exponential (AdEx) term"),
        (s.saturating, "saturating synaptic inputs"),
        (bool(s.stp), "short-term plasticity"),
        (s.n_stages > 0, "in-run rate limits"),
        (s.stimulated, "current stimuli"),
        (bool(s.trace), "traced state variables"),
    )
    return next((why for bad, why in reasons if bad), None)


def use_fast(step: str, native: bool, reason: str | None) -> bool:
    """Whether a run with ``SimConfig.step == step`` advances blocks natively.

    Parameters
    ----------
    step
        ``"auto"`` (native where the network is :func:`eligible`, the native delivery
        is on and XLA does not contract), ``"native"`` (the same, or an error) or
        ``"jax"`` (the reference).
    native
        Whether the run uses the native delivery (a CPU backend with the library).
    reason
        What :func:`eligible` returned for the network.

    Raises
    ------
    ConfigError
        If ``step`` is ``"native"`` and the run cannot use it (the message names why),
        or ``step`` is unknown.
    """
    if step not in STEPS:
        raise ConfigError(f"step {step!r}; use one of {', '.join(STEPS)}")
    if step == "jax":
        return False
    if reason is None and not native:
        reason = "the native delivery is off (delivery='jax' or not a CPU backend)"
    if reason is None and contracts():
        reason = (
            "XLA's CPU backend fuses multiply-adds (it started before twin was "
            "imported, or XLA_FLAGS caps another ISA, or the host is not x86-64)"
        )
    if reason is None:
        return True
    if step == "native":
        raise ConfigError(
            f"step 'native' cannot run this network: {reason}; use step='auto' or 'jax'"
        )
    return False
