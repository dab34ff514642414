"""Time mapping the seed network (both layouts; perfect and synthetic-defect wafer).

Usage: python benchmarks/mapping.py [--repeat N] [--json PATH]

Prints wall time per stage and the loss of each mapping. There is no NEST counterpart
for mapping; the reference is the < 30 s target of the mapping issue.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from experiments.brunel import BrunelConfig, build_network
from twin.routing import MappingConfig, map_network
from twin.wafer import Wafer, synthetic_defects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    network = build_network(BrunelConfig())
    results = {}
    for wafer_name, wafer in (
        ("perfect", Wafer()),
        ("defects0", Wafer(defects=synthetic_defects(0))),
    ):
        for layout, n_iso in (("all", 0), ("isolate30", 30)):
            config = MappingConfig(isolate=tuple(("exc", i) for i in range(n_iso)))
            walls = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                mapping = map_network(network, wafer, config=config)
                walls.append(time.perf_counter() - start)
            key = f"{wafer_name}/{layout}"
            results[key] = {
                "wall_s": statistics.median(walls),
                "fraction_lost": mapping.loss.fraction_lost,
                "stages_s": dict(mapping.timings),
            }
            stages = ", ".join(f"{k} {v:.2f}" for k, v in mapping.timings.items())
            wall, lost = statistics.median(walls), mapping.loss.fraction_lost
            print(f"{key:<20} {wall:5.2f} s  loss {lost:6.2%}  ({stages})")
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, Python {platform.python_version()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
