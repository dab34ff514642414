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

from twin.errors import ConfigError, TwinError
from twin.wafer import BANDWIDTH, Defects, Wafer, build_l1_graph, synthetic_defects

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


def _cmd_brunel(args: argparse.Namespace) -> int:
    import jax

    from experiments.brunel import BrunelConfig
    from experiments.plots import heat_maps, raster
    from experiments.sweep import run_twin_sweep, write_seed_files, write_summary
    from twin.wafer.draw import save_figure

    if args.fidelity != "ideal":
        raise ConfigError(
            f"--fidelity {args.fidelity}: only 'ideal' runs in the sweep so far; the "
            "'mapped' tier is available from Python (twin.analog.realise)"
        )
    base = BrunelConfig(t_stop=args.t_stop, seed=args.seed)
    out = Path(args.out)
    n_dev = jax.local_device_count()
    print(
        f"Brunel sweep on the twin: 16 points x {args.t_stop / 1000:g} s biological, "
        f"{base.n_neurons} neurons, one compiled call on {n_dev} device(s) ..."
    )
    results, timings = run_twin_sweep(base)
    print(
        f"done in {timings['total']:.1f} s (compile {timings['compile']:.1f} s, run "
        f"{timings['run']:.1f} s)"
    )
    print(
        f"{'g':>5} {'eta':>5} {'layout':>6} {'rate Hz':>9} {'CV':>6} {'global CV':>10}"
    )
    for r in results:
        a = r.activity
        print(
            f"{r.g:5g} {r.eta:5g} {r.layout:>6} {a.rate:9.2f} {a.cv:6.2f} "
            f"{a.global_cv:10.2f}"
        )
    written = [write_summary(results, out / "summary.csv")]
    written += write_seed_files(results, base, out)
    written.append(save_figure(heat_maps(results), out / "heatmaps.png"))
    window = (args.t_stop - 200.0, args.t_stop - 100.0)
    for r in results:
        if (r.g, r.eta) in ((1.0, 0.8), (8.0, 0.8)):
            name = f"raster_g{r.g:g}_eta{r.eta:g}.png"
            written.append(save_figure(raster(r, window), out / name))
    for path in written:
        print(f"wrote {path}")
    return 0


def _cmd_nest(args: argparse.Namespace) -> int:
    from experiments.brunel import BrunelConfig
    from experiments.plots import heat_maps
    from experiments.sweep import run_nest_sweep, write_seed_files, write_summary
    from twin.wafer.draw import save_figure

    base = BrunelConfig(t_stop=args.t_stop, seed=args.seed)
    out = Path(args.out)
    print(f"Brunel sweep on NEST (PyNN, {args.threads} threads): 16 points x "
          f"{args.t_stop / 1000:g} s ...")  # fmt: skip
    results = run_nest_sweep(base, threads=args.threads)
    written = [write_summary(results, out / "summary.csv", platform="nest")]
    written += write_seed_files(results, base, out)
    written.append(save_figure(heat_maps(results, title="NEST"), out / "heatmaps.png"))
    for path in written:
        print(f"wrote {path}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from experiments.compare import load_summary, load_wafer, report, write_report

    twin = load_summary(Path(args.twin))
    nest = load_summary(Path(args.nest))
    wafer = load_wafer(Path(args.wafer)) if args.wafer else None
    text = report(twin, nest, wafer)
    print(text)
    print(f"wrote {write_report(text, Path(args.out))}")
    return 0


def _add_wafer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--defects", metavar="FILE", help="defect map (JSON) to load")
    parser.add_argument(
        "--synthetic-defects", metavar="SEED", type=int,
        help="use a synthetic defect map drawn with this seed",
    )  # fmt: skip


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
    parser.add_argument("--out", metavar="DIR", default=out, help="output folder")
    parser.add_argument(
        "--t-stop", metavar="MS", type=_positive_float, default=10_000.0,
        help="simulated biological time per point, ms (>= the 1000 ms analysis window)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int, default=1234, help="network realisation seed"
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``twin`` command."""
    parser = argparse.ArgumentParser(
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
        "--strategy", choices=["enum", "spiral", "cluster"], default="spiral",
        help="chip order of neuron placement",
    )  # fmt: skip
    mapper.add_argument(
        "--isolate", type=int, default=0, metavar="N",
        help="place the first N excitatory neurons alone, one per chip (seed: 30)",
    )  # fmt: skip
    mapper.add_argument(
        "--router", choices=["backbone", "shortest"], default="backbone",
        help="L1 routing algorithm",
    )  # fmt: skip
    mapper.add_argument(
        "--neuron-size",
        type=int,
        default=8,
        help="denmems per logical neuron (even, 2-64)",
    )
    mapper.add_argument(
        "--max-neurons-per-hicann", type=int, default=59, metavar="N",
        help="cap on neurons per chip (0: no cap)",
    )  # fmt: skip
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

    brunel = sub.add_parser("brunel", help="the seed experiment on the twin (main job)")
    _add_sweep_options(brunel, "results/brunel")
    brunel.add_argument(
        "--fidelity", choices=["ideal", "mapped", "hardware"], default="ideal",
        help="emulation tier (the sweep runs 'ideal' so far)",
    )  # fmt: skip
    brunel.set_defaults(func=_cmd_brunel)

    nest = sub.add_parser("nest", help="the same sweep on NEST through PyNN")
    _add_sweep_options(nest, "results/nest")
    nest.add_argument("--threads", type=int, default=2, help="NEST threads")
    nest.set_defaults(func=_cmd_nest)

    compare = sub.add_parser("compare", help="report twin vs NEST (vs wafer) per point")
    compare.add_argument(
        "twin", metavar="TWIN_DIR", help="folder written by twin brunel"
    )
    compare.add_argument("nest", metavar="NEST_DIR", help="folder written by twin nest")
    compare.add_argument(
        "--wafer", metavar="DIR", help="folder with a wafer's exc.h5 and inh.h5"
    )
    compare.add_argument("--out", metavar="DIR", default="results/compare")
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
