"""``twin job prepare``: a job folder with ``run.py``, ``job.json`` and the prediction.

A prepared folder holds everything the platform and the comparison need:

* ``run.py``: one self-contained script (the platform runs a single file) taking
  the backend on its command line, ``python run.py brainscales`` or ``nest``;
* ``job.json``: the platform configuration the seed submits (``hardware_config``),
  the command, the marocco settings ``run.py`` applies (neuron size, defects,
  calibration, isolated neurons and the layouts per point), the points and run
  length, and where the prediction lies (schema :data:`JOB_SCHEMA`, units in keys);
* ``prediction/`` and ``prediction.json``: the twin's mapped and hardware tiers on
  the same network (:mod:`experiments.jobs.prediction`).

Every file is written atomically.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from experiments.brunel import BrunelConfig
from experiments.brunel.layout import layout_of
from experiments.brunel.seed_network import DELAY_SEED, VARIATION_SEED, WEIGHT_SEED
from experiments.jobs import brunel_script
from experiments.jobs.config import PLATFORM, HardwareJob
from experiments.jobs.errors import JobError
from experiments.jobs.prediction import predict_brunel
from twin.files import atomic_write_text
from twin.wafer import Wafer

__all__ = [
    "BACKENDS",
    "JOB_SCHEMA",
    "BrunelJob",
    "brunel_parameters",
    "job_points",
    "prepare_brunel",
    "prepare_script",
    "render",
    "write_job",
]

#: The schema of ``job.json``.
JOB_SCHEMA: Final = "twin-job/1"
#: The backends ``run.py`` takes on its command line.
BACKENDS: Final = ("brainscales", "nest")
#: The seed's limits of its pre-made mappings: eta <= 3.2 (input bandwidth planned
#: for it, ``execute.py``) and 1 <= g <= 10 (``parameters.py``: "The hardware
#: supports values only within the range of 1 to 10").
MAX_ETA: Final = 3.2
G_RANGE: Final = (1.0, 10.0)
#: The seed's NEST kernel seed (``kernel_seed``) and the input spike seed of run.py.
KERNEL_SEED: Final = 100
INPUT_SEED: Final = 500
_MARKER: Final = 'PARAMETERS: dict = json.loads("{}")  # filled in by twin job prepare'


@dataclass(frozen=True, slots=True, kw_only=True)
class BrunelJob:
    """The seed experiment as a wafer job.

    Parameters
    ----------
    points
        The (g, eta) points, run in the demos' order (layout, eta, g).
    t_stop
        Run length per point, ms (>= the 1000 ms analysis window).
    seed
        The network seed; the wafer's pre-made mappings are of the seed's 1234.
    threads
        NEST threads of ``python run.py nest``.
    hardware
        The platform configuration and marocco settings.
    wafer_options
        ``twin brunel`` wafer options for the prediction (``--defects FILE``).
    wafer
        The wafer those options name (its defect map), for the placement hints.

    Raises
    ------
    JobError
        If there is no point, a point lies outside the pre-made mappings' range
        (eta > 3.2, g outside 1..10), the seed is not the mappings' 1234, the
        neuron size not theirs (8) or t_stop is shorter than the analysis window.
    """

    points: tuple[tuple[float, float], ...]
    t_stop: float = 10_000.0
    seed: int = 1234
    threads: int = 1
    hardware: HardwareJob = field(default_factory=HardwareJob)
    wafer_options: tuple[str, ...] = ()
    wafer: Wafer = field(default_factory=Wafer)

    def __post_init__(self) -> None:
        if not self.points:
            raise JobError("no (g, eta) point given; give --g and --eta")
        for g, eta in self.points:
            if not (G_RANGE[0] <= g <= G_RANGE[1] and 0 < eta <= MAX_ETA):
                raise JobError(
                    f"point g = {g:g}, eta = {eta:g} is outside the wafer's pre-made "
                    f"mappings (g in {G_RANGE[0]:g}..{G_RANGE[1]:g}, 0 < eta <= "
                    f"{MAX_ETA:g}); choose a point inside, or study it on the twin"
                )
        if self.seed != BrunelConfig().seed:
            raise JobError(
                f"network seed {self.seed}: the wafer's pre-made mappings are of the "
                f"seed's network {BrunelConfig().seed}; use that seed"
            )
        if self.hardware.neuron_size != HardwareJob().neuron_size:
            raise JobError(
                f"neuron size {self.hardware.neuron_size}: the wafer's pre-made "
                f"mappings of the seed network use {HardwareJob().neuron_size}; keep "
                "it (other sizes: map a PyNN script of the network instead)"
            )
        window = BrunelConfig().analysis_window
        if not (math.isfinite(self.t_stop) and self.t_stop >= window):
            raise JobError(
                f"t_stop = {self.t_stop:g} ms; give at least the {window:g} ms the "
                "seed's analysis reads"
            )


def brunel_parameters(job: BrunelJob) -> dict[str, Any]:
    """Return ``run.py``'s ``PARAMETERS``: the seed network's numbers and the points.

    Every model number comes from :class:`experiments.brunel.BrunelConfig` and
    :mod:`experiments.brunel.seed_network` (the seed's values); units in the keys
    (ms, Hz, µS as ``uS``).

    Returns
    -------
    dict
        JSON-ready (infinite bounds as ``Infinity``).
    """
    from experiments.brunel.config import (
        NEURON_MEANS,
        NEURON_SDS,
        POSITIVE,
        RESET_HIGH_FRACTION,
    )

    base = BrunelConfig(t_stop=job.t_stop, seed=job.seed, network="seed")
    bounds = {
        key: [
            0.0 if key in POSITIVE else -math.inf,
            RESET_HIGH_FRACTION * NEURON_MEANS["v_thresh"]
            if key == "v_reset"
            else math.inf,
        ]
        for key in NEURON_MEANS
    }
    points = [
        {
            "g": g,
            "eta": eta,
            "layout": layout_of(g, eta),
            "rate_per_source_hz": base.replace(g=g, eta=eta).rate_per_source,
        }
        for g, eta in job.points
    ]
    return {
        "workload": "brunel",
        "points": points,
        "t_stop_ms": job.t_stop, "dt_ms": base.dt, "threads": job.threads,
        "n_exc": base.n_exc, "n_inh": base.n_inh, "n_ext": base.n_ext,
        "c_exc": base.c_exc, "c_inh": base.c_inh, "c_ext": base.c_ext,
        "exc_weight_uS": base.exc_weight,
        "inh_weight_per_g_uS": base.replace(g=1.0).inh_weight,
        "weight_spread": base.weight_spread, "variation": base.variation,
        "delay_mean_ms": base.delay_mean, "delay_sd_ms": base.delay_sd,
        "delay_min_ms": base.delay_min,
        "neuron_means": dict(NEURON_MEANS), "neuron_sds": dict(NEURON_SDS),
        "neuron_bounds": bounds,
        "network_seed": job.seed, "variation_seed": VARIATION_SEED,
        "weight_seed": WEIGHT_SEED, "delay_seed": DELAY_SEED,
        "kernel_seed": KERNEL_SEED, "input_seed": INPUT_SEED,
        "hardware": job.hardware.marocco_settings(),
    }  # fmt: skip


def render(parameters: dict[str, Any]) -> str:
    """Return ``run.py``: the job script's source with ``parameters`` filled in.

    Raises
    ------
    JobError
        If the script's parameter line is missing (an edited installation).
    """
    source = inspect.getsource(brunel_script)
    if source.count(_MARKER) != 1:
        raise JobError(
            f"{brunel_script.__file__}: the PARAMETERS line is missing; reinstall "
            "the twin"
        )
    text = json.dumps(parameters, indent=1, sort_keys=True)
    return source.replace(
        _MARKER, f'PARAMETERS: dict = json.loads(\nr"""\n{text}\n"""\n)'
    )


def write_job(out: Path, job: dict[str, Any], script: str) -> list[Path]:
    """Write ``run.py`` and ``job.json`` into ``out`` (atomically); return the paths."""
    return [
        atomic_write_text(out / "run.py", script),
        atomic_write_text(out / "job.json", json.dumps(job, indent=2) + "\n"),
    ]


def _job_record(
    workload: str, hardware: HardwareJob, extra: dict[str, Any]
) -> dict[str, Any]:
    """Return ``job.json``'s common part: platform, config, command, settings."""
    return {
        "schema": JOB_SCHEMA,
        "workload": workload,
        "platform": PLATFORM,
        "hardware_config": hardware.platform_config(),
        "command": "run.py brainscales",
        "backends": list(BACKENDS),
        "outputs": ["exc.h5", "inh.h5"] if workload == "brunel" else [],
        "marocco": hardware.marocco_settings(),
        **extra,
    }


def prepare_brunel(job: BrunelJob, out: Path, predict: bool = True) -> list[Path]:
    """Prepare the seed experiment as a wafer job in ``out``.

    Parameters
    ----------
    job
        The points, run length and hardware settings.
    out
        The job folder (created).
    predict
        Run the twin's prediction (``prediction/``, ``prediction.json``); without
        it ``job.json`` names no prediction (nor placement hints,
        :func:`experiments.jobs.hints.placement_hints`) and ``twin job fetch``
        compares nothing.

    Returns
    -------
    list of Path
        The files written (``run.py``, ``job.json``, ``prediction.json``).

    Raises
    ------
    ResultsError
        If the prediction run fails.
    """
    parameters = brunel_parameters(job)
    points = [
        {k: p[k] for k in ("g", "eta", "layout", "rate_per_source_hz")}
        for p in parameters["points"]
    ]
    written = []
    prediction = None
    if predict:
        summary = predict_brunel(
            job.points, job.t_stop, job.seed, out / "prediction", job.wafer_options
        )
        written.append(
            atomic_write_text(
                out / "prediction.json", json.dumps(summary, indent=2) + "\n"
            )
        )
        prediction = {"folder": "prediction", "summary": "prediction.json"}
    hints = None
    if predict:
        from experiments.jobs.hints import placement_hints

        hints = placement_hints(
            job.points, job.seed, job.wafer, job.hardware.neuron_size
        )
    record = _job_record(
        "brunel",
        job.hardware,
        {
            "points": points,
            "t_stop_ms": job.t_stop,
            "network_seed": job.seed,
            "isolated_neurons": {
                p["layout"]: job.hardware.isolated if p["layout"] == "30" else 0
                for p in points
            },
            "wafer_options": list(job.wafer_options),
            "placement_hints": hints,
            "prediction": prediction,
        },
    )
    return write_job(out, record, render(parameters)) + written


def job_points(
    gs: Sequence[float], etas: Sequence[float]
) -> tuple[tuple[float, float], ...]:
    """Return the grid g x eta as points (g outer, as ``twin brunel``'s grid)."""
    return tuple((float(g), float(eta)) for g in gs for eta in etas)


def _predict_script(out: Path) -> dict[str, Any]:
    """Run the wrapped script on the twin (``python run.py twin``) at each tier.

    Each tier runs in ``out/prediction/<tier>`` (the script's own output files land
    there, its output in ``log.txt``, the twin's losses in ``twin_losses.json``,
    copied into the tier's entry with the synapse loss as a fraction).

    Raises
    ------
    JobError
        If a run fails (the log's last lines in the message).
    """
    import os
    import subprocess
    import sys

    from experiments.jobs.prediction import PREDICTION_SCHEMA, PREDICTION_TIERS
    from experiments.jobs.script import FIDELITY_VARIABLE, LOSSES_FILE

    tiers = {}
    for tier in PREDICTION_TIERS:
        folder = out / "prediction" / tier
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, FIDELITY_VARIABLE: tier}
        run = subprocess.run(
            [sys.executable, str((out / "run.py").resolve()), "twin"],
            cwd=folder, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        log = run.stdout + run.stderr
        atomic_write_text(folder / "log.txt", log)
        if run.returncode != 0:
            tail = "\n".join(log.strip().splitlines()[-10:])
            raise JobError(
                f"the script failed on the twin's {tier} tier (exit {run.returncode}; "
                f"log in {folder / 'log.txt'}); fix it and prepare again:\n{tail}"
            )
        files = sorted(
            str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
        )
        tiers[tier] = {"folder": f"prediction/{tier}", "files": files}
        losses = folder / LOSSES_FILE
        if losses.is_file():
            found = json.loads(losses.read_text(encoding="utf-8"))
            if found.get("synapses_requested"):
                found["synapse_loss_fraction"] = (
                    found["synapses_lost"] / found["synapses_requested"]
                )
            tiers[tier]["losses"] = found
    return {"schema": PREDICTION_SCHEMA, "folder": "prediction", "tiers": tiers}


def prepare_script(
    script: Path, out: Path, hardware: HardwareJob, predict: bool = True
) -> list[Path]:
    """Prepare a user's PyNN script as a wafer job in ``out``.

    ``run.py`` is the script with its backend import chosen on the command line
    (:func:`experiments.jobs.script.wrap_script`); the prediction is the script run
    on the twin's mapped and hardware tiers (``python run.py twin``), its own output
    files kept in ``prediction/<tier>``.

    Returns
    -------
    list of Path
        The files written (``run.py``, ``job.json``, ``prediction.json``).

    Raises
    ------
    JobError
        If the script cannot be wrapped, or fails on the twin.
    """
    from experiments.jobs.script import wrap_script

    source = wrap_script(script, hardware.marocco_settings())
    record = _job_record(
        "script", hardware, {"script": script.name, "prediction": None}
    )
    written = write_job(out, record, source)
    if predict:
        summary = _predict_script(out)
        written.append(
            atomic_write_text(
                out / "prediction.json", json.dumps(summary, indent=2) + "\n"
            )
        )
        record["prediction"] = {"folder": "prediction", "summary": "prediction.json"}
        written[:2] = write_job(out, record, source)
    return written
