"""``MicrocircuitConfig``: one realisation of the adapted cortical microcircuit.

Potjans & Diesmann (2014) at 10 % of the neurons and 10 % of the in-degree, as the
BrainScaleS-1 demo adapted it (reference ``brunel_bss1.md`` §2; the demo's
``parameters.py`` and ``experiment_description.py``): eight ``IF_cond_exp``
populations, the P&D connection probabilities turned into a fixed total number of
connections per projection, the external Poisson input replaced by raised resting
potentials, conductance-based weights, NEST-side parameter variation with the
calibration spreads of the small-capacitor, slow mode.

The tables, each in a module of its own and importable from here too:

- :mod:`experiments.microcircuit.anatomy`: populations (``L23E`` ... ``L6I``, the
  names of NEST's microcircuit example, in the demo's order; the demo's labels
  :data:`DEMO_LABELS`), full-scale sizes, connection probabilities, in-degrees;
- :mod:`experiments.microcircuit.resting`: the raised resting potentials
  :data:`V_REST`, derived from P&D's external drive;
- :mod:`experiments.microcircuit.weights`: the demo's weights per platform;
- :mod:`experiments.microcircuit.parameters`: mean neuron parameters, their
  variation, delays, the wafer's trial-to-trial noise, the demo's seeds.

References
----------
Potjans, T. C. & Diesmann, M. (2014). The cell-type specific cortical microcircuit.
Cereb Cortex 24, 785-806.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np

from experiments.microcircuit.anatomy import (
    CONN_PROBS,
    DEMO_LABELS,
    FULL_SIZES,
    POPULATIONS,
    in_degrees,
)
from experiments.microcircuit.parameters import (
    DAY_LATER,
    DELAY_BOUNDS,
    DELAYS,
    DEMO_SEEDS,
    NEURON_MEANS,
    TRIAL_NOISE,
    VARIATION_BOUNDS,
    VARIATION_SDS,
    initial_v_distribution,
)
from experiments.microcircuit.resting import V_REST, psc_amplitude
from experiments.microcircuit.weights import (
    BASE_WEIGHTS,
    WEIGHT_FACTORS,
    WEIGHT_SPREADS,
    receptor_of,
)
from twin.errors import ConfigError
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
