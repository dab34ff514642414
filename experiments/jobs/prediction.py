"""The twin's prediction of a wafer job: a ``twin brunel`` run, and its summary.

At prepare time the job's network (the seed's own realisation, ``--network seed``)
runs on the twin's mapped and hardware tiers with the job's points and run length;
the run's folder (``prediction/``: summary.csv, exc.h5/inh.h5, rasters) is what
``twin compare --wafer`` reads after the job, and ``prediction.json`` beside it
holds the numbers a reader wants before submitting: per tier and point the rate,
the irregularity, the synapse loss and the spikes each bandwidth stage drops.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from experiments.report.load import load_summary
from twin.errors import ResultsError
from twin.tiers import HARDWARE, MAPPED

__all__ = ["PREDICTION_SCHEMA", "PREDICTION_TIERS", "predict_brunel", "summarise"]

#: The tiers a job's prediction runs (the twin's mapped and hardware tiers).
PREDICTION_TIERS: Final = (MAPPED, HARDWARE)
#: The schema of ``prediction.json`` (units in the keys: Hz, fraction, spikes).
PREDICTION_SCHEMA: Final = "twin-job-prediction/1"
_COLUMNS: Final = {"g": float, "eta": float, "rate_hz": float}


def _number(text: str | None) -> float | None:
    """Return a summary cell as a number (None where empty or not finite)."""
    if text is None or text == "":
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _row(row: Mapping[str, str]) -> dict[str, Any]:
    """Return one summary row as the prediction's entry (units in the keys)."""
    stages = sorted(k[len("dropped_") :] for k in row if k.startswith("dropped_"))
    spikes = {
        stage: {
            "offered_spikes": _number(row.get(f"offered_{stage}")),
            "dropped_spikes": _number(row.get(f"dropped_{stage}")),
        }
        for stage in stages
        if _number(row.get(f"offered_{stage}")) is not None
    }
    return {
        "g": float(row["g"]),
        "eta": float(row["eta"]),
        "layout": row.get("layout", ""),
        "rate_hz": _number(row["rate_hz"]),
        "rate_exc_hz": _number(row.get("run_rate_exc_hz")),
        "rate_inh_hz": _number(row.get("run_rate_inh_hz")),
        "cv": _number(row.get("cv")),
        "global_cv": _number(row.get("global_cv")),
        "synapse_loss_fraction": _number(row.get("synapse_loss")),
        "spike_loss": spikes,
        "window_ms": [_number(row.get("t_start")), _number(row.get("t_stop"))],
    }


def summarise(folder: Path) -> dict[str, Any]:
    """Return the prediction of a ``twin brunel`` folder as ``prediction.json``.

    Parameters
    ----------
    folder
        The folder the prediction run wrote (its ``summary.csv``/results table).

    Returns
    -------
    dict
        ``schema``, ``folder`` (its name) and ``tiers``: tier -> one entry per
        point with ``g``, ``eta``, ``layout``, ``rate_hz`` (the seed's analysed
        rate), ``rate_exc_hz``/``rate_inh_hz`` (whole run), ``cv``, ``global_cv``,
        ``synapse_loss_fraction`` (0..1, the mapping's) and ``spike_loss``
        (stage -> offered and dropped spike counts; hardware tier only).

    Raises
    ------
    ResultsError
        If the folder holds no readable summary or no row of a prediction tier.
    """
    rows = load_summary(folder, _COLUMNS)
    tiers: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("tier") in PREDICTION_TIERS:
            tiers.setdefault(row["tier"], []).append(_row(row))
    if not tiers:
        raise ResultsError(
            f"{str(folder)!r} holds no {'/'.join(PREDICTION_TIERS)} row; run the "
            "prediction again (twin job prepare)"
        )
    return {"schema": PREDICTION_SCHEMA, "folder": folder.name, "tiers": tiers}


def predict_brunel(
    points: Sequence[tuple[float, float]],
    t_stop: float,
    seed: int,
    out: Path,
    wafer_options: Sequence[str] = (),
) -> dict[str, Any]:
    """Run the job's network on the twin (``twin brunel``) and summarise it.

    Parameters
    ----------
    points
        The job's (g, eta) points (the prediction runs their grid of g x eta and
        keeps these points).
    t_stop
        Run length, ms (>= the 1000 ms analysis window).
    seed
        The network seed (the seed's own realisation, ``--network seed``).
    out
        The prediction folder (created; an earlier run's points are reused).
    wafer_options
        ``twin brunel`` options naming the wafer (``--defects FILE`` or
        ``--synthetic-defects SEED``); none: a perfect wafer.

    Returns
    -------
    dict
        :func:`summarise` of the folder, restricted to ``points``.

    Raises
    ------
    ResultsError
        If the run fails (its error is printed) or leaves no prediction row.
    """
    from experiments.cli import main

    gs = ",".join(dict.fromkeys(f"{g:g}" for g, _ in points))
    etas = ",".join(dict.fromkeys(f"{eta:g}" for _, eta in points))
    argv = [
        "brunel", "--network", "seed", "--seed", str(seed), "--g", gs, "--eta", etas,
        "--fidelity", ",".join(PREDICTION_TIERS), "--t-stop", f"{t_stop:g}",
        "--out", str(out), *wafer_options,
    ]  # fmt: skip
    if main(argv) != 0:
        raise ResultsError(
            f"the twin's prediction run (twin {' '.join(argv)}) failed; see its "
            "message above"
        )
    summary = summarise(out)
    wanted = {(float(g), float(eta)) for g, eta in points}
    summary["tiers"] = {
        tier: [e for e in entries if (e["g"], e["eta"]) in wanted]
        for tier, entries in summary["tiers"].items()
    }
    return summary
