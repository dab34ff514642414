"""The seed network's parameters: ``BrunelConfig`` and the seed's (g, eta) grid.

Brunel's balanced random network adapted for BSS-1 (reference ``brunel_bss1.md``
§1.2-1.3): N = int(12500 / scale) conductance-based LIF neurons (80 % excitatory),
fixed in-degrees C_E = int(0.1 N_E), C_I = int(0.1 N_I) drawn with replacement, 200
external connections per neuron from a shared pool of N Poisson sources, weights from
the 0.24 nA current scale, optional parameter variation with the calibration spreads of
wafer 30 and a 50 % weight spread.

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
from typing import Final, Literal

from experiments.runs.draws import check_clipped_normal
from twin.errors import ConfigError
from twin.spreads import SPREADS

__all__ = [
    "DELAY_REMEDY",
    "NEURON_MEANS",
    "NEURON_SDS",
    "POSITIVE",
    "REALISATIONS",
    "RESET_HIGH_FRACTION",
    "SEED_ETAS",
    "SEED_GS",
    "WEIGHT_REMEDY",
    "BrunelConfig",
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
#: Parameters redrawn below 0 (PyNN ``normal_clipped`` with low 0). [seed parameters.py]
POSITIVE: Final = frozenset({"tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac", "cm"})
#: Resets are redrawn above this fraction of the mean threshold. [seed parameters.py]
RESET_HIGH_FRACTION: Final = 0.9
#: Realisations ``build_network`` draws: independent streams, or the seed's own draws.
Realisation = Literal["independent", "seed"]
REALISATIONS: Final = ("independent", "seed")
DELAY_REMEDY: Final = (
    "set BrunelConfig.delay_min below delay_mean, or raise delay_mean or delay_sd (ms)"
)
WEIGHT_REMEDY: Final = "lower BrunelConfig.weight_spread"


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
    network
        The realisation ``build_network`` draws: ``"independent"`` (every parameter,
        weight and delay from its own stream of ``seed``) or ``"seed"`` (the seed
        experiment's own draws, :mod:`experiments.brunel.seed_network`, with ``seed``
        as its network seed).

    Raises
    ------
    ConfigError
        If a size, rate, time or weight parameter is not positive, the analysis
        window is longer than ``t_stop``, the scale leaves no neurons or synapses, or
        a redrawn distribution (delays, weights) cannot be drawn: its bounds are
        crossed, ``sd`` is 0 with the mean outside the bounds, or the acceptance
        probability is below :data:`MIN_ACCEPTANCE` (see
        :func:`check_clipped_normal`); if ``network`` is not in
        :data:`REALISATIONS`, or is ``"seed"`` with a seed outside [0, 2**32).
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
    network: Realisation = "independent"

    def __post_init__(self) -> None:
        if self.network not in REALISATIONS:
            raise ConfigError(
                f"BrunelConfig.network = {self.network!r}; use one of {REALISATIONS}"
            )
        if self.network == "seed" and not 0 <= self.seed < 2**32:
            raise ConfigError(
                f"BrunelConfig.seed = {self.seed!r} with network='seed'; the seed's "
                "numpy RandomState takes a seed in [0, 2**32)"
            )
        if isinstance(self.seed, bool) or not self.seed >= 0:
            raise ConfigError(
                f"BrunelConfig.seed = {self.seed!r}; give a realisation seed >= 0"
            )
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
            remedy=DELAY_REMEDY,
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
                remedy=WEIGHT_REMEDY,
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
