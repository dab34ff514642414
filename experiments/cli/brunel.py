"""``twin brunel`` and ``twin nest``: the seed sweep on the twin or on NEST."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from experiments.brunel import SEED_ETAS, SEED_GS
from experiments.brunel.config import REALISATIONS
from experiments.cli.common import (
    add_wafer_options,
    hardware_config,
    load_wafer,
    positive_float,
    positive_int,
    positive_list,
    tiers_arg,
)


def _sweep_outputs(
    workload: Any, results: list, out: Path, platform: str
) -> list[Path]:
    """Write summary.csv, seed files, heat maps and rasters of a finished sweep."""
    from experiments.brunel import BrunelConfig
    from experiments.brunel.layout import SEED_FILE_NEURONS
    from experiments.report.plots import heat_maps, raster
    from experiments.report.summary import write_chips, write_seed_files, write_summary
    from twin.tiers import ablated_effect
    from twin.wafer.draw import save_figure

    written = [write_summary(workload, results, out / "summary.csv")]
    if any(r.groups for r in results):
        written.append(write_chips(workload, results, out / "chips.csv"))
    tiers = list(dict.fromkeys(r.tier for r in results))
    first_seed = results[0].seed
    n_exc, n_inh = BrunelConfig().n_exc, BrunelConfig().n_inh
    for tier in tiers:
        mine = [r for r in results if r.tier == tier and r.seed == first_seed]
        folder = out if tier == tiers[0] else out / tier
        written += write_seed_files(mine, folder, n_exc, n_inh, SEED_FILE_NEURONS)
        if ablated_effect(tier):
            continue
        title = f"{platform} {tier}"
        written.append(
            save_figure(heat_maps(mine, title=title), out / f"heatmaps_{tier}.png")
        )
        for r in mine:
            if (r["g"], r["eta"]) in ((1.0, 0.8), (8.0, 0.8)):
                t = r.recording.t_stop
                name = f"raster_{tier}_g{r['g']:g}_eta{r['eta']:g}.png"
                written.append(
                    save_figure(raster(r, (t - 200.0, t - 100.0)), out / name)
                )
    return written


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


def _run_sweep_command(args: argparse.Namespace, backend: str) -> int:
    from experiments.brunel import BrunelConfig
    from experiments.brunel.workload import BrunelWorkload, grid
    from experiments.runs.sweep import run_sweep
    from twin.tiers import tier_list

    base = BrunelConfig(t_stop=args.t_stop, seed=args.seed, network=args.network)
    out = Path(args.out)
    hardware = hardware_config(args) if backend == "twin" else None
    tiers = tier_list(args.fidelity, getattr(args, "ablation", False), hardware)
    configs = grid(base, gs=args.g, etas=args.eta, seeds=args.seeds)
    print(
        f"Brunel sweep on {backend}: {len(configs)} runs x {len(tiers)} tier(s) "
        f"({', '.join(t.name for t in tiers)}), {args.t_stop / 1000:g} s each; "
        f"finished points are kept in {out / 'points'} and reused"
    )
    start = time.perf_counter()
    workload = BrunelWorkload(None if args.layout == "seed" else args.layout)
    results = run_sweep(
        workload,
        configs,
        backend,
        tiers,
        out=out,
        wafer=load_wafer(args),
        threads=getattr(args, "threads", 2),
        progress=True,
    )
    print(f"done in {time.perf_counter() - start:.1f} s")
    _print_table(results)
    for path in _sweep_outputs(workload, results, out, backend):
        print(f"wrote {path}")
    return 0


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
        "--seed", type=int, default=1234, help="first network realisation seed"
    )
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
        help="number of network realisations (seeds SEED .. SEED+N-1)",
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
    add_wafer_options(parser)


def add_parser(sub: Any) -> None:
    """Add the sub-command(s) to the ``twin`` parser's sub-parsers."""
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
        "(mapped + analog effects + bandwidth limits), a comma list, or all "
        "(default: ideal)",
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
        type=int,
        metavar="N",
        help="run every realisation on the one wafer whose fixed-pattern variation "
        "has this seed (default: a fresh wafer per network realisation)",
    )
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
