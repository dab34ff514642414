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

Deviations are Gaussian *truncated* to what a working, calibrated circuit can have,
with the same bounds the seed's NEST model re-draws at: time constants stay
positive, weights non-negative, and the reset potential stays below
``v_rest + reset_ceiling * (v_thresh - v_rest)`` of the programmed values and below
the neuron's own threshold. A circuit that resets above its threshold fires at
``1/tau_refrac`` whatever its input; it cannot be calibrated and the wafer's
blacklisting removes it. (Clipping instead of truncating would put 1 % of the neurons
of the seed's network above threshold, firing at 350 Hz, and 3 % at the shortest
refractory time.) Truncation is done by the quantile map of each site's standard
normal deviation, so a site keeps its deviation's sign and rank.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np
from scipy.special import ndtr, ndtri

from twin.errors import ConfigError
from twin.network import Network
from twin.spreads import SPREADS
from twin.wafer.coords import N_HICANNS
from twin.wafer.neurons import N_COLUMNS

__all__ = [
    "SPREADS",
    "NeuronSites",
    "Variation",
    "truncated",
    "vary_parameters",
    "vary_weights",
]

_POSITIVE: Final = frozenset({"tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac"})


@dataclass(frozen=True, slots=True)
class NeuronSites:
    """Where the neurons of a network sit (global neuron order), -1 if unplaced.

    Raises
    ------
    ConfigError
        If ``hicann`` and ``column`` differ in shape.
    """

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
    reset_ceiling
        Highest reset as a fraction of the programmed rest-to-threshold distance
        (the seed's model: 0.9).
    bounds
        Parameter -> (low, high): tighter truncation bounds of a parameter (PyNN
        units) than positivity, the range a workload's NEST model redraws at (the
        microcircuit demo: tau_m above 3 ms, tau_syn_E in [1.8, 4], tau_syn_I in
        [1.9, 6] ms). A bound is widened to a programmed value outside it.

    Raises
    ------
    ConfigError
        If ``weight_sd``, ``trial_fraction`` or a spread is negative (or the
        fraction not finite), a seed is negative, ``reset_ceiling`` is not in
        (0, 1], or a bound has low > high.
    """

    wafer_seed: int = 30
    spreads: MappingProxyType[str, float] = field(
        default_factory=lambda: SPREADS[("big", "normal")]
    )
    weight_sd: float = 0.5
    trial_fraction: float = 0.0
    trial_seed: int = 0
    reset_ceiling: float = 0.9
    bounds: MappingProxyType[str, tuple[float, float]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def __post_init__(self) -> None:
        if self.wafer_seed < 0 or self.trial_seed < 0:
            raise ConfigError(
                f"wafer_seed = {self.wafer_seed}, trial_seed = {self.trial_seed}; "
                "seeds must be >= 0"
            )
        if not np.isfinite(self.trial_fraction):
            raise ConfigError(
                f"trial_fraction = {self.trial_fraction}; give a finite fraction >= 0"
            )
        for name, (low, high) in self.bounds.items():
            if not low <= high:
                raise ConfigError(
                    f"variation bound of {name}: ({low}, {high}); give low <= high"
                )
        if self.weight_sd < 0 or self.trial_fraction < 0:
            raise ConfigError("weight_sd and trial_fraction must be >= 0")
        if any(v < 0 for v in self.spreads.values()):
            raise ConfigError(f"negative spread in {dict(self.spreads)}")
        if not 0 < self.reset_ceiling <= 1:
            raise ConfigError(
                f"reset_ceiling = {self.reset_ceiling}; use a fraction in (0, 1]"
            )


def truncated(
    z: np.ndarray, low: np.ndarray | float, high: np.ndarray | float
) -> np.ndarray:
    """Map standard normal values to the standard normal truncated to [low, high].

    The quantile map ``Phi^-1(Phi(low) + Phi(z) (Phi(high) - Phi(low)))``: if ``z`` is
    standard normal, the result is distributed as the truncated normal (what
    re-drawing out-of-range values gives), and it is monotonic in ``z``.

    Examples
    --------
    >>> x = truncated(np.random.default_rng(0).standard_normal(100_000), 0.0, np.inf)
    >>> bool(x.min() >= 0), round(float(x.mean()), 2)  # half-normal mean 0.80
    (True, 0.8)
    """
    z, low, high = np.broadcast_arrays(*(np.asarray(x, float) for x in (z, low, high)))
    lo, hi = ndtr(low), ndtr(high)
    mapped = ndtri(lo + ndtr(z) * (hi - lo))
    mapped = np.clip(mapped, low, high)
    return np.where(np.isinf(low) & np.isinf(high), z, mapped)


def _deviate(
    value: np.ndarray,
    sd: float,
    z: np.ndarray,
    low: np.ndarray | float,
    high: np.ndarray | float,
) -> np.ndarray:
    """Return ``value + sd * z`` with ``z`` truncated so the result is in bounds."""
    if sd == 0:
        return value
    return value + sd * truncated(z, (low - value) / sd, (high - value) / sd)


def _site_table(seed: int, names: list[str]) -> np.ndarray:
    """Draw standard normal deviations per (chip, column, parameter) of the wafer."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    return rng.standard_normal((N_HICANNS, N_COLUMNS, len(names)))


def _site_deviations(
    sites: NeuronSites, variation: Variation, names: list[str]
) -> tuple[np.ndarray, float]:
    """Return the unit deviation of every neuron's site and the factor on the sd."""
    table = _site_table(variation.wafer_seed, names)
    placed = sites.hicann >= 0
    z = np.zeros((sites.hicann.size, len(names)))
    z[placed] = table[sites.hicann[placed], sites.column[placed] % N_COLUMNS]
    if variation.trial_fraction == 0:
        return z, 1.0
    trial = np.random.default_rng([variation.trial_seed, 0x7A1])
    z += variation.trial_fraction * trial.standard_normal(z.shape) * placed[:, None]
    scale = float(np.hypot(1.0, variation.trial_fraction))
    return z / scale, scale


def _vary(
    params: dict[str, np.ndarray], z: dict[str, np.ndarray], variation: Variation
) -> dict[str, np.ndarray]:
    """Deviate one population's parameters (``z``: unit deviations per name)."""
    out = dict(params)
    for name in sorted(z):
        if name == "v_reset":
            continue
        low = 0.0 if name in _POSITIVE else -np.inf
        high = np.inf
        if name in variation.bounds:
            lo, hi = variation.bounds[name]
            # Widened to a programmed value outside the bounds.
            low = np.minimum(max(low, lo), params[name])
            high = np.maximum(hi, params[name])
        out[name] = _deviate(params[name], variation.spreads[name], z[name], low, high)
    if "v_reset" in z:
        rest, thresh = params["v_rest"], params["v_thresh"]
        high = np.minimum(
            rest + variation.reset_ceiling * (thresh - rest), out["v_thresh"]
        )
        reset = _deviate(
            params["v_reset"], variation.spreads["v_reset"], z["v_reset"], -np.inf, high
        )
        out["v_reset"] = np.minimum(reset, np.nextafter(out["v_thresh"], -np.inf))
    return out


def vary_parameters(
    network: Network, sites: NeuronSites, variation: Variation
) -> Network:
    """Add each site's deviation to the parameters of the neuron placed there.

    Unplaced neurons (-1) keep their parameters; the deviations are truncated to the
    bounds of the module docstring.

    Raises
    ------
    NetworkError
        If a deviated parameter violates a bound of its cell type that the truncation
        does not keep (:data:`twin.cells.CELL_RULES`), e.g. with a spread given for
        ``cm``.
    """
    names = sorted(variation.spreads)
    z, scale = _site_deviations(sites, variation, names)
    spread = dataclasses.replace(
        variation,
        spreads=MappingProxyType({k: v * scale for k, v in variation.spreads.items()}),
    )
    placed = sites.hicann >= 0
    populations = []
    for pop in network.populations:
        sl = slice(network.offset(pop.name), network.offset(pop.name) + pop.size)
        params = dict(pop.parameters)
        varied = _vary(params, {k: z[sl, j] for j, k in enumerate(names)}, spread)
        params.update({k: np.where(placed[sl], varied[k], params[k]) for k in names})
        populations.append(dataclasses.replace(pop, parameters=params))
    return network.replace(populations=tuple(populations))


def vary_weights(network: Network, variation: Variation) -> Network:
    """Multiply every weight by ``1 + weight_sd * z``.

    ``z`` is standard normal truncated so that the factor is non-negative (the seed's
    model re-draws negative weights).
    """
    if variation.weight_sd == 0:
        return network
    rng = np.random.default_rng(np.random.SeedSequence([variation.wafer_seed, 0xB1A5]))
    projections = []
    low = -1.0 / variation.weight_sd
    for proj in network.projections:
        z = truncated(rng.standard_normal(proj.size), low, np.inf)
        projections.append(
            proj.replace(weight=proj.weight * (1 + variation.weight_sd * z))
        )
    return network.replace(projections=tuple(projections))
