"""How close the production mapping profile gets to the production mapper's losses.

Usage: python benchmarks/mapping_fidelity.py [--seeds N] [--workloads NAMES]
       [--demo-chips | --sensitivity | --ablation] [--json PATH]
       (NAMES: brunel,microcircuit)

Maps the seed Brunel network (``BrunelConfig()``: 2,083 neurons, 847,781 synapses
counting the 416,600 from the external Poisson sources, as the seed's 690,157 kept
synapses do) and the cortical microcircuit (``MicrocircuitConfig()``: 7,713 neurons,
2,987,316 synapses) under the profiles of :data:`twin.routing.config.PROFILES`
("twin", "production") onto wafer-30-like defect maps
(:func:`twin.wafer.wafer30.wafer30_defects`, seeds 0..N-1, one set of rates for both
networks). Brunel is mapped as the seed's main run (g = 8, eta = 0.8: every neuron
recorded, no isolated neurons, input bandwidth planned for eta = 3.2). Printed: per
workload and profile the requested, kept and lost synapses (mean ± sd over the
seeds) beside the production mapper's loss on wafer 30, and the loss by reason.

``--demo-chips``: the same, with the neurons kept to the chips that hold neurons in the
demos' topology pictures (a diagnostic of placement: every other chip's denmems are
marked unusable, so routes and inputs may still use those chips).

``--sensitivity``: production profile, defect seed 0: the loss with one defect kind
switched off at a time, and on a perfect wafer.

``--ablation``: defect seed 0: the production profile with one of its settings set to
the twin profile's value at a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from types import MappingProxyType
from typing import Final

from experiments.brunel import BrunelConfig
from experiments.brunel import build_network as build_brunel
from experiments.brunel.layout import ISOLATED, layout_of
from experiments.brunel.mapping import MapRequest, brunel_mapping_config
from experiments.microcircuit.config import MicrocircuitConfig
from experiments.microcircuit.network import build_network as build_microcircuit
from twin.network import Network
from twin.routing import LossReason, MappingConfig, WaferMapping, map_network
from twin.routing.busgraph import BusGraph
from twin.routing.config import PROFILES
from twin.wafer import HICANNS, Defects, Wafer
from twin.wafer.wafer30 import WAFER30_RATES, wafer30_defects

#: The production mapper on wafer 30: (synapses requested, synapses kept).
#: [reference brunel_bss1.md §1.3 and §2: demos random_network.rst "2,083 neurons and
#: 690,157 synapses" of 847,781; cortical_microcircuit.rst 2,373,933 of 2,987,316]
PRODUCTION: Final = MappingProxyType(
    {"brunel": (847_781, 690_157), "microcircuit": (2_987_316, 2_373_933)}
)

#: Chips holding neurons in the demos' mapping pictures, as enum ranges: the grey
#: chips of ``_static/random_network/topology_random_network_all.png`` (46) and of
#: ``_static/cortical_microcircuit/topology_cortical_microcircuit.png`` (260)
#: [demos], read off per chip from the pictures' colours (approximate).
DEMO_CHIPS: Final = MappingProxyType(
    {
        "brunel": "2-8,14-20,30-36,50-56,74-80,101-108,134-135,140",
        "microcircuit": "2-3,14-22,30-35,37-42,49-63,68-78,80-81,83-85,87-91,"
        "96-108,110-119,126-131,133-135,140-152,155,162-171,176-180,182-188,191,"
        "197-199,201-203,205-207,212-216,218-227,233-237,239-240,242-243,248,"
        "250-262,269-271,273-274,277-286,288-291,300-303,305,307-310,312-318,"
        "324-335,337-339,343-359,361-371,374-380",
    }
)


def chips_of(ranges: str) -> frozenset[int]:
    """Return the chip enums of a range list such as ``"2-8,14"``."""
    out: set[int] = set()
    for part in ranges.split(","):
        first, _, last = part.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return frozenset(out)


def neurons_only_on(chips: frozenset[int]) -> Defects:
    """Return defects that leave no denmem usable outside ``chips``."""
    return Defects(
        denmems=frozenset(
            (c, n) for c in range(len(HICANNS)) if c not in chips for n in range(512)
        )
    )


@dataclass(frozen=True, slots=True)
class Workload:
    """A network and how a profile is adapted to it."""

    network: Network
    adapt: Callable[[MappingConfig], MappingConfig]


def brunel() -> Workload:
    """The seed network as its main run maps it (layout of g = 8, eta = 0.8)."""
    config = BrunelConfig()
    layout = layout_of(config.g, config.eta)
    request = MapRequest(config=config, isolate=0 if layout == "all" else ISOLATED)
    seed_choices = brunel_mapping_config(request)

    def adapt(profile: MappingConfig) -> MappingConfig:
        return profile.replace(
            isolate=seed_choices.isolate,
            input_rate_scale=seed_choices.input_rate_scale,
        )

    return Workload(build_brunel(config), adapt)


def microcircuit() -> Workload:
    """The microcircuit with the weights the demo gives the wafer (no inputs)."""
    network = build_microcircuit(MicrocircuitConfig(platform="wafer"))
    return Workload(network, lambda profile: profile)


WORKLOADS: Final = MappingProxyType({"brunel": brunel, "microcircuit": microcircuit})
Results = dict[str, dict[str, list["Facts"]]]


@dataclass(frozen=True, slots=True)
class Facts:
    """What one mapping contributes to the tables."""

    requested: int
    kept: int
    lost_fraction: float
    by_reason: dict[str, int]
    chips_with_neurons: int
    source_buses: int
    groups_over_chain: float  # (bus, chip) groups needing more drivers than the chain


def facts(mapping: WaferMapping) -> Facts:
    """Return the numbers of one mapping."""
    loss = mapping.loss
    needed = mapping.table.drivers_needed
    over = needed > mapping.config.driver_chain_length
    return Facts(
        requested=loss.total_requested,
        kept=loss.total_realised,
        lost_fraction=loss.fraction_lost,
        by_reason={r.value: loss.by_reason().get(r, 0) for r in LossReason},
        chips_with_neurons=len(mapping.placement.used_hicanns()),
        source_buses=len(mapping.buses.used_buses()),
        groups_over_chain=float(over.mean()) if needed.size else 0.0,
    )


def run(names: Iterable[str], seeds: int, demo_chips: bool = False) -> Results:
    """Map every workload under every profile on wafers 0..seeds-1."""
    workloads = {name: WORKLOADS[name]() for name in names}
    out: Results = {w: {p: [] for p in PROFILES} for w in workloads}
    for seed in range(seeds):
        defects = wafer30_defects(seed)
        graph = BusGraph.from_wafer(Wafer(defects=defects))  # denmems do not enter it
        for name, workload in workloads.items():
            extra = neurons_only_on(chips_of(DEMO_CHIPS[name])) if demo_chips else None
            wafer = Wafer(defects=defects.union(extra) if extra else defects)
            for profile, config in PROFILES.items():
                mapping = map_network(
                    workload.network, wafer, config=workload.adapt(config), graph=graph
                )
                out[name][profile].append(facts(mapping))
                print(
                    f"  seed {seed} {name:<12} {profile:<10} "
                    f"lost {mapping.loss.fraction_lost:6.2%}",
                    flush=True,
                )
    return out


def _mean_sd(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0


def table(results: Results) -> str:
    """Return the main table and the loss-by-reason table as text."""
    lines = [
        f"{'workload':<13}{'profile':<11}{'requested':>11}{'kept (mean ± sd)':>22}"
        f"{'lost % (mean ± sd)':>21}{'production %':>14}{'diff (pts)':>12}"
    ]
    reasons = [r.value for r in LossReason]
    detail = [
        f"{'workload':<13}{'profile':<11}"
        + "".join(f"{r.replace('no_', ''):>18}" for r in reasons)
        + f"{'chips':>7}{'buses':>7}{'>chain %':>10}"
    ]
    for name, per_profile in results.items():
        requested, kept_production = PRODUCTION[name]
        production = 100 * (1 - kept_production / requested)
        for profile, runs in per_profile.items():
            req = runs[0].requested
            kept = _mean_sd([float(r.kept) for r in runs])
            lost = _mean_sd([100 * r.lost_fraction for r in runs])
            lines.append(
                f"{name:<13}{profile:<11}{req:>11,}"
                f"{f'{kept[0]:,.0f} ± {kept[1]:,.0f}':>22}"
                f"{f'{lost[0]:.1f} ± {lost[1]:.1f}':>21}{production:>14.1f}"
                f"{lost[0] - production:>+12.1f}"
            )
            by_reason = [
                statistics.fmean(100 * r.by_reason[k] / req for r in runs)
                for k in reasons
            ]
            extra = [
                statistics.fmean(float(getattr(r, k)) for r in runs)
                for k in ("chips_with_neurons", "source_buses", "groups_over_chain")
            ]
            detail.append(
                f"{name:<13}{profile:<11}"
                + "".join(f"{v:>17.2f}%" for v in by_reason)
                + f"{extra[0]:>7.0f}{extra[1]:>7.0f}{100 * extra[2]:>9.2f}%"
            )
    return "\n".join(
        [*lines, "", "lost by reason (% of requested, mean over seeds):", *detail]
    )


def sensitivity(names: Iterable[str]) -> None:
    """Print the production profile's loss with one defect kind off at a time."""
    workloads = {name: WORKLOADS[name]() for name in names}
    variants: dict[str, Wafer] = {"all rates": Wafer(defects=wafer30_defects(0))}
    for kind in WAFER30_RATES:
        off = dict(WAFER30_RATES, **{kind: 0.0})
        variants[f"{kind} = 0"] = Wafer(defects=wafer30_defects(0, off))
    variants["perfect wafer"] = Wafer()
    print(f"{'wafer (seed 0)':<22}" + "".join(f"{n:>14}" for n in workloads))
    for label, wafer in variants.items():
        graph = BusGraph.from_wafer(wafer)
        row = f"{label:<22}"
        for workload in workloads.values():
            config = workload.adapt(PROFILES["production"])
            m = map_network(workload.network, wafer, config=config, graph=graph)
            row += f"{100 * m.loss.fraction_lost:>13.2f}%"
        print(row, flush=True)


def ablation(names: Iterable[str]) -> None:
    """Print the loss as the production settings turn into the twin's one by one."""
    workloads = {name: WORKLOADS[name]() for name in names}
    twin, production = PROFILES["twin"], PROFILES["production"]
    changed = [
        f.name
        for f in fields(MappingConfig)
        if getattr(twin, f.name) != getattr(production, f.name)
    ]
    variants = {"production": production}
    for name in changed:
        value = getattr(twin, name)
        variants[f"{name} = {value!r}"] = production.replace(**{name: value})
    variants["twin"] = twin
    wafer = Wafer(defects=wafer30_defects(0))
    graph = BusGraph.from_wafer(wafer)
    print(f"{'profile (seed 0)':<36}" + "".join(f"{n:>14}" for n in workloads))
    for label, config in variants.items():
        row = f"{label:<36}"
        for workload in workloads.values():
            m = map_network(
                workload.network, wafer, config=workload.adapt(config), graph=graph
            )
            row += f"{100 * m.loss.fraction_lost:>13.2f}%"
        print(row, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="defect maps 0..N-1")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--demo-chips", action="store_true")
    parser.add_argument("--sensitivity", action="store_true")
    parser.add_argument("--ablation", action="store_true")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    names = [n for n in args.workloads.split(",") if n]
    unknown = sorted(set(names) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workloads {unknown}; use {sorted(WORKLOADS)}")
    if args.sensitivity:
        sensitivity(names)
        return
    if args.ablation:
        ablation(names)
        return
    results = run(names, args.seeds, demo_chips=args.demo_chips)
    where = ", neurons on the demos' chips" if args.demo_chips else ""
    print(
        f"\nwafer-30-like defects, seeds 0..{args.seeds - 1}{where}: "
        f"{dict(WAFER30_RATES)}"
    )
    print(table(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    w: {p: [asdict(f) for f in runs] for p, runs in per.items()}
                    for w, per in results.items()
                },
                fh,
                indent=1,
            )


if __name__ == "__main__":
    main()
