"""The seed experiment's network in plain PyNN, for any PyNN simulator.

Brunel's balanced random network as the seed adapted it for BrainScaleS-1.

Usage::

    python examples/brunel_pynn.py twin [--fidelity ideal|mapped|hardware]
    python examples/brunel_pynn.py nest
        [--t-stop MS] [--seed N] [--scale S] [--g 1,8] [--eta 0.8,2.4]
        [--record 30|all] [--json FILE]

The model's numbers come from ``experiments.brunel`` (one definition); the network is
built the way a PyNN user builds it: two ``IF_cond_exp`` populations whose parameters
are ``normal_clipped`` random distributions, fixed in-degree connectors (presynaptic
cells drawn with replacement, autapses allowed, as the seed's generator), a shared pool
of ``SpikeSourcePoisson`` sources, an ``Assembly`` of both populations, recording
through a ``PopulationView``. The network is built once per g (the inhibitory weight);
the external rate of each eta is set after a ``reset()``, and every point's spikes are
read with ``get_data(clear=True)``.

Printed per point: the mean rate (Hz) of the recorded excitatory neurons over the last
``analysis`` ms, and the run's wall time.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np

from experiments.brunel import NEURON_MEANS, NEURON_SDS, BrunelConfig

_POSITIVE = {"tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac", "cm"}


def simulator(name: str) -> Any:
    """Import the PyNN module of a simulator: ``twin`` -> ``twin.pynn``, else pyNN.X."""
    return import_module("twin.pynn" if name == "twin" else f"pyNN.{name}")


def cell_parameters(sim: Any, rng: Any) -> dict[str, Any]:
    """Neuron parameters as PyNN random distributions (the seed's variation)."""
    params: dict[str, Any] = {}
    for name, mean in NEURON_MEANS.items():
        sd = NEURON_SDS.get(name, 0.0)
        if not sd:
            params[name] = mean
            continue
        low = 0.0 if name in _POSITIVE else -np.inf
        high = 0.9 * NEURON_MEANS["v_thresh"] if name == "v_reset" else np.inf
        params[name] = sim.RandomDistribution(
            "normal_clipped", mu=mean, sigma=sd, low=low, high=high, rng=rng
        )
    return params


def build(sim: Any, config: BrunelConfig, record: str) -> dict[str, Any]:
    """Create the populations and projections of one realisation (at ``config.g``)."""
    seed = config.seed
    rngs = {k: sim.NumpyRNG(seed=seed + i) for i, k in enumerate(("p", "c", "w", "d"))}
    exc = sim.Population(
        config.n_exc, sim.IF_cond_exp(**cell_parameters(sim, rngs["p"])), label="exc"
    )
    inh = sim.Population(
        config.n_inh, sim.IF_cond_exp(**cell_parameters(sim, rngs["p"])), label="inh"
    )
    ext = sim.Population(
        config.n_ext, sim.SpikeSourcePoisson(rate=config.rate_per_source), label="ext"
    )
    delay = sim.RandomDistribution(
        "normal_clipped",
        mu=config.delay_mean,
        sigma=config.delay_sd,
        low=config.delay_min,
        high=np.inf,
        rng=rngs["d"],
    )
    network = exc + inh
    for pre, k, mean, receptor in (
        (exc, config.c_exc, config.exc_weight, "excitatory"),
        (inh, config.c_inh, config.inh_weight, "inhibitory"),
        (ext, config.c_ext, config.exc_weight, "excitatory"),
    ):
        weight = sim.RandomDistribution(
            "normal_clipped",
            mu=mean,
            sigma=config.weight_spread * mean,
            low=0.0,
            high=np.inf,
            rng=rngs["w"],
        )
        connector = sim.FixedNumberPreConnector(
            k, with_replacement=True, allow_self_connections=True, rng=rngs["c"]
        )
        sim.Projection(
            pre,
            network,
            connector,
            sim.StaticSynapse(weight=weight, delay=delay),
            receptor_type=receptor,
        )
    recorded = exc if record == "all" else exc[:30]
    recorded.record("spikes")
    return {"exc": exc, "inh": inh, "ext": ext, "recorded": recorded}


def rate(block: Any, t_stop: float, window: float) -> float:
    """Mean rate (Hz) of the block's spike trains over the last ``window`` ms."""
    trains = block.segments[-1].spiketrains
    spikes = sum(int(np.sum(np.asarray(t) > t_stop - window)) for t in trains)
    return spikes / len(trains) / (window * 1e-3)


def run_points(
    name: str,
    gs: list[float],
    etas: list[float],
    *,
    t_stop: float = 2000.0,
    seed: int = 1234,
    scale: float = 6.0,
    record: str = "30",
    **setup: Any,
) -> list[dict[str, float]]:
    """Run the (g, eta) points on simulator ``name``; one network per g.

    Returns one row per point: g, eta, rate (Hz, recorded excitatory neurons, last
    1000 ms or the last half of a shorter run) and wall time (s).
    """
    sim = simulator(name)
    window = min(1000.0, t_stop / 2)
    rows = []
    for g in gs:
        config = BrunelConfig(g=g, eta=1.0, seed=seed, scale=scale, t_stop=t_stop)
        sim.setup(timestep=config.dt, min_delay=config.dt, t_flush=100.0, **setup)
        cells = build(sim, config, record)
        for eta in etas:
            start = time.perf_counter()
            sim.reset()
            cells["ext"].set(rate=config.replace(eta=eta).rate_per_source)
            sim.run(t_stop)
            block = cells["recorded"].get_data(clear=True)
            wall = time.perf_counter() - start
            rows.append(
                {"g": g, "eta": eta, "rate": rate(block, t_stop, window), "wall": wall}
            )
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
