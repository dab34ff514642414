"""PyNN's own ``examples/brunel.py``, unchanged, on twin.pynn and on pyNN.nest.

Usage: python benchmarks/pynn_brunel_example.py [--repeats N] [--json PATH]

The script of PyNN's source distribution (fetched by pip into ``build/pynn-sdist``, as
``tests/pynn`` does; never copied into the repository) at its default size: 5,000
``IF_curr_alpha`` neurons (order 1000 after its downscale of 50), 2.5 million
synapses, Poisson input, 100 ms at dt = 0.1 ms. Each run is a fresh Python process
(``python -m twin.pynn.launch brunel.py twin`` and ``python brunel.py nest``), so
imports, JAX's compilation and NEST's start are counted alike; pyNN.nest runs with the
script's own settings (one thread).

Printed per simulator, medians over ``--repeats``: the process's wall time, the
script's own "Build time" (network construction, including PyNN's connectors) and
"Simulation time" (``run``), and its excitatory and inhibitory rates (a check that the
run did the work; ``tests/pynn/test_examples.py`` compares the rates over seeds).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pynn.scenarios import sdist_tests  # noqa: E402
from twin.files import atomic_write_text  # noqa: E402

SIMULATORS = ("twin.pynn", "pyNN.nest")
#: What the script prints -> the key of a run's result.
FIELDS = {
    "Build time": "build_s",
    "Simulation time": "simulate_s",
    "Excitatory rate": "rate_e_hz",
    "Inhibitory rate": "rate_i_hz",
}


def _command(script: Path, simulator: str) -> list[str]:
    """The command line of one run."""
    if simulator == "twin.pynn":
        return [
            sys.executable,
            "-W",
            "ignore",
            "-m",
            "twin.pynn.launch",
            str(script),
            "twin",
        ]
    return [sys.executable, "-W", "ignore", str(script), "nest"]


def run_once(script: Path, simulator: str) -> dict[str, float]:
    """Run the example once in a fresh process; return its wall time and figures.

    Raises
    ------
    RuntimeError
        If the run fails or does not print a figure.
    """
    with tempfile.TemporaryDirectory() as cwd:
        (Path(cwd) / "Results").mkdir()
        start = time.perf_counter()
        done = subprocess.run(
            _command(script, simulator), cwd=cwd, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{simulator}: brunel.py failed: {done.stderr[-2000:]}")
    out = {"wall_s": wall}
    for label, key in FIELDS.items():
        found = re.search(rf"{label}\s+:\s+([0-9.eE+-]+)", done.stdout)
        if found is None:
            raise RuntimeError(f"{simulator}: brunel.py printed no {label!r}")
        out[key] = float(found.group(1))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per simulator")
    parser.add_argument("--json", type=Path, help="write the runs to this file")
    args = parser.parse_args(argv)
    script = sdist_tests().parent / "examples" / "brunel.py"
    runs: dict[str, list[dict[str, float]]] = {s: [] for s in SIMULATORS}
    for _ in range(args.repeats):  # interleaved: drifts of the machine hit both
        for simulator in SIMULATORS:
            runs[simulator].append(run_once(script, simulator))
    keys = ("wall_s", *FIELDS.values())
    print(f"PyNN's examples/brunel.py, default size; medians of {args.repeats} runs")
    print(f"{'':24}" + "".join(f"{s:>14}" for s in SIMULATORS))
    for key in keys:
        cells = [statistics.median(r[key] for r in runs[s]) for s in SIMULATORS]
        print(f"{key:24}" + "".join(f"{c:14.3f}" for c in cells))
    walls = [statistics.median(r["wall_s"] for r in runs[s]) for s in SIMULATORS]
    print(f"wall time twin.pynn / pyNN.nest: {walls[0] / walls[1]:.2f}")
    if args.json:
        record = {"machine": platform.platform(), "python": sys.version, "runs": runs}
        atomic_write_text(args.json, json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
