"""The cortical microcircuit as a workload of the run layer (:mod:`experiments.runs`).

A point is a :class:`MicrocircuitConfig`; every point is a realisation of its own (its
seed), run alone. What a tier requests (reference ``brunel_bss1.md`` §2):

- ``ideal`` and ``mapped``: the network as the demo's NEST run builds it — NEST's
  weight factors (excitatory 0.1), 10 % weight spread, the absolute-sd parameter
  variation, delays 1.5 ± 0.75 / 0.8 ± 0.4 ms (the mapped tier replaces them by the
  route-length calibration of each realised synapse, as the demo's NEST runs with
  loaded routes do);
- ``hardware``: what the wafer is given — mean parameters and weights without spread
  (the wafer supplies its own fixed pattern; the CLI runs this tier with the
  small-capacitor, slow calibration spreads, :data:`HARDWARE_MODE`). The twin models
  the effective excitatory weights: the demo programs a factor 1.0 on the wafer and
  explains that it acts approximately as a factor 0.1 at these lowest weights, so the
  twin's hardware tier uses 0.1 like NEST.

Every neuron is recorded; each tier starts from the demo's initial membrane
potentials (:func:`experiments.microcircuit.network.initial_potentials`), on the twin
as on NEST. Metrics: per population, the mean and sd of the neurons' rates and the
mean CV of ISI after ``analysis_start`` (:mod:`experiments.microcircuit.analysis`);
a theory tier gives the mean and sd of the neurons' stationary rates, and no CV
(NaN).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np

from experiments.microcircuit.analysis import microcircuit_activity
from experiments.microcircuit.config import (
    POPULATIONS,
    VARIATION_BOUNDS,
    WEIGHT_SPREADS,
    MicrocircuitConfig,
)
from experiments.microcircuit.network import build_network, initial_potentials
from experiments.runs.nest import nest_seed_of
from experiments.runs.workload import Column, Output, Request, Variant
from twin.analog import SimConfig
from twin.errors import ConfigError
from twin.hardware import HardwareConfig
from twin.hardware.parameters import CapMode, SpeedMode
from twin.hardware.variation import Variation
from twin.network import Network
from twin.recording import SpikeRecording
from twin.routing import MappingConfig
from twin.spreads import SPREADS
from twin.tiers import behaviour

__all__ = [
    "COLUMNS",
    "HARDWARE_MODE",
    "MicrocircuitWorkload",
    "hardware_config",
    "seeds",
]

#: The demo's hardware mode: small capacitor, slow membrane (bigcap False, slow True).
HARDWARE_MODE: Final[tuple[CapMode, SpeedMode]] = ("small", "slow")
#: Denmems per logical neuron of the demo's mapping.
NEURON_SIZE: Final = 8
#: The only recording layout: every neuron.
LAYOUT: Final = "all"
#: The metrics of a microcircuit run, in the order of ``summary.csv``.
#: The mean rates are judged in comparisons.
COLUMNS: Final = tuple(
    Column(f"{kind}_{pop}", judged=kind == "rate")
    for pop in POPULATIONS
    for kind in ("rate", "rate_sd", "cv")
)


def seeds(base: MicrocircuitConfig, n: int) -> list[MicrocircuitConfig]:
    """Return ``n`` realisations: seeds ``base.seed`` .. ``base.seed + n - 1``.

    Raises
    ------
    ConfigError
        If ``n`` < 1.
    """
    if n < 1:
        raise ConfigError(f"seeds = {n}; run at least one realisation")
    return [base.replace(seed=base.seed + k) for k in range(n)]


def hardware_config(trial_noise: float = 0.0, trial: int = 0) -> HardwareConfig:
    """Return the hardware tier's settings for the microcircuit.

    The demo's mode (:data:`HARDWARE_MODE`): its parameter ranges and its calibration
    spreads as the fixed pattern, truncated at the bounds the demo's NEST model
    redraws at (:data:`~experiments.microcircuit.config.VARIATION_BOUNDS`; the reset
    keeps the hardware tier's own ceiling): a calibrated circuit stays in them. The
    wafer's weight spread is the 10 % the demo gives its NEST weights to stand for it.

    Parameters
    ----------
    trial_noise
        Trial-to-trial noise as a fraction of the spreads (0: none).
    trial
        Seed of the trial's noise (a second sample of the same wafer: another
        trial).

    Raises
    ------
    ConfigError
        If ``trial_noise`` is negative.
    """
    variation = Variation(
        spreads=SPREADS[HARDWARE_MODE],
        weight_sd=WEIGHT_SPREADS["nest"],
        trial_fraction=trial_noise,
        trial_seed=trial,
        bounds=MappingProxyType(
            {k: v for k, v in VARIATION_BOUNDS.items() if k != "v_reset"}
        ),
    )
    cap, speed = HARDWARE_MODE
    return HardwareConfig(cap=cap, speed=speed, variation_settings=variation)


def _mean_weights(network: Network, config: MicrocircuitConfig) -> Network:
    """Return ``network`` with every weight set to its projection's mean."""
    return network.replace(
        projections=tuple(
            p.replace(weight=np.full(p.size, config.weight(p.pre, p.post)))
            for p in network.projections
        )
    )


@dataclass(frozen=True, slots=True)
class MicrocircuitWorkload:
    """The adapted cortical microcircuit for :func:`experiments.runs.sweep.run_sweep`.

    Parameters
    ----------
    mapping
        Mapping settings of the mapped and hardware tiers (default: the twin's
        strategy with the demo's neuron size 8).
    """

    mapping: MappingConfig = field(
        default_factory=lambda: MappingConfig(neuron_size=NEURON_SIZE)
    )
    name: str = "microcircuit"
    coords: tuple[str, ...] = ("scale",)
    columns: tuple[Column, ...] = COLUMNS

    @property
    def settings(self) -> Hashable:
        """The mapping settings (part of every stored point's fingerprint)."""
        return repr(self.mapping)

    def coordinates(self, point: MicrocircuitConfig) -> Mapping[str, float]:
        """Return the network scale (a point is a realisation; see ``seed``)."""
        return {"scale": point.scale}

    def seed(self, point: MicrocircuitConfig) -> int:
        """Return the realisation seed."""
        return point.seed

    def realisation(self, point: MicrocircuitConfig) -> MicrocircuitConfig:
        """Return the point itself: every point is a realisation of its own."""
        return point

    def layout(self, point: MicrocircuitConfig) -> str:
        """Return ``"all"``: every neuron is recorded."""
        return LAYOUT

    def request(self, point: MicrocircuitConfig, fidelity: str, layout: str) -> Request:
        """Return the network a tier requests, its mapping settings and V0.

        Raises
        ------
        ConfigError
            If ``layout`` is not ``"all"`` or the network cannot be drawn.
        """
        if layout != LAYOUT:
            raise ConfigError(f"layout {layout!r}; the microcircuit records 'all'")
        if behaviour(fidelity).supplies_variation:
            config = point.replace(variation=False)
            network = _mean_weights(build_network(config), config)
        else:
            config = point
            network = build_network(config)
        return Request(network, self.mapping, initial_potentials(config, network))

    def recorded(self, point: MicrocircuitConfig, layout: str) -> np.ndarray:
        """Return every neuron's id."""
        return np.arange(point.n_neurons)

    def variant(self, point: MicrocircuitConfig) -> Variant:
        """Return the point's key (its seed); no scaling."""
        return Variant(key=(point.seed,))

    def sim_config(self, point: MicrocircuitConfig) -> SimConfig:
        """Return the run settings: spikes kept from the analysis start on.

        Raises
        ------
        ConfigError
            If ``t_stop`` is not a whole number of steps of ``dt``.
        """
        return SimConfig(
            t_stop=point.t_stop, dt=point.dt, record_from=point.analysis_start
        )

    def nest_seed(self, point: MicrocircuitConfig) -> int:
        """Return NEST's kernel seed, derived from the realisation seed.

        (The network has no random input, so it does not change the spikes.)
        """
        return nest_seed_of(point.seed)

    def metrics(
        self,
        point: MicrocircuitConfig,
        recording: SpikeRecording,
        recorded: np.ndarray,
    ) -> dict[str, float]:
        """Return each population's mean rate, rate sd (Hz) and mean CV of ISI.

        Raises
        ------
        ConfigError
            If ``point.analysis_start`` is not in [0, t_stop).
        """
        act = microcircuit_activity(recording, point.analysis_start)
        out: dict[str, float] = {}
        for pop in POPULATIONS:
            a = act[pop]
            out |= {
                f"rate_{pop}": a.mean_rate,
                f"rate_sd_{pop}": a.sd_rate,
                f"cv_{pop}": a.mean_cv,
            }
        return out

    def theory_metrics(
        self,
        point: MicrocircuitConfig,
        rates: Mapping[str, np.ndarray],
        recorded: np.ndarray,
    ) -> dict[str, float]:
        """Return each population's mean and sd of the stationary rates (Hz); CV NaN.

        Parameters
        ----------
        point
            The point.
        rates
            Population -> each neuron's rate, Hz (NaN: none).
        recorded
            Every neuron's id (unused: all are recorded).

        Returns
        -------
        dict
            The metrics of :data:`COLUMNS` (the sd over neurons as
            :meth:`metrics` takes it, population sd).
        """
        out: dict[str, float] = {}
        for pop in POPULATIONS:
            mine = np.asarray(rates[pop], float)
            out |= {
                f"rate_{pop}": float(mine.mean()),
                f"rate_sd_{pop}": float(mine.std()),
                f"cv_{pop}": float("nan"),
            }
        return out

    def outputs(self) -> tuple[Output, ...]:
        """Return the files a run writes: tables, the comparison, the figures.

        Returns
        -------
        tuple of Output
            :func:`experiments.microcircuit.outputs.outputs` of this workload.
        """
        from experiments.microcircuit.outputs import outputs

        return outputs(self)
