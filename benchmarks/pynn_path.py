"""One Brunel point through PyNN on the twin, against the direct path and NEST.

Usage: python benchmarks/pynn_path.py [--fidelity ideal|mapped|hardware|LIST]
                                      [--repeats N] [--t-stop MS] [--g 5] [--eta 2]
                                      [--seed S] [--scale S] [--record 30|all]
                                      [--nest-threads N] [--no-nest] [--json PATH]

Three ways to run the same point (one ``BrunelConfig``: full size, 2,083 neurons; one
seed), each measurement in a fresh Python process, so imports, JAX's compilation and
NEST's kernel start are counted alike:

- ``direct``: ``experiments.brunel.workload.run(config, "twin", fidelity)`` — the
  by ``experiments.brunel.build_network``, the tier applied by ``twin.tiers.realise``,
  one ``simulate_batch`` call, the seed's analysis;
- ``twin.pynn``: the functions of ``examples/brunel_pynn.py`` on ``twin.pynn`` at the
  same fidelity, as its ``run_points`` runs one point: ``setup``, ``build``
  (populations with random parameters, projections through ``FixedNumberPreConnector``),
  ``reset``, the external rate of eta, ``run``, ``get_data``;
- ``pyNN.nest``: the same script on ``pyNN.nest`` (``--nest-threads``, default 1 as the
  script runs; NEST has no fidelity tiers, so it runs once per repeat).

The worker processes time their stages by wrapping, in the worker only,
``twin.pynn.snapshot.network_of`` (twin.pynn) or
``experiments.brunel.workload.build_network`` (direct), and on both paths
``twin.tier_inputs.realise`` and ``twin.tier_run.simulate_batch`` (the one tier run
both take); ``simulate_batch`` reports its own prepare / compile / run / decode split.
Printed per fidelity: the wall time of each process, its ratio to the direct path and
twin.pynn / NEST, then the stages (medians over ``--repeats``, each stage on its own, so
with several repeats the column need not add up to the median wall). Both twin paths
run on one XLA CPU device (a single point is a batch of one) unless ``XLA_FLAGS`` says
otherwise.

The paths draw different realisations of the same model (PyNN's random streams vs
``build_network``'s), and the mapped tiers map with different settings (the direct path
isolates the seed's 30 recorded neurons and plans input bandwidth as ``twin brunel``;
``twin.pynn`` uses ``MappingConfig()``); the hardware tier of the direct path requests
the model's mean parameters, ``twin.pynn`` the script's varied ones. The rates printed
are a check that each run did the work (recorded excitatory neurons, last analysis
window), not a comparison.
"""

from __future__ import annotations

import os

# One XLA CPU device, set before JAX starts (inherited by the workers): one point is a
# batch of one, which more devices would only pad with copies.
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")

import argparse
import importlib.util
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

PATHS = ("direct", "twin.pynn", "pyNN.nest")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "brunel_pynn.py"
#: Stages of the table: (label, key in a worker's times); "other" and "startup" are
#: derived (the worker's total minus its stages; the process wall minus the total).
STAGES = (
    ("interpreter start + exit", "startup"),
    ("imports", "imports"),
    ("network construction [1]", "construction"),
    ("PyNN -> Network (network_of)", "network_of"),
    ("tier realisation (realise)", "realise"),
    ("emulation (simulate_batch) [2]", "emulation"),
    ("  prepare", "emulation:prepare"),
    ("  compile", "emulation:compile"),
    ("  run", "emulation:run"),
    ("  decode", "emulation:decode"),
    ("get_data", "get_data"),
    ("other [3]", "other"),
)
NOTES = (
    "[1] direct: build_network; PyNN: setup + Populations + Projections (connectors)",
    "[2] pyNN.nest: the whole sim.run call (NEST builds and simulates inside it)",
    "[3] direct: seed analysis, mapping settings; twin.pynn: reset, set(rate), the rest"
    " of run, rate of the block",
)


# ----------------------------------------------------------------------------- worker


def _wrap(
    module: Any,
    name: str,
    times: dict[str, float],
    key: str,
    *,
    inner: bool = False,
    seen: Callable[[Any], None] | None = None,
) -> None:
    """Replace ``module.name`` by a version that adds its wall time to ``times[key]``.

    ``inner``: add the entries of the result's ``timings`` (``simulate_batch``'s
    ``BatchResult``) as ``key:entry``. ``seen``: called with the return value.
    """
    original = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            out = original(*args, **kwargs)
        finally:
            times[key] = times.get(key, 0.0) + time.perf_counter() - start
        for part, value in out.timings.items() if inner else ():
            times[f"{key}:{part}"] = times.get(f"{key}:{part}", 0.0) + value
        if seen is not None:
            seen(out)
        return out

    setattr(module, name, timed)


def _example() -> ModuleType:
    """Import ``examples/brunel_pynn.py`` (not a package) as a module."""
    spec = importlib.util.spec_from_file_location("brunel_pynn", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _window(t_stop: float) -> float:
    """The analysis window of the example: the last 1000 ms, or half a shorter run."""
    return min(1000.0, t_stop / 2)


def _direct(args: argparse.Namespace, start: float) -> dict[str, Any]:
    """The direct path: ``experiments.brunel.workload.run`` on the twin."""
    import experiments.brunel.workload
    import twin.tier_inputs
    import twin.tier_run
    from experiments.brunel import BrunelConfig

    times: dict[str, float] = {"imports": time.perf_counter() - start}
    info: dict[str, Any] = {}

    def loss(realised: Any) -> None:
        info["synapse_loss"] = float(realised.synapse_loss)

    _wrap(experiments.brunel.workload, "build_network", times, "construction")
    _wrap(twin.tier_inputs, "realise", times, "realise", seen=loss)
    _wrap(twin.tier_run, "simulate_batch", times, "emulation", inner=True)
    config = BrunelConfig(
        g=args.g,
        eta=args.eta,
        seed=args.seed,
        scale=args.scale,
        t_stop=args.t_stop,
        analysis_window=_window(args.t_stop),
    )
    result = experiments.brunel.workload.run(config, "twin", args.fidelity)
    info |= {"rate": float(result["rate_hz"]), "neurons": config.n_neurons}
    return {"times": times, "info": info}


def _pynn(args: argparse.Namespace, start: float, name: str) -> dict[str, Any]:
    """``examples/brunel_pynn.py`` on ``twin`` or ``nest``: one point of run_points."""
    example = _example()
    sim = example.simulator(name)
    from experiments.brunel import BrunelConfig

    times: dict[str, float] = {"imports": time.perf_counter() - start}
    info: dict[str, Any] = {}
    if name == "twin":
        import twin.pynn.snapshot
        import twin.tier_inputs
        import twin.tier_run

        def loss(realised: Any) -> None:
            info["synapse_loss"] = float(realised.synapse_loss)

        _wrap(twin.pynn.snapshot, "network_of", times, "network_of")
        _wrap(twin.tier_inputs, "realise", times, "realise", seen=loss)
        _wrap(twin.tier_run, "simulate_batch", times, "emulation", inner=True)
        setup: dict[str, Any] = {"fidelity": args.fidelity}
    else:
        setup = {"threads": args.nest_threads}
    window = _window(args.t_stop)
    config = BrunelConfig(
        g=args.g,
        eta=1.0,
        seed=args.seed,
        scale=args.scale,
        t_stop=args.t_stop,
        analysis_window=window,
    )
    begin = time.perf_counter()
    sim.setup(timestep=config.dt, min_delay=config.dt, t_flush=100.0, **setup)
    cells = example.build(sim, config, args.record)
    times["construction"] = time.perf_counter() - begin
    begin = time.perf_counter()
    sim.reset()
    cells["ext"].set(rate=config.replace(eta=args.eta).rate_per_source)
    sim.run(args.t_stop)
    if name != "twin":
        times["emulation"] = time.perf_counter() - begin
    begin = time.perf_counter()
    block = cells["recorded"].get_data(clear=True)
    times["get_data"] = time.perf_counter() - begin
    info |= {
        "rate": float(example.rate(block, args.t_stop, window)),
        "neurons": config.n_neurons,
    }
    sim.end()
    return {"times": times, "info": info}


def worker(args: argparse.Namespace) -> None:
    """Run one path once and write its times (s) to ``args.out`` as JSON."""
    start = time.perf_counter()
    if args.worker == "direct":
        out = _direct(args, start)
    else:
        out = _pynn(args, start, "twin" if args.worker == "twin.pynn" else "nest")
    total = time.perf_counter() - start
    times = out["times"]
    listed = ("imports", "construction", "network_of", "realise", "emulation")
    times["other"] = total - sum(times.get(k, 0.0) for k in (*listed, "get_data"))
    times["total"] = total
    Path(args.out).write_text(json.dumps(out))


# ----------------------------------------------------------------------------- parent


def _measure(args: argparse.Namespace, path: str, fidelity: str) -> dict[str, Any]:
    """Run one path in a fresh process; return its times with the process wall."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "times.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            path,
            "--out",
            str(out),
            "--fidelity",
            fidelity,
            *("--t-stop", str(args.t_stop), "--g", str(args.g)),
            *("--eta", str(args.eta), "--seed", str(args.seed)),
            *("--scale", str(args.scale), "--record", args.record),
            *("--nest-threads", str(args.nest_threads)),
        ]
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise SystemExit(f"{path} ({fidelity}) failed:\n{tail}")
        result: dict[str, Any] = json.loads(out.read_text())
    result["times"]["wall"] = wall
    result["times"]["startup"] = wall - result["times"]["total"]
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r["times"][key] for r in runs if key in r["times"]]
    return statistics.median(values) if values else None


def _cell(value: float | None, width: int = 11) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.2f}"


def _report(fidelity: str, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Print the tables of one fidelity; return its medians."""
    paths = [p for p in PATHS if runs.get(p)]
    wall = {p: _median(runs[p], "wall") or 0.0 for p in paths}
    # the worker's time after its imports: building, mapping, running, reading back
    work = {
        p: (_median(runs[p], "total") or 0.0) - (_median(runs[p], "imports") or 0.0)
        for p in paths
    }
    note = " (pyNN.nest: no tiers, the same runs at every fidelity)"
    print(f"\nfidelity {fidelity}" + (note if "pyNN.nest" in paths else ""))
    print(
        f"{'path':<11} {'wall s':>8} {'/ direct':>9} {'w/o imports s':>14} "
        f"{'/ direct':>9} {'rate Hz':>8} {'syn. loss':>10}"
    )
    for p in paths:
        info = runs[p][-1]["info"]
        loss = info.get("synapse_loss")
        print(
            f"{p:<11} {wall[p]:8.2f} {wall[p] / wall['direct']:9.2f} "
            f"{work[p]:14.2f} {work[p] / work['direct']:9.2f} "
            f"{info['rate']:8.2f} "
            f"{'-' if loss is None else f'{100 * loss:.2f} %':>10}"
        )
    if "pyNN.nest" in wall:
        ratio = wall["twin.pynn"] / wall["pyNN.nest"]
        print(f"twin.pynn / pyNN.nest (wall): {ratio:.2f}")
    print(f"\n{'stage (s, median)':<32}" + "".join(f"{p:>11}" for p in paths))
    for label, key in STAGES:
        print(f"{label:<32}" + "".join(_cell(_median(runs[p], key)) for p in paths))
    print(f"{'wall (process)':<32}" + "".join(_cell(wall[p]) for p in paths))
    for note in NOTES:
        print(note)
    return {
        p: {
            key: _median(runs[p], key)
            for key in ("wall", "total", *(k for _, k in STAGES))
        }
        | {"info": runs[p][-1]["info"]}
        for p in paths
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--fidelity", default="ideal", help="ideal, mapped, hardware or a comma list"
    )
    parser.add_argument("--repeats", type=int, default=1, help="report the median")
    parser.add_argument("--t-stop", type=float, default=2000.0, help="ms")
    parser.add_argument("--g", type=float, default=5.0)
    parser.add_argument("--eta", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--scale", type=float, default=6.0, help="as the example")
    parser.add_argument("--record", choices=("30", "all"), default="30")
    parser.add_argument("--nest-threads", type=int, default=1)
    parser.add_argument("--no-nest", action="store_true", help="twin paths only")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--worker", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    fidelities = [f.strip() for f in args.fidelity.split(",") if f.strip()]
    unknown = set(fidelities) - {"ideal", "mapped", "hardware"}
    if unknown or not fidelities or args.repeats < 1:
        parser.error(
            f"give fidelities among ideal, mapped, hardware (got {args.fidelity!r}) "
            f"and --repeats >= 1"
        )
    print(
        f"Brunel point g={args.g:g} eta={args.eta:g} seed {args.seed} scale "
        f"{args.scale:g}, {args.t_stop:g} ms, record {args.record}; median of "
        f"{args.repeats} run(s), each in a fresh process; "
        f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}, NEST threads "
        f"{args.nest_threads}; {platform.machine()}, {os.cpu_count()} cores",
        flush=True,
    )
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {f: {} for f in fidelities}
    nest: list[dict[str, Any]] = []
    for k in range(args.repeats):
        for fidelity in fidelities:
            for path in ("direct", "twin.pynn"):
                result = _measure(args, path, fidelity)
                runs[fidelity].setdefault(path, []).append(result)
                print(
                    f"  run {k + 1} {fidelity:<8} {path:<10} "
                    f"{result['times']['wall']:7.2f} s",
                    flush=True,
                )
        if not args.no_nest:
            nest.append(_measure(args, "pyNN.nest", "ideal"))
            print(
                f"  run {k + 1} {'-':<8} {'pyNN.nest':<10} "
                f"{nest[-1]['times']['wall']:7.2f} s",
                flush=True,
            )
    out: dict[str, Any] = {"args": vars(args), "fidelity": {}}
    for fidelity in fidelities:
        if nest:
            runs[fidelity]["pyNN.nest"] = nest
        out["fidelity"][fidelity] = _report(fidelity, runs[fidelity])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
