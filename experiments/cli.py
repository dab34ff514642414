"""The ``twin`` command line: one entry point with a subcommand per job.

User mistakes (bad option values, unreadable files) end with one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import os

# The emulator splits a batch over the local XLA devices; on a CPU host make one device
# per core. Must happen before JAX starts; an XLA_FLAGS set by the user wins.
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count() or 1}"
)

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from experiments.brunel import SEED_ETAS, SEED_GS
from twin.errors import ConfigError, TwinError
from twin.wafer import BANDWIDTH, Defects, Wafer, build_l1_graph, synthetic_defects

if TYPE_CHECKING:
    from twin.hardware import HardwareConfig

__all__ = ["main"]


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be > 0")
    return value


def _load_wafer(args: argparse.Namespace) -> Wafer:
    if args.defects and args.synthetic_defects is not None:
        raise ConfigError(
            "give either --defects FILE or --synthetic-defects SEED, not both"
        )
    if args.defects:
        return Wafer(defects=Defects.load(args.defects))
    if args.synthetic_defects is not None:
        return Wafer(defects=synthetic_defects(args.synthetic_defects))
    return Wafer()


def wafer_summary(wafer: Wafer) -> str:
    """Return a human-readable summary of a wafer's resources and limits."""
    start = time.perf_counter()
    graph = build_l1_graph(wafer)
    elapsed = time.perf_counter() - start
    spec, d = wafer.spec, wafer.defects
    lines = [
        f"wafer {wafer.wafer_id}: {len(wafer.usable_hicanns())} of {spec.n_hicanns} "
        f"HICANNs usable, {spec.n_reticles} reticles/FPGAs "
        f"({len(d.fpgas_without_highspeed)} without L2 links)",
        f"  defects: {len(d.hicanns)} chips, {len(d.denmems)} denmems, "
        f"{len(d.hlines) + len(d.vlines)} L1 lines, {len(d.drivers)} drivers, "
        f"{len(d.dnc_mergers)} DNC mergers",
        f"  neuron circuits: {spec.denmems:,}; logical neurons of size 8: "
        f"{wafer.neuron_capacity(8):,}",
        f"  synapses per chip: {spec.synapses_per_hicann:,}",
        f"  L1 graph: {graph.number_of_nodes():,} buses, {graph.number_of_edges():,} "
        f"switches/repeaters, built in {elapsed:.2f} s",
        f"  rate limits (speed-up {BANDWIDTH.speedup:g}):",
    ]
    for name, limit in BANDWIDTH.limits.items():
        flag = " (assumption)" if limit.assumption else ""
        lines.append(
            f"    {name:<22} {limit.rate_hw / 1e6:7.2f} MEvent/s hw = "
            f"{BANDWIDTH.bio(name):9.1f} Hz bio per {limit.scope}{flag}"
        )
    return "\n".join(lines)


def _cmd_wafer(args: argparse.Namespace) -> int:
    from twin.wafer.draw import draw_wafer, save_figure

    wafer = _load_wafer(args)
    print(wafer_summary(wafer))
    if args.save_defects:
        wafer.defects.save(args.save_defects)
        print(f"defect map written to {args.save_defects}")
    if args.out:
        save_figure(draw_wafer(wafer), args.out)
        print(f"wafer picture written to {args.out}")
    return 0


def _positive_list(text: str) -> tuple[float, ...]:
    values = tuple(_positive_float(part) for part in text.split(",") if part.strip())
    if not values:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least one value")
    return values


def _tiers_arg(text: str) -> list[str]:
    from twin.tiers import parse_fidelities

    try:
        return list(parse_fidelities(text))
    except TwinError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _sweep_outputs(results: list, out: Path, platform: str) -> list[Path]:
    """Write summary.csv, seed files, heat maps and rasters of a finished sweep."""
    from experiments.brunel import BrunelConfig
    from experiments.plots import heat_maps, raster
    from experiments.summary import write_chips, write_seed_files, write_summary
    from twin.tiers import ablated_effect
    from twin.wafer.draw import save_figure

    written = [write_summary(results, out / "summary.csv")]
    if any(r.groups for r in results):
        written.append(write_chips(results, out / "chips.csv"))
    tiers = list(dict.fromkeys(r.tier for r in results))
    first_seed = results[0].seed
    n_exc, n_inh = BrunelConfig().n_exc, BrunelConfig().n_inh
    for tier in tiers:
        mine = [r for r in results if r.tier == tier and r.seed == first_seed]
        folder = out if tier == tiers[0] else out / tier
        written += write_seed_files(mine, folder, n_exc, n_inh)
        if ablated_effect(tier):
            continue
        title = f"{platform} {tier}"
        written.append(
            save_figure(heat_maps(mine, title=title), out / f"heatmaps_{tier}.png")
        )
        for r in mine:
            if (r.g, r.eta) in ((1.0, 0.8), (8.0, 0.8)):
                t = r.recording.t_stop
                name = f"raster_{tier}_g{r.g:g}_eta{r.eta:g}.png"
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
            f"{r.tier:>24} {r.seed:5d} {r.g:5g} {r.eta:5g} {r.layout:>6} {r.rate:9.2f} "
            f"{r.cv:6.2f} {r.global_cv:10.2f}"
        )


def _run_sweep_command(args: argparse.Namespace, backend: str) -> int:
    from experiments.brunel import BrunelConfig
    from experiments.sweep import grid, run_sweep, tier_list

    base = BrunelConfig(t_stop=args.t_stop, seed=args.seed)
    out = Path(args.out)
    hardware = _hardware_config(args) if backend == "twin" else None
    tiers = tier_list(args.fidelity, getattr(args, "ablation", False), hardware)
    configs = grid(base, gs=args.g, etas=args.eta, seeds=args.seeds)
    print(
        f"Brunel sweep on {backend}: {len(configs)} runs x {len(tiers)} tier(s) "
        f"({', '.join(t.name for t in tiers)}), {args.t_stop / 1000:g} s each; "
        f"finished points are kept in {out / 'points'} and reused"
    )
    start = time.perf_counter()
    results = run_sweep(
        configs,
        backend,
        tiers,
        out=out,
        wafer=_load_wafer(args),
        threads=getattr(args, "threads", 2),
        progress=True,
        layout=None if args.layout == "seed" else args.layout,
    )
    print(f"done in {time.perf_counter() - start:.1f} s")
    _print_table(results)
    for path in _sweep_outputs(results, out, backend):
        print(f"wrote {path}")
    return 0


def _hardware_config(args: argparse.Namespace) -> HardwareConfig:

    from twin.hardware import HardwareConfig

    config = HardwareConfig()
    if getattr(args, "calibration", None):
        from experiments.calibrate import load_calibration

        config = load_calibration(args.calibration).hardware(config)
    if getattr(args, "wafer_seed", None) is not None:
        config = config.on_wafer(args.wafer_seed)
    return config


def _cmd_brunel(args: argparse.Namespace) -> int:
    return _run_sweep_command(args, "twin")


def _cmd_nest(args: argparse.Namespace) -> int:
    return _run_sweep_command(args, "nest")


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from experiments.brunel import BrunelConfig
    from experiments.calibrate import calibrate, save_calibration
    from experiments.compare import load_wafer

    target = load_wafer(Path(args.wafer))
    base = BrunelConfig(t_stop=args.t_stop, seed=args.seed)
    print(f"fitting g_sat and inh_scale to {len(target)} wafer points ...")
    cal = calibrate(target, base, wafer=_load_wafer(args))
    print(
        f"g_sat = {cal.g_sat:.4g} µS, inh_scale = {cal.inh_scale:g}, "
        f"loss = {cal.loss:.4g} (mean squared log(1 + rate) difference)"
    )
    print(f"wrote {save_calibration(cal, Path(args.out))}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from experiments.compare import (
        aggregate,
        load_chips,
        load_summary,
        load_wafer,
        report,
        write_report,
    )
    from experiments.plots import difference_maps, heat_maps, tier_curve
    from twin.wafer.draw import save_figure

    out = Path(args.out)
    rows = [row for folder in args.folders for row in load_summary(Path(folder))]
    twin = [r for r in rows if r.get("platform", "twin") == "twin"]
    nest = [r for r in rows if r.get("platform") == "nest"]
    tiers = {r["tier"] for r in twin}
    if not twin or not (nest or args.wafer or tiers - {"ideal"}):
        raise ConfigError(
            "twin compare needs twin results and something to compare them with: "
            "give the folders of a `twin brunel` and a `twin nest` run, a `twin "
            "brunel` run with several tiers, or --wafer DIR"
        )
    wafer = load_wafer(Path(args.wafer)) if args.wafer else None
    t = {tier: v for (_, tier), v in aggregate(twin).items()}
    n = {tier: v for (_, tier), v in aggregate(nest).items()}
    grid = {tier: {p: s.as_grid_row() for p, s in v.items()} for tier, v in t.items()}
    ngrid = {tier: {p: s.as_grid_row() for p, s in v.items()} for tier, v in n.items()}
    figures = []
    for tier in ("ideal", "mapped"):
        if tier in grid and tier in ngrid:
            name = f"diff_twin_{tier}_minus_nest.png"
            save_figure(
                difference_maps(grid[tier], ngrid[tier], f"twin {tier} − NEST {tier}"),
                out / name,
            )
            figures.append(name)
    if "mapped" in grid and len(grid) > 1:
        save_figure(
            tier_curve({k: v for k, v in grid.items() if "-no-" not in k}),
            out / "tiers_vs_mapped.png",
        )
        figures.append("tiers_vs_mapped.png")
    if wafer:
        from experiments.compare import corrected_g

        wgrid = {p: s.as_grid_row() for p, s in wafer.items()}
        labels = {g: corrected_g(g) for g, _ in wafer} if args.g_correction else None
        save_figure(
            heat_maps(wgrid, "wafer", g_labels=labels), out / "heatmaps_wafer.png"
        )
        figures.append("heatmaps_wafer.png")
        ref = "hardware" if "hardware" in grid else "ideal"
        save_figure(
            difference_maps(wgrid, grid.get(ref, {}), f"wafer − twin {ref}"),
            out / "diff_wafer_minus_twin.png",
        )
        figures.append("diff_wafer_minus_twin.png")
    chips = [row for folder in args.folders for row in load_chips(Path(folder))]
    text = report(
        twin,
        nest,
        wafer,
        figures=figures,
        g_correction=args.g_correction,
        chips=chips,
    )
    print(text)
    print(f"wrote {write_report(text, out)}")
    return 0


def _add_wafer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--defects", metavar="FILE", help="defect map (JSON) to load")
    parser.add_argument(
        "--synthetic-defects",
        metavar="SEED",
        type=int,
        help="use a synthetic defect map drawn with this seed",
    )


def _cmd_map(args: argparse.Namespace) -> int:
    from experiments.brunel import BrunelConfig, build_network
    from experiments.mapjob import (
        MapRequest,
        brunel_mapping_config,
        compare_table,
        loss_table_text,
        write_mapping,
    )
    from twin.routing import map_network

    wafer = _load_wafer(args)
    request = MapRequest(config=BrunelConfig(seed=args.seed), isolate=args.isolate)
    config = brunel_mapping_config(
        request,
        strategy=args.strategy,
        router=args.router,
        neuron_size=args.neuron_size,
        max_neurons_per_hicann=args.max_neurons_per_hicann or None,
    )
    network = build_network(request.config)
    if args.compare:
        print(compare_table(network, wafer, config))
        return 0
    mapping = map_network(network, wafer, config=config, validate=args.validate)
    print(loss_table_text(mapping))
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in mapping.timings.items())
    print(f"time per stage: {stages}")
    if args.out:
        for path in write_mapping(mapping, Path(args.out)):
            print(f"wrote {path}")
    return 0


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
        type=_positive_float,
        default=10_000.0,
        help="simulated biological time per point, ms (>= the 1000 ms analysis window)",
    )
    parser.add_argument(
        "--seed", type=int, default=1234, help="first network realisation seed"
    )
    parser.add_argument(
        "--g", type=_positive_list, default=SEED_GS, metavar="LIST",
        help="relative inhibition values, comma separated (default: the seed's "
        "1,4,8,10)",
    )  # fmt: skip
    parser.add_argument(
        "--eta", type=_positive_list, default=SEED_ETAS, metavar="LIST",
        help="external rates relative to threshold, comma separated (default: the "
        "seed's 0.8,1.6,2.4,3.2)",
    )  # fmt: skip
    parser.add_argument(
        "--seeds",
        type=_positive_int,
        default=1,
        metavar="N",
        help="number of network realisations (seeds SEED .. SEED+N-1)",
    )
    parser.add_argument(
        "--layout", choices=["seed", "all", "30"], default="seed",
        help="recording layout: the seed's rule (all neurons if g >= 7 and eta <= 1.2, "
        "else 30 isolated), or all / 30 at every point",
    )  # fmt: skip
    _add_wafer_options(parser)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (and exit code 2)."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem and where help is, then exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``twin`` command."""
    parser = _Parser(
        prog="twin", description="Digital twin of the BrainScaleS-1 wafer."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    wafer = sub.add_parser("wafer", help="summarise and draw the wafer")
    wafer.add_argument("--defects", metavar="FILE", help="defect map (JSON) to load")
    wafer.add_argument(
        "--synthetic-defects",
        metavar="SEED",
        type=int,
        help="draw a synthetic defect map",
    )
    wafer.add_argument(
        "--save-defects", metavar="FILE", help="write the defect map as JSON"
    )
    wafer.add_argument("--out", metavar="PNG", help="write a picture of the wafer")
    wafer.set_defaults(func=_cmd_wafer)

    mapper = sub.add_parser(
        "map",
        help="map the seed network onto the wafer and report every lost synapse",
        description="Place and route a network; print the per-projection loss table.",
    )
    mapper.add_argument(
        "--network", choices=["brunel"], default="brunel", help="network to map"
    )
    mapper.add_argument(
        "--strategy",
        choices=["enum", "spiral", "cluster"],
        default="spiral",
        help="chip order of neuron placement",
    )
    mapper.add_argument(
        "--isolate",
        type=int,
        default=0,
        metavar="N",
        help="place the first N excitatory neurons alone, one per chip (seed: 30)",
    )
    mapper.add_argument(
        "--router",
        choices=["backbone", "shortest"],
        default="backbone",
        help="L1 routing algorithm",
    )
    mapper.add_argument(
        "--neuron-size",
        type=int,
        default=8,
        help="denmems per logical neuron (even, 2-64)",
    )
    mapper.add_argument(
        "--max-neurons-per-hicann",
        type=int,
        default=59,
        metavar="N",
        help="cap on neurons per chip (0: no cap)",
    )
    mapper.add_argument(
        "--seed", type=int, default=1234, help="network realisation seed"
    )
    _add_wafer_options(mapper)
    mapper.add_argument(
        "--out", metavar="DIR", help="write mapping.json, pictures, routes"
    )
    mapper.add_argument(
        "--compare",
        action="store_true",
        help="map with every strategy x router, one table",
    )
    mapper.add_argument(
        "--validate",
        action="store_true",
        help="run the validity oracles on the mapping",
    )
    mapper.set_defaults(func=_cmd_map)

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
        type=_tiers_arg,
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
        type=_tiers_arg,
        default=["ideal"],
        metavar="TIERS",
        help="ideal or mapped (the mapped network on NEST, as the seed's "
        "implemented-routes runs); the hardware tier is twin-only",
    )
    nest.add_argument("--threads", type=_positive_int, default=2, help="NEST threads")
    nest.set_defaults(func=_cmd_nest)

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
        type=_positive_float,
        default=10_000.0,
        help="simulated time per point of the fit, ms (as the wafer runs)",
    )
    calib.add_argument("--seed", type=int, default=1234, help="network realisation")
    _add_wafer_options(calib)
    calib.set_defaults(func=_cmd_calibrate)

    compare = sub.add_parser(
        "compare",
        help="report twin vs NEST (vs wafer) per point",
        description="Write report.md with tables per (g, eta) (twin tiers, NEST, "
        "wafer, differences, verdicts, dropped events, ablation) and difference heat "
        "maps.",
    )
    compare.add_argument(
        "folders", metavar="DIR", nargs="+",
        help="folders written by twin brunel and twin nest (any number; rows are "
        "told apart by their platform and tier)",
    )  # fmt: skip
    compare.add_argument(
        "--wafer", metavar="DIR", help="folder with a wafer's exc.h5 and inh.h5"
    )
    compare.add_argument(
        "--g-correction",
        action="store_true",
        help="label wafer g with the seed's effective g_corr = 0.869 g + 0.287",
    )
    compare.add_argument(
        "--out",
        metavar="DIR",
        default="results/compare",
        help="folder for report.md and the figures",
    )
    compare.set_defaults(func=_cmd_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``twin`` command; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TwinError as err:
        print(f"twin {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. output piped into `head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(
            f"twin {args.command}: interrupted; finished results are kept",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
