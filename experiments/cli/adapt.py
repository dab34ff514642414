"""``twin adapt``: adapt a network for the wafer, with the ladder of every step.

``twin adapt --workload brunel2000``: Brunel's model A adapted as the seed did, its
ladder at Fig. 8 states and (``--fit``) the weight factor that replaces the seed's
hand-tuned 1.2 (:mod:`experiments.adapt.brunel2000`); ``--workload microcircuit``:
the cortical microcircuit adapted as the demo did
(:mod:`experiments.adapt.microcircuit`). ``twin adapt SCRIPT.py``: the
network a PyNN script builds, captured through ``twin.pynn``, adapted, its ladder,
and the adapted network written back as a PyNN script
(:mod:`experiments.adapt.script`).
"""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path
from typing import Any

from experiments.cli.common import positive_float, positive_int
from twin.errors import ConfigError
from twin.tiers import HARDWARE, MAPPED

#: The workloads ``--workload`` knows.
WORKLOADS = ("brunel2000", "microcircuit")
#: Default run length of a workload's rungs, ms.
WORKLOAD_T_STOP = 2000.0
#: The default states of the ladder: the asynchronous irregular one first.
DEFAULT_STATES = ("AI", "SR", "SI-fast", "SI-slow")


def _names(text: str) -> tuple[str, ...]:
    """Parse a comma list of names (an argparse type)."""
    names = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
    if not names:
        raise argparse.ArgumentTypeError(f"{text!r}: give a comma list of names")
    return names


def _at_least_one(text: str) -> float:
    """Parse a factor >= 1 (an argparse type)."""
    value = positive_float(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def _tiers(text: str) -> tuple[str, ...]:
    """Parse the wafer tiers of the last rungs: a comma list, or ``none``."""
    if text.strip() == "none":
        return ()
    names = _names(text)
    bad = [n for n in names if n not in {MAPPED, HARDWARE}]
    if bad:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the last rungs are mapped and/or hardware (or none)"
        )
    return names


def _say(name: str) -> None:
    print(f"  running {name} ...", flush=True)


def _report(outcome: Any, start: float) -> None:
    """Print the fit beside the seed's factor, the wafer cost and the files."""
    from experiments.adapt.brunel2000 import REFERENCE_FACTOR

    print(f"done in {time.perf_counter() - start:.1f} s (twin wall time)")
    for label, fit in outcome.fits:
        print(
            f"fitted weight factor {fit.factor:.3f} {label} (the seed's hand-tuned "
            f"orig_weight: {REFERENCE_FACTOR:g}); mean relative rate difference "
            f"{fit.mismatch_before:+.3f} at 1 -> {fit.mismatch_after:+.3f}"
        )
    print("\n".join(outcome.cost.lines()))
    for path in outcome.paths:
        print(f"wrote {path}")


def _microcircuit(args: argparse.Namespace, out: Path, start: float) -> int:
    """Run the ladder of the microcircuit adapted as the demo did."""
    from experiments.adapt.microcircuit import adapt_microcircuit

    if args.fit or args.points or args.scale != 1.0:
        raise ConfigError(
            "--workload microcircuit runs at the demo's own point and scales, with no "
            "weight-factor fit: leave out --fit, --points and --scale"
        )
    t_stop = args.t_stop or WORKLOAD_T_STOP
    print(
        "the cortical microcircuit (Potjans & Diesmann 2014) adapted as the demo "
        f"did: the ladder, {t_stop:g} ms per rung"
    )
    outcome = adapt_microcircuit(out, t_stop=t_stop, seed=args.seed,
                                 tiers=args.tiers, progress=_say)  # fmt: skip
    _report(outcome, start)
    return 0


def _cmd_adapt(args: argparse.Namespace) -> int:
    if (args.script is None) == (args.workload is None):
        raise ConfigError(
            "give a PyNN script (twin adapt SCRIPT.py) or --workload "
            f"{'|'.join(WORKLOADS)}, one of the two"
        )
    start = time.perf_counter()
    out = Path(args.out)
    if args.script is not None:
        from experiments.adapt.script import adapt_script

        print(f"adapting the network of {args.script} ...")
        done = adapt_script(
            Path(args.script), out, script_args=args.script_args,
            t_stop=args.t_stop, seed=args.seed, k=args.downscale, tiers=args.tiers,
            progress=_say,
        )  # fmt: skip
        _report(done, start)
        return 0
    if args.workload == "microcircuit":
        return _microcircuit(args, out, start)
    from experiments.adapt.brunel2000 import adapt_brunel2000, state_points

    states = args.points or DEFAULT_STATES
    state_points(states)  # a bad state: one line before any work
    t_stop = args.t_stop or WORKLOAD_T_STOP
    print(
        f"Brunel (2000) model A (scale {args.scale:g}) adapted as the seed did: the "
        f"ladder at {', '.join(states)}, {t_stop:g} ms per rung"
        + (", and the weight-factor fit" if args.fit else "")
    )
    outcome = adapt_brunel2000(
        states, out, scale=args.scale, t_stop=t_stop, seed=args.seed,
        tiers=args.tiers, fit=args.fit, progress=_say,
    )  # fmt: skip
    _report(outcome, start)
    return 0


def add_parser(sub: Any) -> None:
    """Add ``twin adapt`` to the ``twin`` parser's sub-parsers.

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser.
    """
    parser = sub.add_parser(
        "adapt",
        help="adapt a network for the wafer; the ladder of every step",
        description="Adapt a network for the wafer step by step (downscale, pooled "
        "input, conductances, wafer ranges, variation), run the original and every "
        "step at the points, then the adapted network mapped and on the hardware "
        "tier; write ladder.csv, ladder.md and ladder.png (and, for a script, the "
        "adapted PyNN script).",
    )
    parser.add_argument(
        "script", nargs="?", metavar="SCRIPT.py",
        help="a PyNN script (run as `python SCRIPT.py SIM ...`); its network is "
        "captured through twin.pynn",
    )  # fmt: skip
    parser.add_argument(
        "--script-args", type=shlex.split, default=[], metavar="'ARGS'",
        help="the script's own arguments after the simulator name, quoted as one",
    )  # fmt: skip
    parser.add_argument("--workload", choices=WORKLOADS, help="a built-in network")
    parser.add_argument(
        "--points", type=_names, metavar="LIST",
        help="Fig. 8 states of --workload brunel2000, comma separated (default: "
        f"{','.join(DEFAULT_STATES)}); the first is the network's own point",
    )  # fmt: skip
    parser.add_argument(
        "--scale", type=positive_float, default=1.0,
        help="scale of the original model A (1: 12,500 neurons; <= 6)",
    )  # fmt: skip
    parser.add_argument(
        "--fit", action="store_true",
        help="fit the weight factor that reproduces the original's rates (beside "
        "the seed's 1.2)",
    )  # fmt: skip
    parser.add_argument(
        "--t-stop", type=positive_float, metavar="MS",
        help="simulated time per rung and point, ms (activity over the last "
        f"min(1000, t_stop / 2) ms; default: {WORKLOAD_T_STOP:g} for --workload, "
        "the script's own run for a script)",
    )  # fmt: skip
    parser.add_argument(
        "--downscale", type=_at_least_one, default=1.0, metavar="K",
        help="a script's network downscaled by K first (default 1: not)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=positive_int, default=1234,
        help="seed of the network, the variation and the Poisson input",
    )  # fmt: skip
    parser.add_argument(
        "--tiers", type=_tiers, default=("mapped", "hardware"), metavar="LIST",
        help="the wafer tiers of the last rungs: mapped,hardware (default), one of "
        "them, or none",
    )  # fmt: skip
    parser.add_argument("--out", metavar="DIR", default="results/adapt",
                        help="output folder")  # fmt: skip
    parser.set_defaults(func=_cmd_adapt)
