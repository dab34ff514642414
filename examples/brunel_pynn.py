"""The seed experiment's network in plain PyNN, for any PyNN simulator.

Brunel's balanced random network as the seed adapted it for BrainScaleS-1.

Usage::

    python examples/brunel_pynn.py twin [--fidelity ideal|mapped|hardware]
    python examples/brunel_pynn.py nest
        [--t-stop MS] [--seed N] [--scale S] [--g 1,8] [--eta 0.8,2.4]
        [--record 30|all] [--json FILE]

The model's numbers come from ``experiments.brunel`` (one definition); the network is
built the way a PyNN user builds it: two ``IF_cond_exp`` populations whose parameters
are drawn from ``normal_clipped`` random distributions, fixed in-degree connectors
(presynaptic cells drawn with replacement, autapses allowed, as the seed's generator)
with ``normal_clipped`` weights and delays, a shared pool of ``SpikeSourcePoisson``
sources, an ``Assembly`` of both populations, recording through it or a
``PopulationView``. Every random distribution has a ``NumpyRNG`` of its own: PyNN
copies a distribution with its RNG when a cell type or a projection takes it, so
distributions sharing one RNG would draw the same numbers (every parameter of a neuron
at the same z-score, the inhibitory cells copies of the first excitatory ones, the same
relative weights and delays in every projection). The network is built once per g (the
inhibitory weight); the external rate of each eta is set after a ``reset()``, and every
point's spikes are read with ``get_data(clear=True)``.

It is the model of ``twin brunel`` (``experiments.brunel.build_network``, the default
``network="independent"``): the same distributions, redraw rules, weights, delays,
in-degrees and input pool; every neuron starts at its own resting potential (as
``twin brunel`` and its NEST runs; the seed left PyNN's default, -65 mV); on the twin's
``hardware`` tier the wafer is given the mean parameters and weights (it adds its own
variation, as the seed's wafer runs and ``twin brunel`` do); the rate is the one
``twin brunel`` reports as ``rate_hz``. Only the draws differ: a seed gives another
realisation here than there, so the two agree over realisations (statistically), not
seed by seed. ``twin brunel --network seed`` is another realisation rule, the seed
notebook's own draws through shared, copied RNGs; this script does not reproduce it.

Printed per point: the mean rate (Hz) of the recorded neurons (``all``: every neuron;
``30``: the first 30 excitatory ones, the seed's two layouts) over the last
``analysis_window`` ms (1000 ms, the seed's; the whole run if it is that short), and
the run's wall time.
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

from experiments.brunel import NEURON_MEANS, NEURON_SDS, BrunelConfig
from experiments.brunel.config import POSITIVE, RESET_HIGH_FRACTION
from experiments.brunel.layout import ISOLATED
from experiments.brunel.network import reset_redrawn


def simulator(name: str) -> Any:
    """Import the PyNN module of a simulator: ``twin`` -> ``twin.pynn``, else pyNN.X."""
    return import_module("twin.pynn" if name == "twin" else f"pyNN.{name}")


def streams(sim: Any, seed: int) -> Iterator[Any]:
    """Yield independent ``NumpyRNG`` streams of a realisation, one per use."""
    for k in itertools.count():
        state = np.random.SeedSequence([seed, k]).generate_state(1)[0]
        yield sim.NumpyRNG(seed=int(state))


def cell_parameters(
    sim: Any, size: int, rngs: Iterator[Any], variation: bool = True
) -> dict[str, Any]:
    """Parameters of ``size`` neurons with the seed's variation (arrays or numbers).

    Each varied parameter is drawn from a ``normal_clipped`` distribution with an RNG
    of its own (without ``variation``: the means). Resets at or above their neuron's
    threshold are drawn again from the reset's distribution, as
    ``experiments.brunel.build_network`` does (``reset_redrawn``): NEST rejects them.
    """
    params: dict[str, Any] = dict(NEURON_MEANS)
    if not variation:
        return params
    dists = {}
    for name, sd in NEURON_SDS.items():
        if not sd:
            continue
        low = 0.0 if name in POSITIVE else -np.inf
        high = (
            RESET_HIGH_FRACTION * NEURON_MEANS["v_thresh"]
            if name == "v_reset"
            else np.inf
        )
        dists[name] = sim.RandomDistribution(
            "normal_clipped",
            mu=NEURON_MEANS[name],
            sigma=sd,
            low=low,
            high=high,
            rng=next(rngs),
        )
        params[name] = dists[name].next(size)
    close = reset_redrawn(params["v_reset"], params["v_thresh"])
    while close.any():
        params["v_reset"][close] = dists["v_reset"].next(int(close.sum()))
        close = reset_redrawn(params["v_reset"], params["v_thresh"])
    return params


def _normal(sim: Any, mean: float, sd: float, low: float, rng: Any) -> Any:
    """Return a ``normal_clipped`` distribution (values below ``low`` redrawn)."""
    if not sd:
        return mean
    return sim.RandomDistribution(
        "normal_clipped", mu=mean, sigma=sd, low=low, high=np.inf, rng=rng
    )


def build(sim: Any, config: BrunelConfig, record: str) -> dict[str, Any]:
    """Create the populations and projections of one realisation (at ``config.g``).

    Parameter and weight spreads with ``config.variation`` (delays are drawn either
    way, as ``experiments.brunel.build_network`` does); every neuron starts at its
    resting potential. ``record``: ``"all"`` records every neuron, ``"30"`` the
    first 30 excitatory ones.
    """
    rngs = streams(sim, config.seed)
    populations = []
    for n, name in ((config.n_exc, "exc"), (config.n_inh, "inh")):
        params = cell_parameters(sim, n, rngs, config.variation)
        population = sim.Population(n, sim.IF_cond_exp(**params), label=name)
        population.initialize(v=params["v_rest"])
        populations.append(population)
    exc, inh = populations
    spread = config.weight_spread if config.variation else 0.0
    ext = sim.Population(
        config.n_ext, sim.SpikeSourcePoisson(rate=config.rate_per_source), label="ext"
    )
    network = exc + inh
    for pre, k, mean, receptor in (
        (exc, config.c_exc, config.exc_weight, "excitatory"),
        (inh, config.c_inh, config.inh_weight, "inhibitory"),
        (ext, config.c_ext, config.exc_weight, "excitatory"),
    ):
        weight = _normal(sim, mean, spread * mean, 0.0, next(rngs))
        delay = _normal(
            sim, config.delay_mean, config.delay_sd, config.delay_min, next(rngs)
        )
        connector = sim.FixedNumberPreConnector(
            k, with_replacement=True, allow_self_connections=True, rng=next(rngs)
        )
        sim.Projection(
            pre,
            network,
            connector,
            sim.StaticSynapse(weight=weight, delay=delay),
            receptor_type=receptor,
        )
    recorded = network if record == "all" else exc[:ISOLATED]
    recorded.record("spikes")
    return {"exc": exc, "inh": inh, "ext": ext, "recorded": recorded}


def rate(block: Any, t_stop: float, window: float) -> float:
    """Mean rate (Hz) of the block's spike trains over the last ``window`` ms."""
    trains = block.segments[-1].spiketrains
    spikes = sum(int(np.sum(np.asarray(t) > t_stop - window)) for t in trains)
    return spikes / len(trains) / (window * 1e-3)


def model_config(
    g: float, *, seed: int, scale: float, t_stop: float, fidelity: str = "ideal"
) -> BrunelConfig:
    """Return the model of one g (at eta = 1) as ``twin brunel`` requests it.

    On the twin's ``hardware`` tier without parameter and weight spreads: the wafer
    is given the means and adds its own variation (``BrunelWorkload.request``).

    Raises
    ------
    ConfigError
        If the values make an invalid ``BrunelConfig``.
    """
    return BrunelConfig(
        g=g,
        eta=1.0,
        seed=seed,
        scale=scale,
        t_stop=t_stop,
        variation=fidelity != "hardware",
    )


def run_points(
    name: str,
    gs: list[float],
    etas: list[float],
    *,
    t_stop: float = 2000.0,
    seed: int = 1234,
    scale: float = 6.0,
    record: str = "30",
    details: bool = False,
    **setup: Any,
) -> list[dict[str, Any]]:
    """Run the (g, eta) points on simulator ``name``; one network per g.

    Returns one row per point: g, eta, rate (Hz, the recorded neurons over the last
    ``BrunelConfig.analysis_window``, 1000 ms: ``twin brunel``'s ``rate_hz``) and
    wall time (s). With ``details`` also: ``spikes``, the number of spikes
    ``get_data`` returned (whole run, every recorded neuron), and ``losses``, the
    simulator's ``losses()`` if it has one (the twin: resource -> events offered to
    and dropped by that rate limit), else an empty dict. On the twin's ``hardware``
    tier (``fidelity="hardware"`` in ``setup``) the network has no parameter or
    weight spread: the wafer adds its own variation.

    Raises
    ------
    ConfigError
        If ``t_stop`` is shorter than the analysis window, or another value makes an
        invalid ``BrunelConfig``.
    """
    sim = simulator(name)
    fidelity = setup.get("fidelity", "ideal")
    rows = []
    for g in gs:
        config = model_config(
            g, seed=seed, scale=scale, t_stop=t_stop, fidelity=fidelity
        )
        window = config.analysis_window
        sim.setup(timestep=config.dt, min_delay=config.dt, t_flush=100.0, **setup)
        cells = build(sim, config, record)
        for eta in etas:
            start = time.perf_counter()
            sim.reset()
            cells["ext"].set(rate=config.replace(eta=eta).rate_per_source)
            sim.run(t_stop)
            block = cells["recorded"].get_data(clear=True)
            wall = time.perf_counter() - start
            row: dict[str, Any] = {
                "g": g,
                "eta": eta,
                "rate": rate(block, t_stop, window),
                "wall": wall,
            }
            if details:
                trains = block.segments[-1].spiketrains
                row["spikes"] = sum(len(t) for t in trains)
                row["losses"] = sim.losses() if hasattr(sim, "losses") else {}
            rows.append(row)
        sim.end()
    return rows


def main() -> None:
    """Command line: run the points and print (or write) their rates."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("simulator", help="twin, or a pyNN backend such as nest")
    parser.add_argument("--fidelity", default="ideal", help="twin only")
    parser.add_argument("--t-stop", type=float, default=2000.0)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--scale", type=float, default=6.0)
    parser.add_argument("--g", default="1,4,8,10")
    parser.add_argument("--eta", default="0.8,1.6,2.4,3.2")
    parser.add_argument("--record", choices=("30", "all"), default="30")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    extra = {"fidelity": args.fidelity} if args.simulator == "twin" else {}
    rows = run_points(
        args.simulator,
        [float(x) for x in args.g.split(",")],
        [float(x) for x in args.eta.split(",")],
        t_stop=args.t_stop,
        seed=args.seed,
        scale=args.scale,
        record=args.record,
        **extra,
    )
    for row in rows:
        print(
            f"g={row['g']:g} eta={row['eta']:g}: {row['rate']:.2f} Hz "
            f"({row['wall']:.1f} s)"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
