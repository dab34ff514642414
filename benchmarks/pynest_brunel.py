"""The Brunel sweep on NEST as an expert runs it: PyNEST directly, one build per
realisation.

The network of one realisation (``experiments.brunel.build_network``: the same
neurons, parameters, connections, weights and delays as the twin's) is created once
in PyNEST; each (g, eta) point then scales the inhibitory weights and the Poisson
rates in place, puts the neurons back to their initial state and simulates. The
shared pool of Poisson sources is NEST's ``poisson_generator`` relayed through
``parrot_neuron`` (one train per source, seen by all its targets, as PyNN does).
Events of a point still in flight when the next starts (at most one maximum delay,
a few ms of 10 s) are part of the next point's first milliseconds.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from experiments.brunel import BrunelConfig, build_network

__all__ = ["run_pynest_sweep"]

#: PyNN IF_cond_exp name -> (NEST iaf_cond_exp name, factor); g_L from cm / tau_m.
_NAMES = {
    "v_rest": ("E_L", 1.0),
    "cm": ("C_m", 1000.0),  # nF -> pF
    "tau_refrac": ("t_ref", 1.0),
    "tau_syn_E": ("tau_syn_ex", 1.0),
    "tau_syn_I": ("tau_syn_in", 1.0),
    "e_rev_E": ("E_ex", 1.0),
    "e_rev_I": ("E_in", 1.0),
    "v_thresh": ("V_th", 1.0),
    "v_reset": ("V_reset", 1.0),
    "i_offset": ("I_e", 1000.0),  # nA -> pA
}


def _nest_parameters(p: dict[str, Any]) -> dict[str, np.ndarray]:
    out = {nest: np.asarray(p[name], float) * f for name, (nest, f) in _NAMES.items()}
    out["g_L"] = 1000.0 * np.asarray(p["cm"]) / np.asarray(p["tau_m"])  # nS
    return out


def run_pynest_sweep(
    points: list[tuple[float, float]], base: BrunelConfig, threads: int = 2
) -> dict:
    """Run every point on one PyNEST network; return wall time, rates, build time."""
    import nest

    start = time.perf_counter()
    network = build_network(base)
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    nest.SetKernelStatus(
        {"resolution": 0.1, "local_num_threads": threads, "rng_seed": base.seed}
    )
    nodes, v_init = {}, {}
    for pop in network.populations:
        params = _nest_parameters(dict(pop.parameters))
        cells = nest.Create("iaf_cond_exp", pop.size)
        cells.set({k: v.tolist() for k, v in params.items()})
        nodes[pop.name] = cells
        v_init[pop.name] = params["E_L"]
    ext = network.source("ext")
    generators = nest.Create("poisson_generator", ext.size)
    parrots = nest.Create("parrot_neuron", ext.size)
    nest.Connect(generators, parrots, "one_to_one")
    ids = {name: np.asarray(c.tolist()) for name, c in nodes.items()}
    ids["ext"] = np.asarray(parrots.tolist())
    for proj in network.projections:
        sign = 1.0 if proj.receptor == "excitatory" else -1.0
        nest.Connect(
            ids[proj.pre][proj.pre_idx],
            ids[proj.post][proj.post_idx],
            {"rule": "one_to_one"},
            {"weight": sign * 1000.0 * proj.weight, "delay": proj.delay},
        )
    recorder = nest.Create("spike_recorder")
    every = nodes["exc"] + nodes["inh"]
    nest.Connect(every, recorder)
    inhibitory = nest.GetConnections(source=nodes["inh"])
    w_inh = np.asarray(inhibitory.get("weight"))
    build = time.perf_counter() - start
    n = network.n_neurons
    rates = {}
    for g, eta in points:
        inhibitory.set(weight=(w_inh * g / base.g).tolist())
        generators.set(rate=ext.rate * eta / base.eta)
        for name, cells in nodes.items():
            cells.set(V_m=v_init[name].tolist(), g_ex=0.0, g_in=0.0)
        recorder.n_events = 0
        begin = time.perf_counter()
        nest.Simulate(base.t_stop)
        rates[(g, eta)] = recorder.n_events / n / (base.t_stop * 1e-3)
        print(
            f"  pynest g={g:g} eta={eta:g}: {time.perf_counter() - begin:6.1f} s, "
            f"{rates[(g, eta)]:6.1f} Hz",
            flush=True,
        )
    return {"wall_s": time.perf_counter() - start, "build_s": build, "rates": rates}
