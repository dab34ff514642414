"""The cortical microcircuit workload in plain PyNN, for any PyNN simulator.

Potjans & Diesmann (2014) at 10 % of the neurons and in-degree, as the BrainScaleS-1
demo adapted it: eight ``IF_cond_exp`` populations with raised resting potentials
instead of Poisson input, conductance-based weights, parameter variation with the
wafer's calibration spreads.

Usage::

    python examples/microcircuit_pynn.py twin [--fidelity ideal|mapped|hardware]
    python examples/microcircuit_pynn.py nest
        [--t-stop MS] [--scale S] [--seed N] [--platform nest|wafer]
        [--no-variation] [--start MS] [--json FILE]

The model's numbers come from ``experiments.microcircuit`` (one definition); the
network is built the way a PyNN user builds it: each population's varied parameters
drawn from ``normal_clipped`` random distributions, one ``FixedTotalNumberConnector``
per projection (random pre and post, with replacement, autapses allowed) with
``normal_clipped`` weights and delays, initial membrane potentials from a normal
distribution per population. Every random distribution has a ``NumpyRNG`` of its own
(PyNN copies a distribution with its RNG, so distributions sharing one RNG would draw
the same numbers; see ``examples/brunel_pynn.py``).

``--platform`` picks the demo's weights: ``nest`` (the simulated model: excitatory
factor 0.1, 10 % weight sd) or ``wafer`` (what the demo programs on BSS-1: factor 1,
no sd). ``--no-variation`` leaves the parameters at their means.

Printed: the build and run wall times and each population's mean rate (Hz) from
``--start`` (default: 1000 ms, or half of a shorter run) to the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np

from experiments.microcircuit.analysis import population_activity
from experiments.microcircuit.config import (
    DELAY_BOUNDS,
    DELAYS,
    NEURON_MEANS,
    POPULATIONS,
    V_REST,
    VARIATION_BOUNDS,
    VARIATION_SDS,
    MicrocircuitConfig,
    initial_v_distribution,
    receptor_of,
)


def simulator(name: str) -> Any:
    """Import the PyNN module of a simulator: ``twin`` -> ``twin.pynn``, else pyNN.X."""
    return import_module("twin.pynn" if name == "twin" else f"pyNN.{name}")


def streams(sim: Any, seed: int) -> Iterator[Any]:
    """Yield independent ``NumpyRNG`` streams of a realisation, one per use."""
    for k in itertools.count():
        state = np.random.SeedSequence([seed, k]).generate_state(1)[0]
        yield sim.NumpyRNG(seed=int(state))


def _clipped(sim: Any, mean: float, sd: float, bounds: Any, rng: Any) -> Any:
    """Return a ``normal_clipped`` distribution (values outside ``bounds`` redrawn)."""
    low, high = bounds
    return sim.RandomDistribution(
        "normal_clipped", mu=mean, sigma=sd, low=low, high=high, rng=rng
    )


def cell_parameters(
    sim: Any, population: str, size: int, variation: bool, rngs: Iterator[Any]
) -> dict[str, Any]:
    """Parameters of a population: the means (its raised ``v_rest``), varied."""
    params: dict[str, Any] = {**NEURON_MEANS, "v_rest": V_REST[population]}
    if variation:
        for name, sd in VARIATION_SDS.items():
            bounds = VARIATION_BOUNDS.get(name, (-np.inf, np.inf))
            params[name] = _clipped(sim, params[name], sd, bounds, next(rngs)).next(
                size
            )
    return params


def build(sim: Any, config: MicrocircuitConfig) -> dict[str, Any]:
    """Create the populations (recording spikes) and projections of a realisation."""
    rngs = streams(sim, config.seed)
    pops = {}
    for name in POPULATIONS:
        size = config.sizes[name]
        params = cell_parameters(sim, name, size, config.variation, rngs)
        pop = sim.Population(size, sim.IF_cond_exp(**params), label=name)
        mean, sd = initial_v_distribution(
            float(np.mean(params["v_thresh"])), float(np.mean(params["v_rest"]))
        )
        pop.initialize(
            v=sim.RandomDistribution("normal", mu=mean, sigma=sd, rng=next(rngs))
        )
        pop.record("spikes")
        pops[name] = pop
    counts = config.connections
    for t, target in enumerate(POPULATIONS):
        for s, source in enumerate(POPULATIONS):
            if counts[t, s] == 0:
                continue
            receptor = receptor_of(source)
            mean = config.weight(source, target)
            spread = config.weight_spread * mean
            weight = (
                _clipped(sim, mean, spread, (0.0, np.inf), next(rngs))
                if spread
                else mean
            )
            delay = _clipped(sim, *DELAYS[receptor], DELAY_BOUNDS, next(rngs))
            connector = sim.FixedTotalNumberConnector(
                int(counts[t, s]),
                allow_self_connections=True,
                with_replacement=True,
                rng=next(rngs),
            )
            sim.Projection(
                pops[source],
                pops[target],
                connector,
                sim.StaticSynapse(weight=weight, delay=delay),
                receptor_type=receptor,
            )
    return pops


def rates(pops: dict[str, Any], start: float, t_stop: float) -> dict[str, float]:
    """Mean rate (Hz) of each population over ``(start, t_stop]``."""
    out = {}
    for name, pop in pops.items():
        trains = pop.get_data("spikes").segments[-1].spiketrains
        times = np.concatenate([np.asarray(t.magnitude, dtype=float) for t in trains])
        ids = np.repeat(np.arange(len(trains)), [len(t) for t in trains])
        activity = population_activity(
            name, times, ids, np.arange(pop.size), start, t_stop
        )
        out[name] = activity.mean_rate
    return out


def run(
    name: str,
    config: MicrocircuitConfig,
    **setup: Any,
) -> dict[str, Any]:
    """Build and run the network on simulator ``name``; return rates and wall times.

    Returns ``{"rates": {population: Hz}, "build": s, "run": s}``; the rates are the
    mean over each population's neurons from ``config.analysis_start`` to
    ``config.t_stop``.
    """
    sim = simulator(name)
    sim.setup(
        timestep=config.dt,
        min_delay=DELAY_BOUNDS[0],
        max_delay=DELAY_BOUNDS[1],
        **setup,
    )
    start = time.perf_counter()
    pops = build(sim, config)
    built = time.perf_counter()
    sim.run(config.t_stop)
    ran = time.perf_counter()
    result = {
        "rates": rates(pops, config.analysis_start, config.t_stop),
        "build": built - start,
        "run": ran - built,
    }
    sim.end()
    return result


def main() -> None:
    """Command line: run the network and print (or write) its rates."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("simulator", help="twin, or a pyNN backend such as nest")
    parser.add_argument("--fidelity", default="ideal", help="twin only")
    parser.add_argument("--t-stop", type=float, default=2000.0)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=MicrocircuitConfig().seed)
    parser.add_argument("--platform", choices=("nest", "wafer"), default="nest")
    parser.add_argument("--no-variation", action="store_true")
    parser.add_argument("--start", type=float, help="analysis start, ms")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    default_start = MicrocircuitConfig().analysis_start
    config = MicrocircuitConfig(
        seed=args.seed,
        scale=args.scale,
        t_stop=args.t_stop,
        platform=args.platform,
        variation=not args.no_variation,
        analysis_start=(
            args.start
            if args.start is not None
            else min(default_start, args.t_stop / 2)
        ),
    )
    extra = {"fidelity": args.fidelity} if args.simulator == "twin" else {}
    result = run(args.simulator, config, **extra)
    print(f"build {result['build']:.1f} s, run {result['run']:.1f} s")
    for name, rate in result["rates"].items():
        print(f"{name}: {rate:.3f} Hz")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
