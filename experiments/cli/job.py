"""``twin job``: the experiment as a job on the real wafer (EBRAINS platform).

``prepare`` writes a job folder (``run.py``, ``job.json``, the twin's prediction);
``submit``, ``status`` and ``fetch`` use the platform's client (the ``jobs`` extra)
with the token of ``EBRAINS_TOKEN`` or the client's token file; ``fetch`` checks the
wafer's files and writes a ``twin compare`` of wafer vs prediction.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from experiments.brunel import SEED_ETAS
from experiments.cli.common import positive_float, positive_int, positive_list
from experiments.cli.wafer_options import add_wafer_options

_DESCRIPTION = (
    "Prepare the experiment as a job for the BrainScaleS-1 wafer on the EBRAINS "
    "Neuromorphic Computing Platform, submit it, follow it and fetch its results "
    "(submit/status/fetch need an EBRAINS account with a neuromorphic quota, the "
    "token in EBRAINS_TOKEN, and pip install -e .[jobs])."
)


def _hardware(args: argparse.Namespace) -> Any:
    from experiments.jobs.config import HardwareJob

    return HardwareJob(
        wafer_module=args.wafer_module,
        software_version=args.software_version,
        cores=str(args.cores),
        partition=args.partition,
        neuron_size=args.neuron_size,
    )


def _wafer_options(args: argparse.Namespace) -> tuple[str, ...]:
    """Return the prediction's ``twin brunel`` wafer options."""
    if args.defects:
        return ("--defects", args.defects)
    if args.synthetic_defects is not None:
        return ("--synthetic-defects", str(args.synthetic_defects))
    return ()


def _cmd_prepare(args: argparse.Namespace) -> int:
    from experiments.cli.wafer_options import load_wafer
    from experiments.jobs.errors import JobError
    from experiments.jobs.prepare import (
        BrunelJob,
        job_points,
        prepare_brunel,
        prepare_script,
    )

    wafer = load_wafer(args)  # a bad defect option fails before the long run
    out = Path(args.out)
    if (args.script is None) == (args.workload is None):
        raise JobError("give either SCRIPT.py or --workload brunel, not both")
    if args.script is not None:
        written = prepare_script(
            Path(args.script), out, _hardware(args), predict=args.prediction
        )
    else:
        job = BrunelJob(
            points=job_points(args.g, args.eta),
            t_stop=args.t_stop,
            threads=args.threads,
            hardware=_hardware(args),
            wafer_options=_wafer_options(args),
            wafer=wafer,
        )
        written = prepare_brunel(job, out, predict=args.prediction)
    for path in written:
        print(f"wrote {path}")
    print(
        f"next: twin job submit {out} --collab ID   (or: cd {out}; python run.py nest)"
    )
    return 0


def _client(args: argparse.Namespace) -> Any:
    from experiments.jobs.client import Endpoints, connect, read_token

    endpoints = Endpoints.resolve(args.job_service, args.user_info)
    return connect(endpoints, read_token())


def _cmd_submit(args: argparse.Namespace) -> int:
    from experiments.jobs.remote import read_job, submit

    folder = Path(args.dir)
    read_job(folder)  # a folder that is not prepared fails before the log-in
    number = submit(_client(args), folder, args.collab or "")
    print(f"job {number} submitted; follow it with: twin job status {number}")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from experiments.jobs.client import call
    from experiments.jobs.remote import job_id

    number = job_id(args.id)
    client = _client(args)
    print(
        f"job {number}: {call(client, f'reading job {number}', 'job_status', number)}"
    )
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    import json

    from experiments.cli import main
    from experiments.jobs.remote import fetch, job_id

    number = job_id(args.id)
    out = Path(args.out)
    job: dict[str, Any] = {}
    if (out / "job.json").is_file():
        job = json.loads((out / "job.json").read_text(encoding="utf-8"))
    brunel = job.get("workload", "brunel") == "brunel"
    wafer = fetch(_client(args), number, out, layout=brunel)
    print(f"wrote {wafer} (job {number}'s files, checked)")
    prediction = (job.get("prediction") or {}).get("folder")
    if not (brunel and prediction):
        print("no stored prediction of the seed's layout in this folder: no compare")
        return 0
    argv = ["compare", str(out / prediction), "--wafer", str(wafer)]
    return main([*argv, "--out", str(out / "compare")])


def _add_service_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--job-service", metavar="URL",
        help="the platform's job service (default: TWIN_JOB_SERVICE, else the "
        "client's, the platform's)",
    )  # fmt: skip
    parser.add_argument(
        "--user-info", metavar="URL",
        help="the log-in's user-info endpoint (default: TWIN_USER_INFO_ENDPOINT, "
        "else the client's, EBRAINS IAM)",
    )  # fmt: skip


def _add_prepare(jobs: Any) -> None:
    prepare = jobs.add_parser(
        "prepare",
        help="write run.py, job.json and the twin's prediction",
        description="Write a job folder: run.py (python run.py brainscales | nest; "
        "writes exc.h5/inh.h5 in the seed's layout), job.json (the platform's "
        "config and the marocco settings) and the twin's mapped and hardware "
        "prediction (prediction/, prediction.json).",
    )
    prepare.add_argument(
        "script", metavar="SCRIPT.py", nargs="?",
        help="a PyNN script binding its backend once as `import pyNN.nest as sim` "
        "(replaced by the backend named on run.py's command line)",
    )  # fmt: skip
    prepare.add_argument("--workload", choices=["brunel"], help="the seed experiment")
    prepare.add_argument("--out", metavar="DIR", required=True, help="job folder")
    prepare.add_argument(
        "--g", type=positive_list, default=(8.0,), metavar="LIST",
        help="relative inhibition, comma separated (1..10; default 8)",
    )  # fmt: skip
    prepare.add_argument(
        "--eta", type=positive_list, default=(SEED_ETAS[0],), metavar="LIST",
        help="external rate relative to threshold, comma separated (<= 3.2; "
        "default 0.8)",
    )  # fmt: skip
    prepare.add_argument(
        "--t-stop", type=positive_float, default=10_000.0, metavar="MS",
        help="run length per point, ms (>= 1000; default the seed's 10000)",
    )  # fmt: skip
    prepare.add_argument(
        "--threads", type=positive_int, default=1, help="NEST threads of run.py nest"
    )
    prepare.add_argument("--wafer-module", type=int, default=30, metavar="N")
    prepare.add_argument(
        "--software-version", default="nmpm_software/column_changes", metavar="NAME"
    )
    prepare.add_argument("--cores", type=positive_int, default=48, metavar="N")
    prepare.add_argument("--partition", default="batch", metavar="NAME")
    prepare.add_argument(
        "--neuron-size", type=positive_int, default=8, metavar="N",
        help="denmems per neuron for marocco and the twin, for a SCRIPT.py job "
        "(even, 2..64; default 8, the only size of the seed's pre-made mappings)",
    )  # fmt: skip
    prepare.add_argument(
        "--no-prediction", dest="prediction", action="store_false",
        help="skip the twin's prediction (fetch then compares nothing)",
    )  # fmt: skip
    add_wafer_options(prepare)
    prepare.set_defaults(func=_cmd_prepare)


def add_parser(sub: Any) -> None:
    """Add the sub-command(s) to the ``twin`` parser's sub-parsers.

    Adds ``twin job`` with its own sub-commands ``prepare``, ``submit``,
    ``status`` and ``fetch``, each with its handler as the ``func`` default (what
    :func:`experiments.cli.main` calls).

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser (what
        ``ArgumentParser.add_subparsers`` returns).
    """
    job = sub.add_parser("job", help="run the experiment on the real wafer (EBRAINS)",
                         description=_DESCRIPTION)  # fmt: skip
    jobs = job.add_subparsers(dest="job_command", required=True)
    _add_prepare(jobs)
    submit = jobs.add_parser("submit", help="submit a prepared job folder")
    submit.add_argument("dir", metavar="DIR", help="folder written by twin job prepare")
    submit.add_argument(
        "--collab", metavar="ID", default=os.environ.get("EBRAINS_COLLAB"),
        help="the collab the job belongs to (default: EBRAINS_COLLAB)",
    )  # fmt: skip
    _add_service_options(submit)
    submit.set_defaults(func=_cmd_submit)
    status = jobs.add_parser("status", help="print a job's state")
    status.add_argument("id", metavar="ID", help="the job id submit printed")
    _add_service_options(status)
    status.set_defaults(func=_cmd_status)
    fetch = jobs.add_parser(
        "fetch",
        help="download, check and compare a finished job's files",
        description="Download the job's files into a temporary folder, check them "
        "(the seed's HDF5 layout), move them to DIR/wafer, and write DIR/compare "
        "(twin compare of the wafer vs the stored prediction).",
    )
    fetch.add_argument("id", metavar="ID", help="the job id submit printed")
    fetch.add_argument("--out", metavar="DIR", required=True,
                       help="the job's prepared folder")  # fmt: skip
    _add_service_options(fetch)
    fetch.set_defaults(func=_cmd_fetch)
