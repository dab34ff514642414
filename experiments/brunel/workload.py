"""The seed experiment as a workload of the run layer (:mod:`experiments.runs`).

A point is a :class:`BrunelConfig`. The points of one realisation (same config up to
g and eta) share one network built at g = 1, eta = 1; each point is a variant of the
batched call that scales the inhibitory weights by g and the Poisson rates by eta
(:mod:`experiments.brunel.layout` says why this is exact up to the hardware tier's
4-bit rounding). What a tier requests:

- ``ideal`` and ``mapped``: the model network (with the model's parameter and weight
  spreads, as NEST runs it);
- ``hardware``: what the wafer is given — the model's *mean* parameters and weights
  (the wafer supplies its own variation);
- the layout (all neurons, or the first 30 excitatory neurons isolated one per chip)
  sets the mapping's isolation and the recorded neurons.

Every neuron starts at its own resting potential (``Request.v0`` is ``None``), on the
twin and on NEST. ``examples/brunel_pynn.py`` builds the same model through PyNN (and
starts its neurons at rest too; the seed left PyNN's -65 mV) with its own draws.

Metrics: the seed's protocol over the layout's neurons in the last analysis window
(rate, CV, global CV; :mod:`experiments.runs.analysis`) and the mean rate of every
excitatory and inhibitory neuron over the whole run. A theory tier gives the rates
(the mean of the recorded neurons' stationary rates, the populations' means) and no
CV (NaN): a stationary rate says nothing of the spike trains' irregularity.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from experiments.brunel.config import SEED_ETAS, SEED_GS, BrunelConfig
from experiments.brunel.layout import ISOLATED, LAYOUTS, layout_of, recorded_neurons
from experiments.brunel.mapping import MapRequest, brunel_mapping_config
from experiments.brunel.network import build_network
from experiments.runs.analysis import activity
from experiments.runs.nest import nest_seed_of
from experiments.runs.result import PointResult
from experiments.runs.sweep import run_sweep
from experiments.runs.workload import Column, Output, Request, Variant
from twin.analog import SimConfig
from twin.errors import ConfigError
from twin.hardware import HardwareConfig
from twin.recording import SpikeRecording
from twin.tiers import IDEAL, Tier, behaviour, tier_list
from twin.wafer import Wafer

__all__ = ["COLUMNS", "BrunelWorkload", "grid", "run", "sweep"]

#: The metrics of a Brunel run, in the order of ``summary.csv``.
COLUMNS: Final = (
    Column("n_neurons", "d"),
    Column("rate_hz", judged=True),
    Column("cv"),
    Column("global_cv"),
    Column("run_rate_exc_hz"),
    Column("run_rate_inh_hz"),
)


def grid(
    base: BrunelConfig,
    gs: Sequence[float] = SEED_GS,
    etas: Sequence[float] = SEED_ETAS,
    seeds: int = 1,
) -> list[BrunelConfig]:
    """Return the (g, eta) grid for ``seeds`` realisations (seed, seed + 1, ...).

    Raises
    ------
    ConfigError
        If ``seeds`` < 1, or a value of ``gs`` or ``etas`` makes an invalid
        configuration (not > 0; see :class:`experiments.brunel.BrunelConfig`).
    """
    if seeds < 1:
        raise ConfigError(f"seeds = {seeds}; run at least one realisation")
    return [
        base.replace(g=g, eta=eta, seed=base.seed + k)
        for k in range(seeds)
        for g in gs
        for eta in etas
    ]


@dataclass(frozen=True, slots=True)
class BrunelWorkload:
    """The seed's Brunel network for :func:`experiments.runs.sweep.run_sweep`.

    Parameters
    ----------
    force_layout
        Record ``"all"`` neurons or the ``"30"`` isolated ones at every point
        (default ``None``: the seed's rule,
        :func:`experiments.brunel.layout.layout_of`).
    mapping
        Changes to the seed's mapping settings, as (option, value) pairs of
        :class:`twin.routing.MappingConfig` (e.g. ``(("router", "shortest"),)``):
        an ensemble's mapping strategies.

    Raises
    ------
    ConfigError
        If ``force_layout`` is not ``"all"``, ``"30"`` or ``None``.
    """

    force_layout: str | None = None
    mapping: tuple[tuple[str, Any], ...] = ()
    name: str = "brunel"
    coords: tuple[str, ...] = ("g", "eta")
    columns: tuple[Column, ...] = COLUMNS

    def __post_init__(self) -> None:
        if self.force_layout is not None and self.force_layout not in LAYOUTS:
            raise ConfigError(
                f"unknown layout {self.force_layout!r}; use 'all', '30' or None"
            )

    @property
    def settings(self) -> Hashable:
        """The forced layout and mapping changes (part of every point's fingerprint).

        Without mapping changes: the forced layout alone (as stores written before
        mapping changes existed).
        """
        if not self.mapping:
            return self.force_layout
        return (self.force_layout, self.mapping)

    def coordinates(self, point: BrunelConfig) -> Mapping[str, float]:
        """Return g and eta."""
        return {"g": point.g, "eta": point.eta}

    def seed(self, point: BrunelConfig) -> int:
        """Return the realisation seed."""
        return point.seed

    def realisation(self, point: BrunelConfig) -> BrunelConfig:
        """Return the point moved to g = 1, eta = 1: shared by its realisation."""
        return point.replace(g=1.0, eta=1.0)

    def layout(self, point: BrunelConfig) -> str:
        """Return the forced layout, else the seed's rule."""
        return self.force_layout or layout_of(point.g, point.eta)

    def request(self, point: BrunelConfig, fidelity: str, layout: str) -> Request:
        """Return the realisation's network at g = 1, eta = 1 and its mapping settings.

        Raises
        ------
        ConfigError
            If ``layout`` is unknown or the network cannot be drawn (see
            :func:`experiments.brunel.build_network`).
        """
        if layout not in LAYOUTS:
            raise ConfigError(f"unknown layout {layout!r}; use 'all' or '30'")
        reference = self.realisation(point)
        if behaviour(fidelity).supplies_variation:
            reference = reference.replace(variation=False)
        isolate = 0 if layout == "all" else ISOLATED
        mapping = brunel_mapping_config(
            MapRequest(config=reference, isolate=isolate), **dict(self.mapping)
        )
        return Request(build_network(reference), mapping)

    def recorded(self, point: BrunelConfig, layout: str) -> np.ndarray:
        """Return the layout's recorded ids (all neurons, or the 30 isolated)."""
        return recorded_neurons(point, layout)

    def variant(self, point: BrunelConfig) -> Variant:
        """Return g and eta as scales; the key depends on (seed, g, eta) only."""
        key = (point.seed, round(point.g * 1000), round(point.eta * 1000))
        return Variant(key=key, g_scale=point.g, rate_scale=point.eta)

    def sim_config(self, point: BrunelConfig) -> SimConfig:
        """Return the run settings: spikes kept for the analysis window.

        Raises
        ------
        ConfigError
            If ``dt`` is not a positive multiple of 0.001 ms or ``t_stop`` not a
            whole number of its steps.
        """
        return SimConfig(
            t_stop=point.t_stop,
            dt=point.dt,
            record_from=point.t_stop - point.analysis_window,
        )

    def nest_seed(self, point: BrunelConfig) -> int:
        """Return NEST's kernel seed of a point: its (seed, g, eta) label hashed.

        g and eta count in thousandths, as in the twin's key (:meth:`variant`);
        see :func:`experiments.runs.nest.nest_seed_of`.
        """
        return nest_seed_of(point.seed, round(point.g * 1000), round(point.eta * 1000))

    def metrics(
        self, point: BrunelConfig, recording: SpikeRecording, recorded: np.ndarray
    ) -> dict[str, float]:
        """Return the seed's three numbers and the population rates.

        ``n_neurons``, ``rate_hz``, ``cv`` and ``global_cv`` describe the recorded
        neurons over the analysis window (the seed's numbers: what the wafer's
        recording shows); ``run_rate_exc_hz`` and ``run_rate_inh_hz`` are the mean
        rates of every excitatory and inhibitory neuron over the whole run, as
        emitted (spike counts before any recording loss), hence their name.

        Raises
        ------
        ConfigError
            If ``point.analysis_window`` is not positive.
        """
        act = activity(
            recording.times,
            recording.ids,
            recorded,
            point.t_stop,
            window=point.analysis_window,
        )
        seconds = point.t_stop * 1e-3
        counts = recording.counts
        return {
            "n_neurons": act.n_neurons,
            "rate_hz": act.rate,
            "cv": act.cv,
            "global_cv": act.global_cv,
            "run_rate_exc_hz": float(counts[: point.n_exc].mean() / seconds),
            "run_rate_inh_hz": float(counts[point.n_exc :].mean() / seconds),
        }

    def theory_metrics(
        self,
        point: BrunelConfig,
        rates: Mapping[str, np.ndarray],
        recorded: np.ndarray,
    ) -> dict[str, float]:
        """Return the metrics of the stationary rates of a theory tier.

        ``rate_hz`` is the mean stationary rate of the recorded neurons,
        ``run_rate_exc_hz``/``run_rate_inh_hz`` the populations' mean rates (Hz);
        ``cv`` and ``global_cv`` are NaN (spike statistics).

        Parameters
        ----------
        point
            The point.
        rates
            ``exc`` and ``inh`` -> each neuron's rate, Hz (NaN: none).
        recorded
            Global ids of the layout's recorded neurons.

        Returns
        -------
        dict
            The metrics of :data:`COLUMNS`.
        """
        every = np.concatenate([rates["exc"], rates["inh"]])
        return {
            "n_neurons": int(np.asarray(recorded).size),
            "rate_hz": float(every[recorded].mean()),
            "cv": float("nan"),
            "global_cv": float("nan"),
            "run_rate_exc_hz": float(rates["exc"].mean()),
            "run_rate_inh_hz": float(rates["inh"].mean()),
        }

    def outputs(self) -> tuple[Output, ...]:
        """Return the files a sweep writes: tables, seed files, figures, ensemble.

        Returns
        -------
        tuple of Output
            :func:`experiments.brunel.outputs.outputs` of this workload.
        """
        from experiments.brunel.outputs import outputs

        return outputs(self)


def run(
    config: BrunelConfig,
    backend: str = "twin",
    fidelity: str = IDEAL,
    *,
    hardware: HardwareConfig | None = None,
    wafer: Wafer | None = None,
) -> PointResult:
    """Run one point of the seed experiment and analyse it with the seed's protocol.

    Raises
    ------
    ConfigError
        If ``backend`` or ``fidelity`` is unknown, NEST is asked for the hardware
        tier or is not installed, or the point cannot be built or run (see
        :func:`experiments.runs.sweep.run_sweep`).
    NetworkError, PlacementError, WaferSpecError, NumericalError
        If the network is invalid, cannot be mapped on ``wafer`` or run.

    Examples
    --------
    >>> r = run(BrunelConfig.tiny(g=8.0, eta=0.8))
    >>> (r.backend, r.tier, r.layout), r["rate_hz"] >= 0
    (('twin', 'ideal', 'all'), True)
    """
    tiers = tier_list([fidelity], hardware=hardware)
    return run_sweep(BrunelWorkload(), [config], backend, tiers, wafer=wafer)[0]


def sweep(
    configs: Sequence[BrunelConfig],
    backend: str = "twin",
    tiers: Sequence[Tier] | None = None,
    *,
    layout: str | None = None,
    **options: Any,
) -> list[PointResult]:
    """Run Brunel points: :func:`experiments.runs.sweep.run_sweep` of a workload.

    ``layout`` forces a recording layout on every point (see
    :class:`BrunelWorkload`); ``options`` go to ``run_sweep`` (``out``, ``wafer``,
    ``threads``, ``progress``).

    Raises
    ------
    ConfigError
        If ``layout`` is unknown, or as :func:`experiments.runs.sweep.run_sweep`.
    """
    return run_sweep(BrunelWorkload(layout), configs, backend, tiers, **options)
