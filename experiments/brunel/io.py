"""Results in the seed's HDF5 layout (``exc.h5`` / ``inh.h5``), read and written.

One file per population::

    /block/name                                   population name (string)
    /block/segments/<i>/annotations/<key>         one scalar per annotation; the seed
                                                  writes population_size, sim_time (ms),
                                                  g and eta; ``twin brunel`` adds
                                                  recorded_from (ms: the trains hold
                                                  the spikes of (recorded_from,
                                                  sim_time]), seed, tier, layout and
                                                  the ensemble member's labels
    /block/segments/<i>/spiketrains/<k>/spiketrain   spike times, ms
    /block/segments/<i>/spiketrains/<k>/<key>        train annotations (optional)

Segment ``i`` is the i-th run of a sweep; train ``k`` the k-th recorded neuron. A user's
wafer results in this layout load with :func:`read_population`. Writes are atomic.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from twin.errors import ResultsError
from twin.files import atomic_write

__all__ = [
    "REQUIRED_ANNOTATIONS",
    "Segment",
    "read_population",
    "to_neo",
    "write_population",
]

#: Annotations the seed's analysis needs in every segment.
REQUIRED_ANNOTATIONS = ("sim_time", "g", "eta")


@dataclass(frozen=True, slots=True, eq=False)
class Segment:
    """One run of one population: annotations and the recorded spike trains."""

    annotations: Mapping[str, float | int | str]
    spiketrains: tuple[np.ndarray, ...]
    train_annotations: tuple[Mapping[str, float | int | str], ...] = field(default=())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return (
            dict(self.annotations) == dict(other.annotations)
            and len(self.spiketrains) == len(other.spiketrains)
            and all(
                np.array_equal(a, b)
                for a, b in zip(self.spiketrains, other.spiketrains, strict=True)
            )
        )

    __hash__ = None  # type: ignore[assignment]


def write_population(
    path: str | os.PathLike[str], name: str, segments: Sequence[Segment]
) -> Path:
    """Write one population's segments to ``path`` in the seed's layout (atomically).

    Parameters
    ----------
    path
        The HDF5 file to write (replaced if it exists; its folder is created).
    name
        The population's name (``/block/name``), e.g. ``"exc"``.
    segments
        One segment per run, written as ``/block/segments/<i>``: annotations as
        scalar datasets, spike trains (ms) as float arrays, train annotations
        (where given, one mapping per train) beside each train.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OSError
        If the file cannot be written (a previous file is then left as it was).
    IndexError
        If a segment has train annotations for fewer trains than it has trains.
    TypeError
        If an annotation value cannot be stored as an HDF5 dataset.
    """

    def write(tmp: Path) -> None:
        with h5py.File(tmp, "w") as fh:
            block = fh.create_group("block")
            block.create_dataset("name", data=name)
            group = block.create_group("segments")
            for i, seg in enumerate(segments):
                g = group.create_group(str(i))
                ann = g.create_group("annotations")
                for key, value in seg.annotations.items():
                    ann.create_dataset(key, data=value)
                trains = g.create_group("spiketrains")
                for k, times in enumerate(seg.spiketrains):
                    t = trains.create_group(str(k))
                    t.create_dataset("spiketrain", data=np.asarray(times, dtype=float))
                    extra = seg.train_annotations[k] if seg.train_annotations else {}
                    for key, value in extra.items():
                        t.create_dataset(key, data=value)

    return atomic_write(path, write)


def _scalar(dataset: h5py.Dataset) -> float | int | str:
    value = dataset[()]
    if isinstance(value, bytes):
        return value.decode()
    return value.item() if hasattr(value, "item") else value


def read_population(path: str | os.PathLike[str]) -> tuple[str, list[Segment]]:
    """Read a file in the seed's layout; return the population name and segments.

    Raises
    ------
    ResultsError
        If the file cannot be read as HDF5, has no ``/block/segments`` group, a
        segment lacks one of :data:`REQUIRED_ANNOTATIONS`, or a spike train group
        lacks its ``spiketrain`` dataset.
    """
    where = os.fspath(path)
    try:
        fh = h5py.File(where, "r")
    except OSError as err:
        raise ResultsError(f"cannot read {where!r} as HDF5 ({err})") from None
    with fh:
        if "block" not in fh or "segments" not in fh["block"]:
            raise ResultsError(
                f"{where!r} has no /block/segments group; is it an exc.h5/inh.h5 file "
                "written by the demo or by `twin brunel`?"
            )
        name = _scalar(fh["block/name"]) if "name" in fh["block"] else ""
        segments = []
        groups = fh["block/segments"]
        for i in sorted(groups, key=int):
            segments.append(_read_segment(groups[i], where, i))
    return str(name), segments


def _read_segment(group: h5py.Group, where: str, index: str) -> Segment:
    ann_group = group.get("annotations", {})
    annotations = {k: _scalar(ann_group[k]) for k in ann_group}
    missing = [k for k in REQUIRED_ANNOTATIONS if k not in annotations]
    if missing:
        raise ResultsError(
            f"{where!r}, segment {index}: missing annotation(s) {missing}; every "
            f"segment needs {list(REQUIRED_ANNOTATIONS)}"
        )
    trains, extras = [], []
    tgroup = group.get("spiketrains", {})
    for k in sorted(tgroup, key=int):
        if "spiketrain" not in tgroup[k]:
            raise ResultsError(f"{where!r}, segment {index}, train {k}: no spiketrain")
        trains.append(np.asarray(tgroup[k]["spiketrain"][()], dtype=float))
        extras.append(
            {a: _scalar(tgroup[k][a]) for a in tgroup[k] if a != "spiketrain"}
        )
    return Segment(annotations, tuple(trains), tuple(extras))


def to_neo(name: str, segments: Sequence[Segment]) -> Any:
    """Return the segments as a Neo ``Block`` (as the demo's reader builds it).

    Every train gets ``t_stop = sim_time`` and ``t_start = recorded_from`` (ms; 0
    when the segment has no ``recorded_from``, as the demo's reader sets it): the
    window the train's spikes cover, so Neo's and Elephant's rates of a train are
    count / (t_stop - t_start). The segment's annotations become Neo annotations.
    Needs the ``neo`` package (the ``test`` extra installs it).

    Raises
    ------
    ResultsError
        If ``neo`` (or ``quantities``) is not installed, or a spike lies outside its
        segment's window.
    """
    try:
        import neo
        import quantities as pq
    except ImportError:
        raise ResultsError(
            "Neo export needs the neo package; pip install neo (or `make test`)"
        ) from None
    block = neo.Block(name=name)
    for i, seg in enumerate(segments):
        out = neo.Segment(name=str(i), **dict(seg.annotations.items()))
        t_stop = float(seg.annotations["sim_time"])
        t_start = float(seg.annotations.get("recorded_from", 0.0))
        for k, times in enumerate(seg.spiketrains):
            extra = seg.train_annotations[k] if seg.train_annotations else {}
            times = np.asarray(times, dtype=float)
            outside = (times < t_start) | (times > t_stop)
            if np.any(outside):
                raise ResultsError(
                    f"segment {i}, train {k}: spike at {times[outside][0]} ms outside "
                    f"the segment's window [{t_start}, {t_stop}] ms (recorded_from, "
                    "sim_time); fix the annotations or the spike times"
                )
            out.spiketrains.append(
                neo.SpikeTrain(
                    np.asarray(times) * pq.ms,
                    t_start=t_start * pq.ms,
                    t_stop=t_stop * pq.ms,
                    name=str(k),
                    **extra,
                )
            )
        block.segments.append(out)
    return block
