"""Time building the full-wafer L1 bus graph (perfect wafer, default synthetic defects).

Usage: python benchmarks/wafer_graph.py [--repeat N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from twin.wafer import Wafer, build_l1_graph, synthetic_defects


def _time(wafer: Wafer, repeat: int) -> tuple[float, int, int]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        graph = build_l1_graph(wafer)
        times.append(time.perf_counter() - start)
    return statistics.median(times), graph.number_of_nodes(), graph.number_of_edges()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    results = {}
    for label, wafer in (
        ("perfect", Wafer()),
        ("synthetic_defects_seed0", Wafer(defects=synthetic_defects(0))),
    ):
        median, nodes, edges = _time(wafer, args.repeat)
        results[label] = {"median_s": median, "nodes": nodes, "edges": edges}
        print(f"{label:<26} {median:6.2f} s  ({nodes:,} buses, {edges:,} edges)")
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, Python {platform.python_version()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
