"""``twin microcircuit``: the cortical microcircuit on the twin's tiers and on NEST."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from experiments.cli.common import (
    add_executor_options,
    add_reuse_option,
    non_negative_float,
    positive_float,
    positive_int,
    sweep_executor,
    tiers_arg,
)
from experiments.cli.wafer_options import add_wafer_options, load_wafer
from experiments.microcircuit.config import DAY_LATER, TRIAL_NOISE
from twin.errors import ConfigError


def _cmd_microcircuit(args: argparse.Namespace) -> int:
    from experiments.cli.outputs import print_outputs
    from experiments.microcircuit.config import MicrocircuitConfig
    from experiments.microcircuit.workload import (
        MicrocircuitWorkload,
        hardware_config,
        seeds,
    )
    from experiments.runs.sweep import run_sweep
    from experiments.runs.workload import Finished, write_outputs
    from twin.hardware.cost import wafer_cost
    from twin.tiers import HARDWARE, IDEAL, Tier, tier_list

    base = MicrocircuitConfig(
        t_stop=args.t_stop, seed=args.seed, scale=args.scale, k_scale=args.scale
    )
    points = seeds(base, args.seeds)
    noise = args.trial_noise if args.day_later else 0.0
    tiers = tier_list(args.fidelity, hardware=hardware_config(noise, trial=0))
    if args.day_later:
        if HARDWARE not in args.fidelity:
            raise ConfigError("--day-later records the hardware tier again; add it "
                              "to --fidelity")  # fmt: skip
        tiers.append(Tier(DAY_LATER, HARDWARE, hardware_config(noise, trial=1)))
    workload = MicrocircuitWorkload()
    wafer = load_wafer(args)
    out = Path(args.out)
    print(
        f"cortical microcircuit ({base.n_neurons:,} neurons, {base.n_synapses:,} "
        f"synapses): {len(points)} seed(s) x {len(tiers)} tier(s) "
        f"({', '.join(t.name for t in tiers)}), {args.t_stop / 1000:g} s each"
        + (", and NEST" if args.nest else "")
    )
    start = time.perf_counter()
    with sweep_executor(args) as executor:
        results = run_sweep(workload, points, "twin", tiers, out=out, wafer=wafer,
                            progress=True, executor=executor, batch=args.batch,
                            keep_going=True,
                            reuse_stale=args.reuse_stale)  # fmt: skip
        if args.nest:
            nest_tiers = tier_list([IDEAL])
            results += run_sweep(workload, points, "nest", nest_tiers, out=out,
                                 threads=args.threads, progress=True,
                                 executor=executor, keep_going=True,
                                 reuse_stale=args.reuse_stale)  # fmt: skip
    print(f"done in {time.perf_counter() - start:.1f} s")
    cost = wafer_cost(args.t_stop, runs=len(points), setups=len(points))
    print("\n".join(cost.lines()))
    finished = Finished((({}, tuple(results)),), out)
    print_outputs(write_outputs(workload.outputs(), finished))
    return 0


def add_parser(sub: Any) -> None:
    """Add ``twin microcircuit`` to the ``twin`` parser's sub-parsers.

    The sub-command's options and its handler as the ``func`` default (what
    :func:`experiments.cli.main` calls).

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser (what
        ``ArgumentParser.add_subparsers`` returns).
    """
    micro = sub.add_parser(
        "microcircuit",
        help="the cortical microcircuit (Potjans & Diesmann, 10 %%) on the twin",
        description="Run the demo's adapted cortical microcircuit at the given "
        "fidelity tiers (and on NEST with --nest); write summary.csv, per-population "
        "rate and CV histograms, rasters and, with --nest, compare.md.",
    )
    micro.add_argument(
        "--fidelity",
        type=tiers_arg,
        default=["ideal"],
        metavar="TIERS",
        help="ideal, mapped, hardware, theory, theory-mapped, theory-hardware "
        "(mean-field rates of those networks, no emulation), a comma list, or all "
        "(the three emulated tiers; default: ideal)",
    )
    micro.add_argument(
        "--seeds", type=positive_int, default=1, metavar="N",
        help="number of network realisations (seeds SEED .. SEED+N-1)",
    )  # fmt: skip
    micro.add_argument(
        "--seed", type=int, default=123456, help="first realisation seed"
    )
    micro.add_argument(
        "--t-stop", metavar="MS", type=positive_float, default=10_000.0,
        help="simulated time, ms (spikes after 1000 ms are analysed)",
    )  # fmt: skip
    micro.add_argument(
        "--scale", type=positive_float, default=0.1, metavar="S",
        help="fraction of the neurons and of the in-degree (the demo: 0.1)",
    )  # fmt: skip
    micro.add_argument(
        "--nest", action="store_true",
        help="also run the same network instances on NEST (PyNN) and compare",
    )  # fmt: skip
    micro.add_argument(
        "--day-later", action="store_true",
        help="record the configured hardware tier a second time, as the demo's "
        "sample one biological day later: same mapping and fixed pattern, the "
        "calibrated parameters redrawn with trial-to-trial noise (both samples "
        "carry trial noise, each its own draw)",
    )  # fmt: skip
    micro.add_argument(
        "--trial-noise", type=non_negative_float, default=TRIAL_NOISE, metavar="F",
        help="trial-to-trial noise of --day-later as a fraction of the calibration "
        f"spreads (an assumption; default {TRIAL_NOISE:g})",
    )  # fmt: skip
    micro.add_argument("--threads", type=positive_int, default=2, help="NEST threads")
    micro.add_argument(
        "--out", metavar="DIR", default="results/microcircuit", help="output folder"
    )
    add_wafer_options(micro)
    add_executor_options(micro)
    add_reuse_option(micro)
    micro.set_defaults(func=_cmd_microcircuit)
