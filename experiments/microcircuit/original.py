"""The original cortical microcircuit: Potjans & Diesmann (2014), current-based.

The model the BrainScaleS-1 demo adapted (reference ``brunel_bss1.md`` §2), as
published (P&D 2014, Tables 4-5; NEST's ``microcircuit`` example, ``iaf_psc_exp``):

- neurons ``IF_curr_exp``: C_m 250 pF, tau_m 10 ms, tau_syn 0.5 ms, E_L = V_reset =
  -65 mV, V_th -50 mV, t_ref 2 ms;
- synapses: mean PSP 0.15 mV, i.e. w = 87.81 pA
  (:func:`experiments.microcircuit.resting.psc_amplitude`), L4e -> L2/3e doubled,
  inhibitory -4 w, each weight normal with a 10 % sd (sign kept); delays normal, exc
  1.5 +- 0.75 ms, inh 0.8 +- 0.4 ms, redrawn outside
  :data:`~experiments.microcircuit.parameters.DELAY_BOUNDS`;
- connectivity: the conn_probs table (:mod:`experiments.microcircuit.anatomy`) as a
  fixed total number of synapses per projection with random pre and post
  (multapses and autapses allowed);
- background: K_ext Poisson inputs of 8 Hz per neuron (1600, 1500, 2100, 1900,
  2000, 1900, 2900, 2100), as one generator per neuron at ``K_ext x 8 Hz`` with the
  weight w and delay 1.5 ms (NEST's example).

Scaling: the demo's ``scale`` (neurons, ``int(scale N)`` per population) and
``k_scale`` (in-degrees, ``round(K k_scale N_post)`` synapses per projection; the
external in-degree ``K_ext k_scale``), the weights unchanged (P&D's own scaling
compensates with ``1 / sqrt(k_scale)`` and a DC input; the demo does not). At the
demo's 0.1 and 0.1: 7,713 neurons, 2,987,316 recurrent synapses; the full model
(``scale = k_scale = 1``) has about 3e8.

References
----------
Potjans, T. C. & Diesmann, M. (2014). The cell-type specific cortical microcircuit.
Cereb Cortex 24, 785-806.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np

from experiments.microcircuit.anatomy import POPULATIONS
from experiments.microcircuit.config import MicrocircuitConfig
from experiments.microcircuit.parameters import DELAY_BOUNDS, DELAYS
from experiments.microcircuit.resting import (
    _PD_BG_RATE,
    _PD_CM,
    _PD_E_L,
    _PD_K_EXT,
    _PD_PSP,
    _PD_TAU_M,
    _PD_TAU_SYN,
    psc_amplitude,
)
from experiments.microcircuit.weights import receptor_of
from twin.adapt.draws import normal_clipped
from twin.errors import ConfigError
from twin.network import Network, PoissonSource, Population, Projection
from twin.streams import rng

__all__ = [
    "K_EXT",
    "ORIGINAL_NEURON",
    "G",
    "OriginalConfig",
    "build_original",
    "pd_weight",
]

#: P&D's neuron in PyNN ``IF_curr_exp`` names and units. [P&D 2014 Table 5]
ORIGINAL_NEURON: Final = MappingProxyType(
    {
        "cm": _PD_CM,
        "tau_m": _PD_TAU_M,
        "tau_syn_E": _PD_TAU_SYN,
        "tau_syn_I": _PD_TAU_SYN,
        "v_rest": _PD_E_L,
        "v_reset": -65.0,
        "v_thresh": -50.0,
        "tau_refrac": 2.0,
        "i_offset": 0.0,
    }
)
#: Relative inhibitory strength. [P&D 2014 Table 5]
G: Final = -4.0
#: External in-degrees per population at full scale. [P&D 2014 Table 5]
K_EXT: Final = MappingProxyType(dict(zip(POPULATIONS, _PD_K_EXT, strict=True)))
#: Delay of the background input, ms. [NEST's microcircuit example]
_EXT_DELAY: Final = 1.5


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginalConfig:
    """One realisation of P&D's model at the demo's kind of scale.

    Parameters
    ----------
    scale
        Fraction of the neurons (sizes ``int(scale N_full)``).
    k_scale
        Fraction of the in-degrees, recurrent and external.
    seed
        Seed of the connectivity, weights and delays.
    dt
        Timestep, ms.
    weight_spread
        Relative sd of the weights (P&D: 0.1).
    bg_rate
        Rate of each background input, Hz (P&D: 8).

    Raises
    ------
    ConfigError
        As :class:`~experiments.microcircuit.config.MicrocircuitConfig` for the
        scales, seed and ``dt``; if ``weight_spread`` is negative or ``bg_rate`` not
        finite and > 0.
    """

    scale: float = 0.1
    k_scale: float = 0.1
    seed: int = 1234
    dt: float = 0.1
    weight_spread: float = 0.1
    bg_rate: float = _PD_BG_RATE

    def __post_init__(self) -> None:
        self.demo_shape()
        if not 0 <= self.weight_spread < 1:
            raise ConfigError(
                f"OriginalConfig.weight_spread = {self.weight_spread!r}; give a "
                "relative sd in [0, 1) (P&D: 0.1)"
            )
        if not (np.isfinite(self.bg_rate) and self.bg_rate > 0):
            raise ConfigError(f"OriginalConfig.bg_rate = {self.bg_rate!r}; give > 0 Hz")

    def demo_shape(self) -> MicrocircuitConfig:
        """Return the demo's config of the same scales and seed (sizes, connections)."""
        return MicrocircuitConfig(
            scale=self.scale, k_scale=self.k_scale, seed=self.seed, dt=self.dt
        )

    def replace(self, **changes: object) -> OriginalConfig:
        """Return a copy with fields replaced (validated again).

        Raises
        ------
        ConfigError
            If the copy is invalid.
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def pd_weight(source: str, target: str) -> float:
    """Return P&D's mean weight of ``source -> target``, nA (87.81 pA, x 2, x -4).

    Examples
    --------
    >>> round(pd_weight("L4E", "L23E") / pd_weight("L5E", "L23E"), 6)
    2.0
    >>> round(pd_weight("L23I", "L4E") * 1e3, 2)
    -351.23
    """
    w = psc_amplitude(_PD_PSP, _PD_CM, _PD_TAU_M, _PD_TAU_SYN)
    if receptor_of(source) == "inhibitory":
        return G * w
    return 2.0 * w if (source, target) == ("L4E", "L23E") else w


def _weights(
    gen: np.random.Generator, mean: float, spread: float, n: int, name: str
) -> np.ndarray:
    if not spread:
        return np.full(n, mean)
    low, high = (0.0, np.inf) if mean > 0 else (-np.inf, 0.0)
    sd = spread * abs(mean)
    return normal_clipped(gen, mean, sd, n, low, high, name=f"{name} weight")


def _projection(
    config: OriginalConfig, source: str, target: str, n: int, sizes: dict[str, int]
) -> Projection:
    name = f"{source}->{target}"
    gen = rng((("stream", "microcircuit.original"), ("seed", config.seed), ("p", name)))
    receptor = receptor_of(source)
    delay_mean, delay_sd = DELAYS[receptor]
    return Projection(
        pre=source,
        post=target,
        pre_idx=gen.integers(0, sizes[source], n),
        post_idx=gen.integers(0, sizes[target], n),
        weight=_weights(gen, pd_weight(source, target), config.weight_spread, n, name),
        delay=normal_clipped(
            gen, delay_mean, delay_sd, n, *DELAY_BOUNDS, name=f"{name} delay"
        ),
        receptor=receptor,
    )


def build_original(config: OriginalConfig) -> Network:
    """Build P&D's current-based microcircuit at ``config``'s scales.

    Parameters
    ----------
    config
        Scales, seed, weight spread and background rate.

    Returns
    -------
    Network
        Eight ``IF_curr_exp`` populations (:data:`POPULATIONS` order), one
        projection ``"source->target"`` per pair with a connection (weights nA,
        target-major as the demo), and one Poisson source ``"bg_<pop>"`` per
        population (one generator per neuron, rate ``K_ext k_scale bg_rate``)
        driving it one-to-one (``"bg_<pop>-><pop>"``).

    Raises
    ------
    ConfigError
        If a redrawn weight or delay is still out of bounds.

    Examples
    --------
    >>> net = build_original(OriginalConfig(scale=0.01, k_scale=0.01))
    >>> net.n_neurons, [s.name for s in net.sources][:2]
    (767, ['bg_L23E', 'bg_L23I'])
    """
    shape = config.demo_shape()
    sizes = dict(shape.sizes)
    neuron = {k: float(v) for k, v in ORIGINAL_NEURON.items()}
    populations = tuple(
        Population(
            name=pop,
            size=sizes[pop],
            cell_type="IF_curr_exp",
            parameters={k: np.full(sizes[pop], v) for k, v in neuron.items()},
        )
        for pop in POPULATIONS
    )
    counts = shape.connections
    recurrent = [
        _projection(config, source, target, int(counts[t, s]), sizes)
        for t, target in enumerate(POPULATIONS)
        for s, source in enumerate(POPULATIONS)
        if counts[t, s] > 0
    ]
    sources = tuple(
        PoissonSource(
            name=f"bg_{pop}",
            size=sizes[pop],
            rate=K_EXT[pop] * config.k_scale * config.bg_rate,
        )
        for pop in POPULATIONS
    )
    w = psc_amplitude(_PD_PSP, _PD_CM, _PD_TAU_M, _PD_TAU_SYN)
    external = [
        Projection(
            pre=f"bg_{pop}",
            post=pop,
            pre_idx=np.arange(sizes[pop]),
            post_idx=np.arange(sizes[pop]),
            weight=np.full(sizes[pop], w),
            delay=np.full(sizes[pop], _EXT_DELAY),
            receptor="excitatory",
        )
        for pop in POPULATIONS
    ]
    return Network(
        populations=populations,
        sources=sources,
        projections=(*recurrent, *external),
        timestep=config.dt,
    )
