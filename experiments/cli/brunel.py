"""``twin brunel`` and ``twin nest``: the seed sweep on the twin or on NEST."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from experiments.brunel import SEED_ETAS, SEED_GS
from experiments.brunel.config import REALISATIONS
from experiments.cli.common import (
    add_executor_options,
    add_reuse_option,
    int_list,
    positive_float,
    positive_int,
    positive_list,
    sweep_executor,
    tiers_arg,
)
from experiments.cli.wafer_options import (
    add_wafer_options,
    hardware_config,
    load_wafers,
)

#: Mapping choices an ensemble may list (as ``twin map``'s).
STRATEGIES = ("enum", "spiral", "cluster")
ROUTERS = ("backbone", "shortest")


def _choices(allowed: tuple[str, ...]) -> Any:
    """Return an argparse type: a comma list of ``allowed`` names."""

    def parse(text: str) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
        bad = [v for v in values if v not in allowed]
        if bad or not values:
            raise argparse.ArgumentTypeError(
                f"{text!r}: choose from {', '.join(allowed)} (comma separated)"
            )
        return values

    return parse


def _print_table(results: list) -> None:
    print(
        f"{'tier':>24} {'seed':>5} {'g':>5} {'eta':>5} {'layout':>6} {'rate Hz':>9} "
        f"{'CV':>6} {'global CV':>10}"
    )
    for r in results:
        print(
            f"{r.tier:>24} {r.seed:5d} {r['g']:5g} {r['eta']:5g} {r.layout:>6} "
            f"{r['rate_hz']:9.2f} {r['cv']:6.2f} {r['global_cv']:10.2f}"
        )


def _members(args: argparse.Namespace, backend: str) -> list[Any]:
    """Return the ensemble's members, one per combination of the listed choices.

    The combinations are of defect map, fixed-pattern wafer seed, mapping strategy
    and router; their labels name them in the results table, so an ensemble may
    also be gathered over several runs into one folder.
    """
    import itertools

    from experiments.brunel.workload import BrunelWorkload
    from experiments.runs.ensemble import Member
    from twin.tiers import tier_list

    layout = None if args.layout == "seed" else args.layout
    strategies = getattr(args, "strategy", None) or (None,)
    routers = getattr(args, "router", None) or (None,)
    patterns = getattr(args, "wafer_seed", None) or (None,)
    combos = itertools.product(load_wafers(args), patterns, strategies, routers)
    members = []
    for (label, wafer), pattern, strategy, router in combos:
        changes = {"strategy": strategy, "router": router}
        mapping = tuple((k, v) for k, v in changes.items() if v is not None)
        labels = {
            "wafer": label,
            "variation": "per-realisation" if pattern is None else f"wafer-{pattern}",
            "strategy": strategy or "default",
            "router": router or "default",
        }
        options = argparse.Namespace(**{**vars(args), "wafer_seed": pattern})
        hardware = hardware_config(options) if backend == "twin" else None
        tiers = tier_list(args.fidelity, getattr(args, "ablation", False), hardware)
        workload = BrunelWorkload(layout, mapping)
        members.append(Member(workload, tuple(tiers), wafer, labels))
    return members


def _configs(args: argparse.Namespace) -> list:
    """Return the points: the (g, eta) grid for every listed seed (and its next)."""
    from experiments.brunel import BrunelConfig
    from experiments.brunel.workload import grid

    configs = []
    for seed in args.seed:
        base = BrunelConfig(t_stop=args.t_stop, seed=seed, network=args.network)
        configs += grid(base, gs=args.g, etas=args.eta, seeds=args.seeds)
    return list(dict.fromkeys(configs))


def _run_sweep_command(args: argparse.Namespace, backend: str) -> int:
    from experiments.cli.outputs import print_outputs
    from experiments.runs.ensemble import run_ensemble
    from experiments.runs.executor import SweepError
    from experiments.runs.table import TABLE_NAME, read_table
    from experiments.runs.workload import Finished, write_outputs
    from twin.tiers import is_theory

    out = Path(args.out)
    configs = _configs(args)
    members = _members(args, backend)
    tiers = members[0].tiers
    computed = any(is_theory(t.name) for t in tiers)
    print(
        f"Brunel sweep on {backend}: {len(configs)} runs x {len(tiers)} tier(s) "
        f"({', '.join(t.name for t in tiers)})"
        + (f" x {len(members)} ensemble members" if len(members) > 1 else "")
        + f", {args.t_stop / 1000:g} s each; finished points are kept in "
        f"{out / 'points'} and reused by the same code"
        + (" (and by other code: --reuse-stale)" if args.reuse_stale else "")
        + ("; theory rows are computed again, not kept" if computed else "")
    )
    start = time.perf_counter()
    try:
        with sweep_executor(args) as executor:
            found = run_ensemble(
                members, configs, backend, out=out,
                threads=getattr(args, "threads", 2), progress=True,
                executor=executor, batch=args.batch, keep_going=True,
                reuse_stale=args.reuse_stale,
                progress_log=args.progress_log,
            )  # fmt: skip
    except SweepError as err:
        print(f"done in {time.perf_counter() - start:.1f} s")
        print(read_table(out / TABLE_NAME).describe(("g", "eta")))
        for f in err.failures:
            print(f"twin {args.command}: failed: {f.describe()}", file=sys.stderr)
        return 1
    finished = Finished(
        tuple((m.labels, tuple(rs)) for m, rs in zip(members, found, strict=True)),
        out,
        backend,
    )
    print(f"done in {time.perf_counter() - start:.1f} s")
    _print_wafer_cost(args.t_stop, configs, len(members))
    _print_table(finished.results)
    print_outputs(write_outputs(members[0].workload.outputs(), finished))
    return 0


def _print_wafer_cost(t_stop: float, configs: list, members: int) -> None:
    """Print the sweep's cost on the wafer: a set-up per network realisation."""
    from twin.hardware.cost import wafer_cost

    setups = len({c.seed for c in configs}) * members
    cost = wafer_cost(t_stop, runs=len(configs) * members, setups=setups)
    print("\n".join(cost.lines()))


def _cmd_brunel(args: argparse.Namespace) -> int:
    return _run_sweep_command(args, "twin")


def _cmd_nest(args: argparse.Namespace) -> int:
    return _run_sweep_command(args, "nest")


def _add_sweep_options(parser: argparse.ArgumentParser, out: str) -> None:
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=out,
        help="output folder (summary.csv, exc.h5/inh.h5, PNGs, points/ for resuming)",
    )
    parser.add_argument(
        "--t-stop",
        metavar="MS",
        type=positive_float,
        default=10_000.0,
        help="simulated biological time per point, ms (>= the 1000 ms analysis window)",
    )
    parser.add_argument(
        "--seed", type=int_list, default=(1234,), metavar="LIST",
        help="network realisation seeds, comma separated (default 1234); each "
        "with its --seeds - 1 successors",
    )  # fmt: skip
    parser.add_argument(
        "--g", type=positive_list, default=SEED_GS, metavar="LIST",
        help="relative inhibition values, comma separated (default: the seed's "
        "1,4,8,10)",
    )  # fmt: skip
    parser.add_argument(
        "--eta", type=positive_list, default=SEED_ETAS, metavar="LIST",
        help="external rates relative to threshold, comma separated (default: the "
        "seed's 0.8,1.6,2.4,3.2)",
    )  # fmt: skip
    parser.add_argument(
        "--seeds",
        type=positive_int,
        default=1,
        metavar="N",
        help="number of network realisations per --seed (seeds SEED .. SEED+N-1)",
    )
    parser.add_argument(
        "--layout", choices=["seed", "all", "30"], default="seed",
        help="recording layout: the seed's rule (all neurons if g >= 7 and eta <= 1.2, "
        "else 30 isolated), or all / 30 at every point",
    )  # fmt: skip
    parser.add_argument(
        "--network", choices=list(REALISATIONS), default="independent",
        help="network realisation: independent draws per parameter (default), or "
        "seed: the seed notebook's own draws through PyNN 0.13 (one normal sequence "
        "per neuron; --seed is its network seed, 1234 in the notebook)",
    )  # fmt: skip
    parser.add_argument(
        "--progress-log", metavar="FILE", type=Path,
        help="write the progress bar's estimates to FILE (elapsed s, estimated s "
        "left, work fraction done, points done; python -m experiments.runs.progress "
        "FILE gives the estimate's error at 20 s, 60 s and half-way)",
    )  # fmt: skip
    add_wafer_options(parser, many=True)
    add_executor_options(parser)
    add_reuse_option(parser)


def add_parser(sub: Any) -> None:
    """Add the sub-command(s) to the ``twin`` parser's sub-parsers.

    Adds ``twin brunel`` and ``twin nest``, each with its options and its handler
    as the ``func`` default (what :func:`experiments.cli.main` calls).

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser (what
        ``ArgumentParser.add_subparsers`` returns).
    """
    brunel = sub.add_parser(
        "brunel",
        help="the seed experiment on the twin (main job)",
        description="Run the seed's 16-point (g, eta) sweep on the twin at the given "
        "fidelity tiers; write summary.csv, the seed's exc.h5/inh.h5, heat maps and "
        "rasters. An interrupted sweep resumes from the points already in OUT/points.",
    )
    _add_sweep_options(brunel, "results/brunel")
    brunel.add_argument(
        "--fidelity",
        type=tiers_arg,
        default=["ideal"],
        metavar="TIERS",
        help="ideal (the model), mapped (synapse loss and route delays), hardware "
        "(mapped + analog effects + bandwidth limits), theory, theory-mapped, "
        "theory-hardware (mean-field rates of those networks, no emulation), a "
        "comma list, or all (the three emulated tiers; default: ideal)",
    )
    brunel.add_argument(
        "--ablation",
        action="store_true",
        help="also run the hardware tier with each effect switched off in turn",
    )
    brunel.add_argument(
        "--calibration",
        metavar="FILE",
        help="saturation parameters fitted by `twin calibrate` (JSON)",
    )
    brunel.add_argument(
        "--wafer-seed",
        type=int_list,
        metavar="LIST",
        help="run every realisation on the one wafer whose fixed-pattern variation "
        "has this seed; a comma list: an ensemble member per wafer (default: a "
        "fresh wafer per network realisation)",
    )
    brunel.add_argument(
        "--strategy", type=_choices(STRATEGIES), metavar="LIST",
        help="mapping strategies (placement chip order), comma separated, an "
        f"ensemble member each: {', '.join(STRATEGIES)} (default: the seed's)",
    )  # fmt: skip
    brunel.add_argument(
        "--router", type=_choices(ROUTERS), metavar="LIST",
        help=f"L1 routers, comma separated ({', '.join(ROUTERS)}); an ensemble "
        "member each (default: the seed's)",
    )  # fmt: skip
    brunel.set_defaults(func=_cmd_brunel)

    nest = sub.add_parser(
        "nest",
        help="the same sweep on NEST through PyNN",
        description="Run the sweep on NEST (PyNN), the same networks; same outputs.",
    )
    _add_sweep_options(nest, "results/nest")
    nest.add_argument(
        "--fidelity",
        type=tiers_arg,
        default=["ideal"],
        metavar="TIERS",
        help="ideal or mapped (the mapped network on NEST, as the seed's "
        "implemented-routes runs); the hardware tier is twin-only",
    )
    nest.add_argument("--threads", type=positive_int, default=2, help="NEST threads")
    nest.set_defaults(func=_cmd_nest)
