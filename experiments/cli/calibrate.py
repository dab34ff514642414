"""``twin calibrate``: fit the hardware tier's saturation to a wafer sweep."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from experiments.cli.common import positive_float
from experiments.cli.wafer_options import add_wafer_options, load_wafer


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from experiments.brunel import BrunelConfig
    from experiments.brunel.calibrate import calibrate, save_calibration
    from experiments.brunel.wafer_files import load_wafer as load_wafer_sweep

    target = load_wafer_sweep(Path(args.wafer))
    base = BrunelConfig(t_stop=args.t_stop, seed=args.seed)
    print(f"fitting g_sat and inh_scale to {len(target)} wafer points ...")
    cal = calibrate(target, base, wafer=load_wafer(args))
    print(
        f"g_sat = {cal.g_sat:.4g} µS, inh_scale = {cal.inh_scale:g}, "
        f"loss = {cal.loss:.4g} (mean squared log(1 + rate) difference)"
    )
    print(f"wrote {save_calibration(cal, Path(args.out))}")
    return 0


def add_parser(sub: Any) -> None:
    """Add the sub-command(s) to the ``twin`` parser's sub-parsers.

    Adds ``twin calibrate`` with its options and its handler as the ``func`` default
    (what :func:`experiments.cli.main` calls).

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser (what
        ``ArgumentParser.add_subparsers`` returns).
    """
    calib = sub.add_parser(
        "calibrate",
        help="fit the saturation and inhibitory scale to a wafer sweep",
        description="Fit the hardware tier's g_sat (µS) and inh_scale to a real wafer "
        "sweep in the seed's HDF5 layout; write a JSON file for --calibration.",
    )
    calib.add_argument(
        "--wafer",
        metavar="DIR",
        required=True,
        help="folder with the wafer's exc.h5 and inh.h5",
    )
    calib.add_argument(
        "--out",
        metavar="FILE",
        default="results/calibration.json",
        help="calibration file to write",
    )
    calib.add_argument(
        "--t-stop",
        metavar="MS",
        type=positive_float,
        default=10_000.0,
        help="simulated time per point of the fit, ms (as the wafer runs)",
    )
    calib.add_argument("--seed", type=int, default=1234, help="network realisation")
    add_wafer_options(calib)
    calib.set_defaults(func=_cmd_calibrate)
