"""``PointResult``: one analysed run of one point of a workload, and its file on disk.

A finished point is written at once (atomically) to
``points/<backend>-<tier>-<fingerprint>/<version>-<source digest>/<coordinates>.npz``
(:func:`point_path` gives the folder of the settings, :mod:`experiments.runs.store`
adds the code's), so an interrupted sweep
resumes by loading the points it finds instead of recomputing them. The metrics are
not stored: loading a point analyses its spikes again with the workload's protocol.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from experiments.runs.workload import Workload
from twin.errors import ResultsError
from twin.files import atomic_write_bytes
from twin.recording import SpikeRecording
from twin.tiers import is_theory

__all__ = ["PointResult", "analyse", "load_point", "point_path", "save_point"]


@dataclass(frozen=True, slots=True, eq=False)
class PointResult:
    """One analysed run.

    Attributes
    ----------
    workload
        The workload's name.
    point
        The point's swept coordinates (the workload's ``coords``), e.g. g and eta.
    seed
        The network realisation.
    backend, tier
        ``"twin"`` or ``"nest"``; the fidelity tier (``ideal``, ``mapped``,
        ``hardware``, an ablation such as ``hardware-no-saturation``, or a theory
        tier such as ``theory``).
    layout
        Which neurons were recorded and analysed (the workload's layout name).
    metrics
        The workload's metrics of this run, in its column order.
    recording
        The spikes (for the hardware tier: what the wafer would record; a theory
        tier's has none, and no per-neuron counts: its metrics come from rates).
    neurons
        Global ids of the recorded and analysed neurons (the layout's).
    losses
        Counters: ``synapse_loss`` (fraction) and events offered to and dropped by
        each rate-limited resource.
    wall
        Wall time of the run, s (a batched point: its share of the call).
    recorded_from
        The recording holds every spike of the recorded neurons from this time on,
        ms: the workload's ``sim_config(point).record_from`` (the twin records from
        there, or from the start of its block, on; NEST from 0). The workloads'
        windowed metrics cover (recorded_from, t_stop].
    groups
        Hardware tier: resource -> unit (chip, neuron block, bus or FPGA id) ->
        (events offered, events dropped).
    note
        What the metrics leave out or carry, as text (theory tiers: the solve's
        flags, effects the theory does not express; empty if nothing).
    """

    workload: str
    point: MappingProxyType[str, float]
    seed: int
    backend: str
    tier: str
    layout: str
    metrics: MappingProxyType[str, float]
    recording: SpikeRecording
    neurons: np.ndarray
    losses: MappingProxyType[str, float] = field(
        default_factory=lambda: MappingProxyType({})
    )
    wall: float = 0.0
    recorded_from: float = 0.0
    groups: MappingProxyType[str, MappingProxyType[int, tuple[int, int]]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    note: str = ""

    @property
    def window(self) -> tuple[float, float] | None:
        """The analysed window ``(recorded_from, t_stop)``, ms.

        ``None`` for a theory tier's row: stationary rates are computed, not
        simulated over a time.
        """
        if is_theory(self.tier):
            return None
        return float(self.recorded_from), float(self.recording.t_stop)

    def __getitem__(self, name: str) -> float:
        """Return a coordinate or a metric by name.

        Raises
        ------
        KeyError
            If ``name`` is neither.
        """
        if name in self.point:
            return self.point[name]
        return self.metrics[name]


def analyse(
    workload: Workload[Any],
    point: Hashable,
    rec: SpikeRecording,
    *,
    backend: str,
    tier: str,
    layout: str,
    neurons: np.ndarray,
    losses: Mapping[str, float] | None = None,
    wall: float = 0.0,
    recorded_from: float | None = None,
    groups: Mapping[str, Mapping[int, tuple[int, int]]] | None = None,
) -> PointResult:
    """Apply the workload's analysis to one recording.

    ``recorded_from`` (ms) defaults to the workload's ``sim_config(point)
    .record_from``: the time from which every backend's recording is complete.

    Raises
    ------
    ConfigError
        If the workload's analysis rejects the point (e.g. a window that is not
        positive).
    """
    return PointResult(
        workload=workload.name,
        point=MappingProxyType(dict(workload.coordinates(point))),
        seed=workload.seed(point),
        backend=backend,
        tier=tier,
        layout=layout,
        metrics=MappingProxyType(workload.metrics(point, rec, neurons)),
        recording=rec,
        neurons=np.asarray(neurons),
        losses=MappingProxyType(dict(losses or {})),
        wall=wall,
        recorded_from=(
            workload.sim_config(point).record_from
            if recorded_from is None
            else float(recorded_from)
        ),
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
    out: Path,
    backend: str,
    tier: str,
    workload: Workload[Any],
    point: Hashable,
    settings: str = "",
) -> Path:
    """Where the finished point is stored.

    The folder name carries a fingerprint of everything that determines the result
    except the point's coordinates — its realisation (the model configuration) and
    the tier's ``settings`` (e.g. the hardware configuration's repr) — so a changed
    setting never reuses old points. The file name is made of the coordinates.
    """
    key = repr((workload.realisation(point), settings)).encode()
    digest = hashlib.sha256(key).hexdigest()[:10]
    coords = workload.coordinates(point)
    name = "_".join(f"{k}{v:.12g}" for k, v in coords.items()) + ".npz"
    return out / "points" / f"{backend}-{tier}-{digest}" / name


def save_point(path: Path, result: PointResult) -> Path:
    """Write one result atomically (spikes, counts, counters, metadata)."""
    rec = result.recording
    meta = {
        "workload": result.workload,
        "point": dict(result.point),
        "seed": result.seed,
        "backend": result.backend,
        "tier": result.tier,
        "layout": result.layout,
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
        neurons=result.neurons,
        meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
        **{f"recorded_{k}": v for k, v in rec.recorded.items()},  # type: ignore[arg-type]
    )
    return atomic_write_bytes(path, buffer.getvalue())


def load_point(path: Path, workload: Workload[Any], point: Hashable) -> PointResult:
    """Read a point written by :func:`save_point` and analyse it again.

    ``recorded_from`` is derived again from the workload (as :func:`analyse` does),
    not read back: files of older versions stored 0 whatever the twin recorded.

    Raises
    ------
    ResultsError
        If the file cannot be read as a NumPy archive or has no readable ``meta``
        entry.
    ConfigError
        If the workload's analysis rejects the point.
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
        workload,
        point,
        rec,
        backend=meta["backend"],
        tier=meta["tier"],
        layout=meta["layout"],
        neurons=arrays["neurons"],
        losses=meta["losses"],
        wall=meta["wall"],
        groups={
            k: {int(u): (c[0], c[1]) for u, c in v.items()}
            for k, v in meta.get("groups", {}).items()
        },
    )
