"""The cortical microcircuit's tables and ``MicrocircuitConfig``.

Potjans & Diesmann (2014) at 10 % of the neurons and 10 % of the in-degree, as the
BrainScaleS-1 demo adapted it (reference ``brunel_bss1.md`` §2; the demo's
``parameters.py`` and ``experiment_description.py``): eight ``IF_cond_exp``
populations, the P&D connection probabilities turned into a fixed total number of
connections per projection, the external Poisson input replaced by raised resting
potentials, conductance-based weights, NEST-side parameter variation with the
calibration spreads of the small-capacitor, slow mode.

Population names: ``L23E``, ``L23I``, ``L4E``, ``L4I``, ``L5E``, ``L5I``, ``L6E``,
``L6I`` (the names of NEST's microcircuit example), in the demo's order; the demo's
own labels (``23e`` ...) are :data:`DEMO_LABELS`.

Derived tables (all computed here from the documented formulas):

- **Raised resting potentials** :data:`V_REST`: the P&D external drive as a DC shift,
  ``E_L + (tau_m / C) * K_ext * nu_bg * J * tau_syn`` with P&D's neuron (C = 250 pF,
  tau_m = 10 ms, tau_syn = 0.5 ms, E_L = -65 mV), J the current of a 0.15 mV PSP,
  nu_bg = 8 Hz and the full-scale K_ext; rounded to 0.01 mV as the demo prints them.
  This reproduces all eight of the demo's values.
- **Weights** :data:`BASE_WEIGHTS`: the demo's 16 printed weights (µS, one per source
  type and target population), taken as given. The demo converts current-based
  synapses into conductances "preserving the PSP amplitude measured from the expected
  mean membrane potential"; its numbers are consistent with ``I / (E_rev - V_mean)``
  with one current per source type and one mean potential per target, but those
  constants are not in the public material, so the table is not derived here.
- The table has one excitatory weight per target, so P&D's doubled L4e -> L2/3e
  weight is **not** part of the adapted model (with the doubling, the reading of the
  mean potentials above would need a negative L2/3e rate).

References
----------
Potjans, T. C. & Diesmann, M. (2014). The cell-type specific cortical microcircuit.
Cereb Cortex 24, 785-806.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np

from twin.errors import ConfigError
from twin.network import Receptor
from twin.spreads import SPREADS
from twin.timegrid import TimeGrid

__all__ = [
    "BASE_WEIGHTS",
    "CONN_PROBS",
    "DAY_LATER",
    "DELAYS",
    "DELAY_BOUNDS",
    "DEMO_LABELS",
    "DEMO_SEEDS",
    "FULL_SIZES",
    "NEURON_MEANS",
    "POPULATIONS",
    "TRIAL_NOISE",
    "VARIATION_BOUNDS",
    "VARIATION_SDS",
    "V_REST",
    "WEIGHT_FACTORS",
    "WEIGHT_SPREADS",
    "MicrocircuitConfig",
    "Platform",
    "in_degrees",
    "initial_v_distribution",
    "psc_amplitude",
    "receptor_of",
]

Platform = Literal["nest", "wafer"]

#: Populations in the demo's order (P&D's layers 2/3, 4, 5, 6; E then I).
POPULATIONS: Final = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
#: The demo's labels of the same populations.
DEMO_LABELS: Final = MappingProxyType(
    dict(
        zip(
            POPULATIONS, ("23e", "23i", "4e", "4i", "5e", "5i", "6e", "6i"), strict=True
        )
    )
)
#: Full-scale population sizes (77,169 neurons). [P&D 2014 Table 5; demo]
FULL_SIZES: Final = MappingProxyType(
    dict(
        zip(
            POPULATIONS,
            (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948),
            strict=True,
        )
    )
)
#: Probability of at least one connection, ``CONN_PROBS[target][source]``. [P&D Table 5]
CONN_PROBS: Final = (
    (0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0),
    (0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0),
    (0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0),
    (0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0),
    (0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0),
    (0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0),
    (0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252),
    (0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443),
)

#: P&D's external input and current-based neuron, used only to derive :data:`V_REST`:
#: external in-degrees, background rate (Hz), mean PSP (mV), C_m (nF), tau_m, tau_syn
#: (ms), E_L (mV). [P&D 2014 Tables 5, 4]
_PD_K_EXT: Final = (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100)
_PD_BG_RATE: Final = 8.0
_PD_PSP: Final = 0.15
_PD_CM, _PD_TAU_M, _PD_TAU_SYN, _PD_E_L = 0.25, 10.0, 0.5, -65.0

#: Mean neuron parameters of the adapted model (PyNN ``IF_cond_exp`` names and units);
#: ``v_rest`` is replaced per population by :data:`V_REST`. [demo parameters.py]
NEURON_MEANS: Final = MappingProxyType(
    {
        "cm": 0.25,
        "e_rev_E": 50.0,
        "e_rev_I": -150.0,
        "tau_m": 10.0,
        "i_offset": 0.0,
        "tau_refrac": 2.0,
        "tau_syn_E": 2.2,
        "tau_syn_I": 2.2,
        "v_reset": -65.0,
        "v_rest": -65.0,
        "v_thresh": -50.0,
    }
)

#: Absolute standard deviations of the NEST-side variation (the demo's dict calls
#: them "relative sd in %" but passes them as absolute sds): small cap, slow mode.
VARIATION_SDS: Final = SPREADS[("small", "slow")]
#: Redraw bounds of the varied parameters (open intervals in the demo; a value on a
#: bound has probability 0). Parameters not listed are unbounded. [demo] The reset
#: bound is the demo's 0.9 x v_thresh taken literally; with a negative threshold it
#: lies above the threshold (-45 vs -50 mV) and never binds.
VARIATION_BOUNDS: Final = MappingProxyType(
    {
        "tau_m": (3.0, math.inf),
        "tau_refrac": (0.0, math.inf),
        "tau_syn_E": (1.8, 4.0),
        "tau_syn_I": (1.9, 6.0),
        "v_reset": (-math.inf, 0.9 * NEURON_MEANS["v_thresh"]),
    }
)

#: Trial-to-trial noise of the wafer's calibrated parameters between two samples, as
#: a fraction of the calibration spreads. An assumption: the wafer's trial-to-trial
#: variation is documented only as "significant" (Koke 2017; ``bss1_hardware.md``).
TRIAL_NOISE: Final = 0.3
#: Name of the tier that records the same configured wafer again "one biological day
#: later" (the demo's second sample: 8.64 s wall clock, no reconfiguration).
DAY_LATER: Final = "hardware-day-later"
#: Weight factors per platform and source type: the demo programs excitatory weights
#: 10x larger on the wafer ("a factor of 1 on BSS-1 corresponds approximately to a
#: real factor of 0.1"). [demo parameters.py]
WEIGHT_FACTORS: Final = MappingProxyType(
    {
        "nest": MappingProxyType({"excitatory": 0.1, "inhibitory": 1.0}),
        "wafer": MappingProxyType({"excitatory": 1.0, "inhibitory": 1.0}),
    }
)
#: Relative weight sd per platform (0 on the wafer: its own variation). [demo]
WEIGHT_SPREADS: Final = MappingProxyType({"nest": 0.1, "wafer": 0.0})
#: Delay (mean, sd) per receptor in ms, normal redrawn outside :data:`DELAY_BOUNDS`.
#: (With the wafer's routes NEST uses ``twin.routing.delays.DelayModel`` instead.)
DELAYS: Final = MappingProxyType({"excitatory": (1.5, 0.75), "inhibitory": (0.8, 0.4)})
DELAY_BOUNDS: Final = (0.1, 15.0)
#: The demo's seeds (its NumPy RNGs); the twin derives all streams from one seed.
DEMO_SEEDS: Final = MappingProxyType(
    {"kernel": 123456, "weight": 234567, "init": 345678, "delay": 24639, "var": 6627}
)


def receptor_of(source: str) -> Receptor:
    """Return the receptor a population's synapses use (names ending E excite)."""
    return "excitatory" if source.endswith("E") else "inhibitory"


def psc_amplitude(psp: float, cm: float, tau_m: float, tau_syn: float) -> float:
    """Return the current amplitude (nA) whose exponential PSC gives a PSP peak ``psp``.

    The PSP of ``I exp(-t / tau_syn)`` on a leaky membrane is
    ``I tau_m tau_syn / (cm (tau_m - tau_syn)) (exp(-t/tau_m) - exp(-t/tau_syn))``,
    peaking at ``t* = ln(tau_m / tau_syn) tau_m tau_syn / (tau_m - tau_syn)``.

    Parameters
    ----------
    psp
        Peak PSP, mV.
    cm, tau_m, tau_syn
        Capacitance (nF) and time constants (ms, ``tau_m != tau_syn``).

    Examples
    --------
    >>> round(psc_amplitude(0.15, 0.25, 10.0, 0.5) * 1e3, 2)  # P&D's 87.81 pA
    87.81
    """
    t_peak = math.log(tau_m / tau_syn) * tau_m * tau_syn / (tau_m - tau_syn)
    kernel = math.exp(-t_peak / tau_m) - math.exp(-t_peak / tau_syn)
    return psp * cm * (tau_m - tau_syn) / (tau_m * tau_syn * kernel)


def _raised_rest(k_ext: int) -> float:
    """Resting potential (mV) that replaces ``k_ext`` Poisson inputs by their mean."""
    current = (
        k_ext
        * _PD_BG_RATE
        * 1e-3
        * psc_amplitude(_PD_PSP, _PD_CM, _PD_TAU_M, _PD_TAU_SYN)
        * _PD_TAU_SYN
    )
    return round(_PD_E_L + _PD_TAU_M / _PD_CM * current, 2)


#: Raised resting potentials (mV) replacing the external input (-42.52 ... -24.26).
V_REST: Final = MappingProxyType(
    {pop: _raised_rest(k) for pop, k in zip(POPULATIONS, _PD_K_EXT, strict=True)}
)


#: Weights (µS) at factor 1 by source type -> target, in :data:`POPULATIONS` order
#: (0.00303-0.00343 excitatory, 0.01974-0.02265 inhibitory). [demo parameters.py]
BASE_WEIGHTS: Final = MappingProxyType(
    {
        "excitatory": MappingProxyType(
            dict(
                zip(
                    POPULATIONS,
                    (0.00303139, 0.00321473, 0.00334374, 0.00325535,
                     0.00330689, 0.00336596, 0.00341609, 0.00342977),
                    strict=True,
                )
            )
        ),
        "inhibitory": MappingProxyType(
            dict(
                zip(
                    POPULATIONS,
                    (0.02265111, 0.02112101, 0.02024846, 0.02083072,
                     0.0204834, 0.02011174, 0.01981637, 0.01973876),
                    strict=True,
                )
            )
        ),
    }
)  # fmt: skip


def in_degrees() -> np.ndarray:
    """Full-scale in-degrees ``K[target, source]`` of P&D, shape (8, 8).

    ``K = log(1 - p) / log(1 - 1 / (N_pre N_post)) / N_post``: the number of
    synapses that, drawn with random pre and post, give each pair a connection with
    probability ``p``, per target neuron.
    """
    n = np.array([FULL_SIZES[p] for p in POPULATIONS], dtype=float)
    p = np.array(CONN_PROBS)
    return np.log1p(-p) / np.log1p(-1.0 / np.outer(n, n)) / n[:, None]


def initial_v_distribution(v_thresh: float, v_rest: float) -> tuple[float, float]:
    """Return (mean, sd) of the demo's initial membrane potentials, mV.

    ``N((V_th + V_rest) / 2, |V_th - V_rest| / 3)`` from a population's mean
    threshold and resting potential (NEST only in the demo).
    """
    return (v_thresh + v_rest) / 2.0, abs(v_thresh - v_rest) / 3.0


@dataclass(frozen=True, slots=True, kw_only=True)
class MicrocircuitConfig:
    """All parameters of one realisation of the adapted microcircuit.

    Parameters
    ----------
    seed
        Seed of the realisation (connectivity, variation, weights, delays, initial
        potentials; independent streams spawned from it). Default: the demo's
        kernel seed.
    scale
        Fraction of the neurons: population sizes ``int(scale * N_full)``.
    k_scale
        Fraction of the in-degree: ``round(K * k_scale * N_post)`` connections per
        projection (the weights are the demo's, tuned for 0.1 and 0.1).
    t_stop, dt
        Simulated time and timestep, ms.
    platform
        ``"nest"``: the weights of the simulated model (excitatory factor 0.1, 10 %
        weight sd); ``"wafer"``: the weights the demo programs on BSS-1 (factor 1,
        no sd).
    variation
        Draw per-neuron parameters with :data:`VARIATION_SDS` (the demo's NEST run).
    analysis_start
        Spikes before this time (ms) are not analysed.

    Raises
    ------
    ConfigError
        If ``seed`` is negative, ``scale`` or ``k_scale`` is outside (0, 1] or leaves
        a population empty, ``dt`` is not a positive multiple of 0.001 ms or exceeds
        the shortest delay, ``analysis_start`` is negative or not before ``t_stop``,
        or ``platform`` is unknown.
    """

    seed: int = DEMO_SEEDS["kernel"]
    scale: float = 0.1
    k_scale: float = 0.1
    t_stop: float = 10_000.0
    dt: float = 0.1
    platform: Platform = "nest"
    variation: bool = True
    analysis_start: float = 1000.0

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer):
            raise ConfigError(f"seed = {self.seed!r}; give a non-negative integer")
        if self.seed < 0:
            raise ConfigError(f"seed = {self.seed}; give a non-negative integer")
        for name in ("scale", "k_scale"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ConfigError(
                    f"MicrocircuitConfig.{name} = {value!r}; give a fraction in (0, 1]"
                    " (the demo uses 0.1)"
                )
        smallest = min(FULL_SIZES, key=FULL_SIZES.__getitem__)
        if int(self.scale * FULL_SIZES[smallest]) < 1:
            raise ConfigError(
                f"scale = {self.scale} leaves population {smallest} empty; use "
                f"scale >= {1 / FULL_SIZES[smallest]:.2g}"
            )
        TimeGrid(self.dt)
        if self.dt > DELAY_BOUNDS[0]:
            raise ConfigError(
                f"dt = {self.dt} ms is longer than the shortest delay "
                f"{DELAY_BOUNDS[0]} ms; use dt <= {DELAY_BOUNDS[0]}"
            )
        if not 0 <= self.analysis_start < self.t_stop:
            raise ConfigError(
                f"analysis_start = {self.analysis_start} ms with t_stop = "
                f"{self.t_stop} ms; simulate beyond the start of the analysis"
            )
        if self.platform not in WEIGHT_FACTORS:
            raise ConfigError(
                f"platform = {self.platform!r}; use one of {sorted(WEIGHT_FACTORS)}"
            )

    @classmethod
    def tiny(cls, **changes: object) -> MicrocircuitConfig:
        """Return a 1,539-neuron version (scale 0.02, 1.5 s) for fast tests.

        Raises
        ------
        ConfigError
            If ``changes`` make an invalid configuration.
        """
        return dataclasses.replace(cls(scale=0.02, t_stop=1500.0), **changes)  # type: ignore[arg-type]

    def replace(self, **changes: object) -> MicrocircuitConfig:
        """Return a copy with fields replaced (validated again).

        Raises
        ------
        ConfigError
            If the copy is an invalid configuration.
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def sizes(self) -> MappingProxyType[str, int]:
        """Population sizes ``int(scale * N_full)`` (7,713 neurons at 0.1)."""
        return MappingProxyType(
            {p: int(self.scale * FULL_SIZES[p]) for p in POPULATIONS}
        )

    @property
    def n_neurons(self) -> int:
        """Total number of neurons."""
        return sum(self.sizes.values())

    @property
    def connections(self) -> np.ndarray:
        """Connections per projection ``[target, source]``, int array (8, 8).

        ``int(round(K * k_scale * N_post))`` with the full-scale in-degree ``K``
        (:func:`in_degrees`) and the scaled target size.
        """
        n_post = np.array([self.sizes[p] for p in POPULATIONS], dtype=float)
        return np.rint(in_degrees() * self.k_scale * n_post[:, None]).astype(np.int64)

    @property
    def n_synapses(self) -> int:
        """Total number of connections (2,987,316 at scale and k_scale 0.1)."""
        return int(self.connections.sum())

    @property
    def weight_spread(self) -> float:
        """Relative weight sd of the platform."""
        return WEIGHT_SPREADS[self.platform]

    def weight(self, source: str, target: str) -> float:
        """Mean weight (µS) of ``source -> target`` with the platform's factor."""
        receptor = receptor_of(source)
        factor = WEIGHT_FACTORS[self.platform][receptor]
        return BASE_WEIGHTS[receptor][target] * factor
