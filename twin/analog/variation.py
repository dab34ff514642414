"""Fixed-pattern variation: every hardware neuron and synapse deviates in its own way.

After calibration each neuron parameter still differs from neuron to neuron with a
standard deviation measured on wafer 30 (reference ``bss1_hardware.md`` §3.7; one table
per capacitor/speed mode). The deviation belongs to the *circuit*, not to the model
neuron: it is drawn once per wafer seed for every (chip, denmem column) of the wafer,
and a neuron placed at that site gets it, so the same wafer seed and placement always
give the same "wafer". Synaptic weights get a relative Gaussian spread; its default,
0.5, is the spread the seed gives its NEST model to reproduce the wafer (the ESS
guidebook's example uses 0.2). Optional trial-to-trial noise adds a fresh, smaller
deviation per trial seed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np

from twin.errors import ConfigError
from twin.network import Network
from twin.spreads import SPREADS

__all__ = ["SPREADS", "NeuronSites", "Variation", "vary_parameters", "vary_weights"]

_POSITIVE: Final = frozenset({"tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac"})
_MIN_POSITIVE: Final = 0.1  # ms: floor of a varied time constant
_N_HICANNS: Final = 384
_N_COLUMNS: Final = 256


@dataclass(frozen=True, slots=True)
class NeuronSites:
    """Where the neurons of a network sit (global neuron order), -1 if unplaced."""

    hicann: np.ndarray
    column: np.ndarray

    def __post_init__(self) -> None:
        if self.hicann.shape != self.column.shape:
            raise ConfigError("hicann and column need one entry per neuron")


@dataclass(frozen=True, slots=True)
class Variation:
    """Fixed-pattern variation of one wafer.

    Parameters
    ----------
    wafer_seed
        Seed of the wafer's deviation pattern.
    spreads
        Standard deviation per parameter (PyNN units).
    weight_sd
        Relative standard deviation of every synaptic weight.
    trial_fraction
        Trial-to-trial noise as a fraction of ``spreads`` (0: none).
    trial_seed
        Seed of the trial's noise.
    """

    wafer_seed: int = 30
    spreads: MappingProxyType[str, float] = field(
        default_factory=lambda: SPREADS[("big", "normal")]
    )
    weight_sd: float = 0.5
    trial_fraction: float = 0.0
    trial_seed: int = 0

    def __post_init__(self) -> None:
        if self.weight_sd < 0 or self.trial_fraction < 0:
            raise ConfigError("weight_sd and trial_fraction must be >= 0")
        if any(v < 0 for v in self.spreads.values()):
            raise ConfigError(f"negative spread in {dict(self.spreads)}")


def _site_table(seed: int, names: list[str]) -> np.ndarray:
    """Draw standard normal deviations per (chip, column, parameter) of the wafer."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    return rng.standard_normal((_N_HICANNS, _N_COLUMNS, len(names)))


def vary_parameters(
    network: Network, sites: NeuronSites, variation: Variation
) -> Network:
    """Add each site's deviation to the parameters of the neuron placed there.

    Unplaced neurons (-1) keep their parameters. Time constants stay >= 0.1 ms.
    """
    names = sorted(variation.spreads)
    table = _site_table(variation.wafer_seed, names)
    placed = sites.hicann >= 0
    z = np.zeros((sites.hicann.size, len(names)))
    z[placed] = table[sites.hicann[placed], sites.column[placed] % _N_COLUMNS]
    if variation.trial_fraction > 0:
        trial = np.random.default_rng([variation.trial_seed, 0x7A1])
        z += variation.trial_fraction * trial.standard_normal(z.shape) * placed[:, None]
    sd = np.array([variation.spreads[k] for k in names])
    delta = z * sd
    populations = []
    for pop in network.populations:
        sl = slice(network.offset(pop.name), network.offset(pop.name) + pop.size)
        params = dict(pop.parameters)
        for j, name in enumerate(names):
            value = params[name] + delta[sl, j]
            params[name] = (
                np.maximum(value, _MIN_POSITIVE) if name in _POSITIVE else value
            )
        populations.append(dataclasses.replace(pop, parameters=params))
    return network.replace(populations=tuple(populations))


def vary_weights(network: Network, variation: Variation) -> Network:
    """Multiply every weight by ``max(1 + weight_sd * z, 0)``, z standard normal."""
    rng = np.random.default_rng(np.random.SeedSequence([variation.wafer_seed, 0xB1A5]))
    projections = []
    for proj in network.projections:
        factor = np.maximum(1 + variation.weight_sd * rng.standard_normal(proj.size), 0)
        projections.append(proj.replace(weight=proj.weight * factor))
    return network.replace(projections=tuple(projections))
