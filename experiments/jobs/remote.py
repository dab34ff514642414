"""A prepared job on the platform: submit it, ask its state, fetch its files.

Each function takes a connected client (:func:`experiments.jobs.client.connect`)
and calls its methods as the seed notebook does: ``submit_job(source, platform,
collab_id, config, command)``, ``job_status(id)``, ``get_job(id, with_log=True)``
and ``download_data(job, folder)``. :func:`fetch` downloads into a temporary folder
beside the destination, checks the files (the seed's HDF5 layout, both populations
paired) and only then moves the folder into place, so a half-downloaded or corrupt
result is never where ``twin compare`` reads.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, Final

from experiments.jobs.client import call
from experiments.jobs.errors import JobError
from twin.errors import TwinError
from twin.files import atomic_write_text

__all__ = ["SUBMITTED", "WAFER_FOLDER", "fetch", "job_id", "read_job", "submit"]

#: The record ``submit`` writes into the job folder (job id, service; no token).
SUBMITTED: Final = "submitted.json"
#: The sub-folder of the job folder that receives the wafer's files.
WAFER_FOLDER: Final = "wafer"
_LOG_LINES: Final = 20


def read_job(folder: Path) -> dict[str, Any]:
    """Return a prepared folder's ``job.json``.

    Raises
    ------
    JobError
        If the folder has no readable ``job.json`` or no ``run.py``.
    """
    try:
        job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise JobError(
            f"{str(folder)!r} is not a prepared job folder ({err}); run twin job "
            "prepare first"
        ) from None
    if not (folder / "run.py").is_file():
        raise JobError(f"{str(folder)!r} has no run.py; run twin job prepare again")
    return dict(job)


def job_id(resource: object) -> int:
    """Return the job number of an id or resource URI (``"/jobs/123"`` -> 123).

    Raises
    ------
    JobError
        If ``resource`` names no job number.

    Examples
    --------
    >>> job_id("/jobs/123"), job_id("45")
    (123, 45)
    """
    text = str(resource).rstrip("/").rsplit("/", 1)[-1]
    if not text.isdigit():
        raise JobError(f"{resource!r} is not a job id; give the number submit printed")
    return int(text)


def submit(client: Any, folder: Path, collab: str) -> int:
    """Submit a prepared folder's ``run.py`` with its ``job.json`` configuration.

    Writes ``submitted.json`` (job id, collab, job service) into the folder.

    Returns
    -------
    int
        The job id.

    Raises
    ------
    JobError
        If the folder is not prepared, no collab is given or the platform refuses.
    """
    job = read_job(folder)
    if not collab:
        raise JobError(
            "no collab given; give --collab ID (the collab the job is billed to)"
        )
    resource = call(
        client, "submitting the job", "submit_job",
        source=str(folder / "run.py"), platform=job["platform"], collab_id=collab,
        config=job["hardware_config"], command=job["command"], wait=False,
    )  # fmt: skip
    number = job_id(resource)
    record = {"job_id": number, "collab": collab, "job_service": client.job_server}
    atomic_write_text(folder / SUBMITTED, json.dumps(record, indent=2) + "\n")
    return number


def _log_tail(job: dict[str, Any]) -> str:
    """Return the last lines of a job's log (or a note that it has none)."""
    log = str(job.get("log") or "").strip().splitlines()[-_LOG_LINES:]
    return "\n".join(log) if log else "(no log)"


def _find(folder: Path, name: str) -> Path:
    """Return the one file called ``name`` below ``folder``.

    Raises
    ------
    JobError
        If there is none or more than one.
    """
    found = sorted(folder.rglob(name))
    if len(found) != 1:
        listing = ", ".join(str(p.relative_to(folder)) for p in found) or "none"
        raise JobError(
            f"the job's output holds {len(found)} {name} files ({listing}); expected "
            "one (the job's run.py writes exc.h5 and inh.h5 into its folder)"
        )
    return found[0]


def _check(folder: Path) -> None:
    """Check the seed's layout: both files readable, their runs paired.

    Raises
    ------
    JobError
        If a file is truncated, corrupt or not in the layout (the reason named).
    """
    from experiments.brunel.wafer_files import load_wafer

    try:
        load_wafer(folder)
    except TwinError as err:
        raise JobError(
            f"the job's files fail the seed's layout ({err}); they were not kept: "
            "fetch again, or read the job's log"
        ) from None


def fetch(client: Any, number: int, out: Path, layout: bool = True) -> Path:
    """Download a finished job's files into ``out/wafer`` after checking them.

    Parameters
    ----------
    client
        The connected platform client.
    number
        The job id.
    out
        The job folder (created); the files go to ``out/wafer`` (replaced as a
        whole), the job's log to ``out/wafer/log.txt``.
    layout
        Check and keep ``exc.h5``/``inh.h5`` in the seed's layout (a Brunel job);
        otherwise keep every output file as downloaded.

    Returns
    -------
    Path
        ``out/wafer``.

    Raises
    ------
    JobError
        If the job is not finished (its state, and for an error its log's last
        lines), a download fails or is cut short, or the files fail the check; the
        previous ``out/wafer`` is then left as it was.
    """
    job = call(client, f"reading job {number}", "get_job", number, with_log=True)
    state = job.get("status")
    if state != "finished":
        tail = f"; its log ends:\n{_log_tail(job)}" if state == "error" else ""
        raise JobError(
            f"job {number} is {state!r}, not finished; fetch it when twin job "
            f"status {number} says finished{tail}"
        )
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=out))
    try:
        download = staging / "download"
        call(client, f"downloading job {number}'s files", "download_data", job,
             local_dir=str(download))  # fmt: skip
        result = staging / WAFER_FOLDER
        if layout:
            result.mkdir()
            for name in ("exc.h5", "inh.h5"):
                _find(download, name).replace(result / name)
            _check(result)
        else:
            download.replace(result)
        (result / "log.txt").write_text(str(job.get("log") or ""), encoding="utf-8")
        target = out / WAFER_FOLDER
        if target.exists():
            target.replace(staging / "previous")
        result.replace(target)
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)
