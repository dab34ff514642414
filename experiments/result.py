"""``BrunelResult``: one analysed run of one (g, eta) point, and its file on disk.

A finished point is written at once to ``points/<tier>/seed<seed>/g<g>_eta<eta>.npz``
(atomically), so an interrupted sweep resumes by loading the points it finds instead
of recomputing them.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from experiments.analysis import Activity, activity
from experiments.brunel import BrunelConfig
from twin.errors import ResultsError
from twin.files import atomic_write_bytes
from twin.recording import SpikeRecording

__all__ = ["BrunelResult", "analyse", "load_point", "point_path", "save_point"]


@dataclass(frozen=True, slots=True, eq=False)
class BrunelResult:
    """One analysed run.

    Attributes
    ----------
    g, eta, seed
        The point and the network realisation.
    backend, tier
        ``"twin"`` or ``"nest"``; the fidelity tier (``ideal``, ``mapped``,
        ``hardware`` or an ablation such as ``hardware-no-saturation``).
    layout
        ``"all"`` or ``"30"``: which neurons the analysis considers.
    activity
        The seed's protocol over the layout's neurons (last analysis window).
    rate_exc, rate_inh
        Mean rate of all excitatory / inhibitory neurons over the whole run, Hz.
    recording
        The spikes (for the hardware tier: what the wafer would record).
    losses
        Counters: ``synapse_loss`` (fraction) and dropped events per resource.
    wall
        Wall time of the run, s (a batched point: its share of the call).
    recorded_from
        Spikes are present from this time on, ms (the twin keeps the analysed window).
    groups
        Hardware tier: resource -> unit (chip, neuron block, bus or FPGA id) ->
        (events offered, events dropped).
    """

    g: float
    eta: float
    seed: int
    backend: str
    tier: str
    layout: str
    activity: Activity
    rate_exc: float
    rate_inh: float
    recording: SpikeRecording
    losses: MappingProxyType[str, float] = field(
        default_factory=lambda: MappingProxyType({})
    )
    wall: float = 0.0
    recorded_from: float = 0.0
    groups: MappingProxyType[str, MappingProxyType[int, tuple[int, int]]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @property
    def rate(self) -> float:
        """Mean rate of the considered neurons, Hz."""
        return self.activity.rate

    @property
    def cv(self) -> float:
        """Mean CV of the ISIs."""
        return self.activity.cv

    @property
    def global_cv(self) -> float:
        """CV of the 0.2 ms population histogram."""
        return self.activity.global_cv


def analyse(
    config: BrunelConfig,
    rec: SpikeRecording,
    *,
    backend: str,
    tier: str,
    layout: str,
    neurons: np.ndarray,
    losses: dict[str, float] | None = None,
    wall: float = 0.0,
    recorded_from: float = 0.0,
    groups: Mapping[str, Mapping[int, tuple[int, int]]] | None = None,
) -> BrunelResult:
    """Apply the seed's protocol to one recording.

    Raises
    ------
    ConfigError
        If ``config.analysis_window`` is not positive.
    """
    act = activity(
        rec.times, rec.ids, neurons, config.t_stop, window=config.analysis_window
    )
    seconds = config.t_stop * 1e-3
    return BrunelResult(
        g=config.g,
        eta=config.eta,
        seed=config.seed,
        backend=backend,
        tier=tier,
        layout=layout,
        activity=act,
        rate_exc=float(rec.counts[: config.n_exc].mean() / seconds),
        rate_inh=float(rec.counts[config.n_exc :].mean() / seconds),
        recording=rec,
        losses=MappingProxyType(dict(losses or {})),
        wall=wall,
        recorded_from=recorded_from,
        groups=MappingProxyType(
            {
                k: MappingProxyType(
                    {int(u): (int(o), int(d)) for u, (o, d) in v.items()}
                )
                for k, v in (groups or {}).items()
            }
        ),
    )


def point_path(
    out: Path, backend: str, tier: str, config: BrunelConfig, settings: str = ""
) -> Path:
    """Where the finished point is stored.

    The folder name carries a fingerprint of everything that determines the result
    except (g, eta) — the model configuration and the tier's ``settings`` (e.g. the
    hardware configuration's repr) — so a changed setting never reuses old points.
    """
    key = repr((config.replace(g=1.0, eta=1.0), settings)).encode()
    digest = hashlib.sha256(key).hexdigest()[:10]
    name = f"g{config.g:g}_eta{config.eta:g}.npz"
    return out / "points" / f"{backend}-{tier}-{digest}" / name


def save_point(path: Path, result: BrunelResult, neurons: np.ndarray) -> Path:
    """Write one result atomically (spikes, counts, counters, metadata)."""
    rec = result.recording
    meta = {
        "g": result.g,
        "eta": result.eta,
        "seed": result.seed,
        "backend": result.backend,
        "tier": result.tier,
        "layout": result.layout,
        "rate_exc": result.rate_exc,
        "rate_inh": result.rate_inh,
        "losses": dict(result.losses),
        "wall": result.wall,
        "recorded_from": result.recorded_from,
        "groups": {
            k: {str(u): list(c) for u, c in v.items()} for k, v in result.groups.items()
        },
        "t_stop": rec.t_stop,
        "dt": rec.dt,
        "counters": dict(rec.counters),
        "offsets": dict(rec.population_offsets),
    }
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        times=rec.times,
        ids=rec.ids,
        counts=rec.counts,
        neurons=neurons,
        meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
        **{f"recorded_{k}": v for k, v in rec.recorded.items()},  # type: ignore[arg-type]
    )
    return atomic_write_bytes(path, buffer.getvalue())


def load_point(path: Path, config: BrunelConfig) -> BrunelResult:
    """Read a point written by :func:`save_point` and analyse it again.

    Raises
    ------
    ResultsError
        If the file cannot be read as a NumPy archive or has no readable ``meta``
        entry.
    ConfigError
        If ``config.analysis_window`` is not positive.
    """
    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
    except (OSError, ValueError, KeyError) as err:
        raise ResultsError(
            f"{str(path)!r} is not a readable point file ({err}); delete it to "
            "recompute"
        ) from None
    rec = SpikeRecording(
        times=arrays["times"],
        ids=arrays["ids"],
        recorded=MappingProxyType(
            {k[9:]: v for k, v in arrays.items() if k.startswith("recorded_")}
        ),
        population_offsets=MappingProxyType(meta["offsets"]),
        t_stop=meta["t_stop"],
        dt=meta["dt"],
        counts=arrays["counts"],
        traces=np.zeros((0, 0)),
        counters=MappingProxyType(meta["counters"]),
    )
    return analyse(
        config,
        rec,
        backend=meta["backend"],
        tier=meta["tier"],
        layout=meta["layout"],
        neurons=arrays["neurons"],
        losses=meta["losses"],
        wall=meta["wall"],
        recorded_from=meta["recorded_from"],
        groups={
            k: {int(u): (c[0], c[1]) for u, c in v.items()}
            for k, v in meta.get("groups", {}).items()
        },
    )
