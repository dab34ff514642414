"""Brunel (2000) model A: ``Brunel2000Config`` and the four states of Fig. 8.

The original network the seed adapted (reference ``brunel_bss1.md`` §3.1): N_E =
10,000 and N_I = 2,500 leaky integrate-and-fire neurons (tau 20 ms, theta 20 mV, V_r
10 mV, tau_rp 2 ms), fixed in-degrees C_E = 1000 and C_I = 250 (epsilon 0.1), J = 0.1
mV, inhibition -g J, delay D = 1.5 ms, and C_E external Poisson synapses per neuron at
eta nu_thr, nu_thr = theta / (J C_E tau).

Brunel's synapses are delta pulses; the emulator (and the wafer) has none, so the
synapses are alpha currents of tau_syn 0.1 ms, as PyNN's ``examples/brunel.py`` has
them (``IF_curr_alpha``), each carrying Brunel's charge ``C_m J``: peak
``C_m J / (e tau_syn)`` (its PSP peak is 0.968 J,
:func:`twin.adapt.psp.psp_peak_factor`).
``brunel.py`` itself uses a "fudge" constant that deposits 1.124 times that charge
(peak 1.09 J) and a capacitance of 1 pF; here C_m is the seed's 1 nF (only J matters
for Brunel's model), so the seed's adaptation applies number for number. The external
drive is one generator per neuron at ``C_E eta nu_thr``, as in ``brunel.py``.

``scale`` downscales the original by the rule of :func:`twin.adapt.downscale`
(sizes ``int(N / scale)``, in-degrees ``int(epsilon N_pre)``, J x scale, the mean
drive kept), like ``brunel.py``'s ``downscale``.

References
----------
Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory and inhibitory
spiking neurons. J Comput Neurosci 8, 183-208.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from twin.adapt.downscale import population_sizes
from twin.errors import ConfigError

__all__ = ["FIG8_STATES", "Brunel2000Config"]

#: Brunel's Fig. 8 panels as (g, eta) (brunel_bss1.md §3.1; the brian2 reproduction).
FIG8_STATES: Final = MappingProxyType(
    {
        "SR": (3.0, 2.0),  # A: synchronous regular
        "SI-fast": (6.0, 4.0),  # B: synchronous irregular, fast oscillation
        "AI": (5.0, 2.0),  # C: asynchronous irregular
        "SI-slow": (4.5, 0.9),  # D: synchronous irregular, slow oscillation
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Brunel2000Config:
    """One point of Brunel's model A, optionally downscaled.

    Parameters
    ----------
    g, eta
        Relative inhibition and external rate relative to threshold.
    scale
        Down-scaling factor (>= 1; 1: the original 12,500 neurons).
    seed
        Seed of the connectivity.
    t_stop, dt
        Simulated time and timestep, ms.
    n_exc_full, n_inh_full, epsilon
        The original sizes and connection probability.
    j
        Brunel's PSP J, mV, before scaling.
    tau_m, theta, v_reset, tau_refrac, delay
        Membrane time constant, threshold and reset above rest (rest 0 mV),
        refractory period and delay (ms, mV).
    tau_syn
        Time constant of the alpha synapses standing for Brunel's delta ones, ms.
    cm
        Membrane capacitance, nF.

    Raises
    ------
    ConfigError
        If a parameter is not positive, ``scale`` < 1, ``epsilon`` not in (0, 1],
        ``v_reset`` not below ``theta``, or the scale leaves no neuron or synapse.
    """

    g: float = 5.0
    eta: float = 2.0
    scale: float = 1.0
    seed: int = 1234
    t_stop: float = 1000.0
    dt: float = 0.1
    n_exc_full: int = 10_000
    n_inh_full: int = 2_500
    epsilon: float = 0.1
    j: float = 0.1
    tau_m: float = 20.0
    theta: float = 20.0
    v_reset: float = 10.0
    tau_refrac: float = 2.0
    delay: float = 1.5
    tau_syn: float = 0.1
    cm: float = 1.0

    def __post_init__(self) -> None:
        positive = ("g", "eta", "t_stop", "dt", "j", "tau_m", "theta", "tau_syn", "cm")
        for name in (*positive, "delay"):
            value = getattr(self, name)
            if not (
                isinstance(value, int | float) and math.isfinite(value) and value > 0
            ):
                raise ConfigError(f"Brunel2000Config.{name} = {value!r}; must be > 0")
        if not self.scale >= 1:
            raise ConfigError(f"Brunel2000Config.scale = {self.scale!r}; must be >= 1")
        if not 0 < self.epsilon <= 1:
            raise ConfigError(f"Brunel2000Config.epsilon = {self.epsilon}; in (0, 1]")
        if not 0 <= self.v_reset < self.theta:
            raise ConfigError(
                f"Brunel2000Config.v_reset = {self.v_reset} mV; give 0 <= v_reset < "
                f"theta = {self.theta} mV"
            )
        if min(self.n_inh, self.c_exc, self.c_inh) < 1:
            raise ConfigError(
                f"scale = {self.scale} leaves N_I = {self.n_inh}, C_E = {self.c_exc}, "
                f"C_I = {self.c_inh}; use a smaller scale"
            )

    @classmethod
    def state(cls, name: str, **changes: object) -> Brunel2000Config:
        """Return the config of one of Brunel's Fig. 8 states (:data:`FIG8_STATES`).

        Raises
        ------
        ConfigError
            If ``name`` is not a state or ``changes`` make an invalid config.
        """
        if name not in FIG8_STATES:
            raise ConfigError(f"no Fig. 8 state {name!r}; states: {list(FIG8_STATES)}")
        g, eta = FIG8_STATES[name]
        return cls(g=g, eta=eta, **changes)  # type: ignore[arg-type]

    @property
    def sizes(self) -> tuple[int, int]:
        """(N_E, N_I) after scaling (:func:`twin.adapt.downscale.population_sizes`)."""
        try:
            n_e, n_i = population_sizes((self.n_exc_full, self.n_inh_full), self.scale)
        except ConfigError:
            return 0, 0
        return n_e, n_i

    @property
    def n_exc(self) -> int:
        """Excitatory neurons (10,000 at scale 1)."""
        return self.sizes[0]

    @property
    def n_inh(self) -> int:
        """Inhibitory neurons (2,500 at scale 1)."""
        return self.sizes[1]

    @property
    def c_exc(self) -> int:
        """Excitatory in-degree ``int(epsilon N_E)`` (1000 at scale 1)."""
        return int(self.epsilon * self.n_exc)

    @property
    def c_inh(self) -> int:
        """Inhibitory in-degree ``int(epsilon N_I)`` (250 at scale 1)."""
        return int(self.epsilon * self.n_inh)

    @property
    def j_eff(self) -> float:
        """PSP J x scale, mV."""
        return self.j * self.scale

    @property
    def nu_thr(self) -> float:
        """Threshold rate per external synapse, Hz: theta / (J C_E tau_m)."""
        return self.theta / (self.j_eff * self.c_exc * self.tau_m) * 1e3

    @property
    def ext_rate(self) -> float:
        """Rate of each neuron's external generator, Hz: C_E eta nu_thr."""
        return self.c_exc * self.eta * self.nu_thr

    @property
    def weight(self) -> float:
        """Excitatory alpha peak, nA: C_m J / (e tau_syn) (the charge C_m J)."""
        return self.cm * self.j_eff / (math.e * self.tau_syn)

    def replace(self, **changes: object) -> Brunel2000Config:
        """Return a copy with fields replaced (validated again).

        Raises
        ------
        ConfigError
            If the copy is invalid.
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
