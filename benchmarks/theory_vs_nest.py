"""Mean-field theory of current-based networks against NEST (tables of docs/theory.md).

Two networks, each simulated by NEST directly and described by
:class:`twin.theory.CurrentNetwork`:

- **Brunel (2000) model A**: 10,000 excitatory and 2,500 inhibitory ``iaf_psc_delta``
  neurons, C_E 1000, C_I 250, J 0.1 mV, tau 20 ms, theta 20 mV, V_r 10 mV, tau_rp 2 ms,
  D 1.5 ms, C_ext = C_E independent Poisson synapses at eta x nu_thr
  (reference ``brunel_bss1.md`` §3.1);
- **the seed network, current-based**: the seed's downscaled network (N 2083, C_E 166,
  C_I 41, 2,083 shared Poisson sources with 200 connections each, delay 1.5 ms) before
  its conversion to conductances: ``iaf_psc_exp`` with the seed's current
  w = orig_weight x dV x C_m / tau_syn (0.24 nA, tau_syn 3 ms), no parameter variation.

Usage::

    .venv/bin/python benchmarks/theory_vs_nest.py [--model a|seed|both] [--t-sim MS]

Prints a markdown table per network: theory (with its flags) and NEST's mean rate over
all neurons of each population after a 200 ms warm-up, and their relative difference.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from experiments.brunel.config import NEURON_MEANS, BrunelConfig
from twin.theory import CurrentNetwork, LIFPopulation, charge_jump, solve_rates
from twin.theory.stability import current_stability

WARMUP_MS = 200.0
THREADS = 2
#: Model A's AI region and its neighbours (Brunel 2000 Fig. 2, D = 1.5 ms).
MODEL_A_POINTS = (
    (5.0, 2.0),
    (5.0, 3.0),
    (6.0, 2.0),
    (6.0, 3.0),
    (8.0, 2.0),
    (8.0, 4.0),
    (6.0, 4.0),  # Brunel's Fig. 8B: fast oscillation
    (4.5, 0.9),  # Fig. 8D: slow oscillation
)


@dataclass(frozen=True)
class CurrentModel:
    """A two-population current-based network as NEST and the theory take it."""

    name: str
    n_exc: int
    n_inh: int
    c_exc: int
    c_inh: int
    tau_m: float  # ms
    theta: float  # mV above rest
    v_reset: float  # mV above rest
    tau_ref: float  # ms
    tau_syn: float  # ms; 0: delta synapses
    c_m: float  # pF
    jump: float  # excitatory PSP jump (delta) or charge jump (exp), mV
    delay: float  # ms
    c_ext: int  # external synapses per neuron
    n_pool: int  # shared external sources; 0: independent per synapse

    def ext_rate(self, eta: float) -> float:
        """Rate of each external synapse, Hz: eta x theta / (J C_ext tau_m)."""
        return eta * self.theta / (self.jump * self.c_ext * self.tau_m) * 1e3

    def theory(self, g: float, eta: float) -> CurrentNetwork:
        """Return the network's :class:`CurrentNetwork` at (g, eta)."""
        pops = tuple(
            LIFPopulation(
                name=n,
                tau_m=self.tau_m,
                tau_ref=self.tau_ref,
                theta=self.theta,
                v_reset=self.v_reset,
                tau_syn=self.tau_syn,
            )
            for n in ("E", "I")
        )
        row = [self.jump, -g * self.jump]
        return CurrentNetwork(
            populations=pops,
            in_degree=np.array([[self.c_exc, self.c_inh]] * 2, float),
            jump=np.array([row, row]),
            ext_in_degree=np.full(2, float(self.c_ext)),
            ext_jump=np.full(2, self.jump),
            ext_rate=np.full(2, self.ext_rate(eta)),
        )


MODEL_A = CurrentModel(
    "Brunel 2000 model A", 10_000, 2_500, 1_000, 250, 20.0, 20.0, 10.0, 2.0, 0.0,
    250.0, 0.1, 1.5, 1_000, 0,
)  # fmt: skip


def seed_current(config: BrunelConfig | None = None) -> CurrentModel:
    """Return the seed network before its conversion to conductances."""
    c = config or BrunelConfig()
    m = NEURON_MEANS
    c_m = m["cm"] * 1e3  # nF -> pF
    weight = c.current_scale * 1e3  # nA -> pA
    return CurrentModel(
        "seed network, current-based", c.n_exc, c.n_inh, c.c_exc, c.c_inh,
        m["tau_m"], m["v_thresh"] - m["v_rest"], m["v_reset"] - m["v_rest"],
        m["tau_refrac"], m["tau_syn_E"], c_m,
        float(charge_jump(weight, m["tau_syn_E"], c_m)), c.delay_mean, c.c_ext,
        c.n_ext,
    )  # fmt: skip


def theory_rates(model: CurrentModel, g: float, eta: float) -> tuple[float, str]:
    """Return the theory's excitatory rate (NaN without one) and its state.

    The state is ``stationary``, ``oscillatory (f Hz)`` where the linear stability
    (:func:`twin.theory.stability.current_stability`) finds a growing mode, or the
    solve's flags.
    """
    network = model.theory(g, eta)
    (result,) = solve_rates(network.transfer, network.names)
    flags = sorted(f.name.lower() for f in result.flags)
    rates = result.rates_or_nan()
    if result.ok:
        stability = current_stability(network, rates, model.delay)
        if bool(stability.unstable):
            flags.append(f"oscillatory ({float(stability.frequency_hz):.0f} Hz)")
    return float(rates[0]), ", ".join(flags) or "stationary"


def nest_rates(model: CurrentModel, g: float, eta: float, t_sim: float, seed: int):
    """Simulate ``model`` in NEST; return (E rate, I rate) in Hz and the wall time."""
    import nest

    start = time.perf_counter()
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus(
        {"resolution": 0.1, "local_num_threads": THREADS, "rng_seed": seed}
    )
    params = {
        "C_m": model.c_m, "tau_m": model.tau_m, "t_ref": model.tau_ref, "E_L": 0.0,
        "V_reset": model.v_reset, "V_th": model.theta, "V_m": 0.0,
    }  # fmt: skip
    if model.tau_syn > 0:
        kind = "iaf_psc_exp"
        params |= {"tau_syn_ex": model.tau_syn, "tau_syn_in": model.tau_syn}
        weight = model.jump * model.c_m / model.tau_syn  # pA
    else:
        kind = "iaf_psc_delta"
        weight = model.jump  # mV
    exc = nest.Create(kind, model.n_exc, params=params)
    inh = nest.Create(kind, model.n_inh, params=params)
    neurons = exc + inh
    neurons.V_m = nest.random.uniform(0.0, model.theta)
    syn_e = {"synapse_model": "static_synapse", "weight": weight, "delay": model.delay}
    syn_i = syn_e | {"weight": -g * weight}
    nest.Connect(
        exc, neurons, {"rule": "fixed_indegree", "indegree": model.c_exc}, syn_e
    )
    nest.Connect(
        inh, neurons, {"rule": "fixed_indegree", "indegree": model.c_inh}, syn_i
    )
    rate = model.ext_rate(eta)
    if model.n_pool:
        pool = nest.Create("parrot_neuron", model.n_pool)
        nest.Connect(nest.Create("poisson_generator", params={"rate": rate}), pool)
        rule = {"rule": "fixed_indegree", "indegree": model.c_ext}
        nest.Connect(pool, neurons, rule, syn_e)
    else:
        drive = nest.Create("poisson_generator", params={"rate": rate * model.c_ext})
        nest.Connect(drive, neurons, syn_spec=syn_e)
    recorder = nest.Create("spike_recorder", params={"start": WARMUP_MS})
    nest.Connect(neurons, recorder)
    nest.Simulate(WARMUP_MS + t_sim)
    senders = recorder.events["senders"]
    first = exc[0].global_id
    n_e = np.count_nonzero(senders < first + model.n_exc)
    n_i = senders.size - n_e
    per_s = 1e3 / t_sim
    wall = time.perf_counter() - start
    return n_e * per_s / model.n_exc, n_i * per_s / model.n_inh, wall


def table(model: CurrentModel, points: Sequence[tuple[float, float]], t_sim: float):
    """Print the markdown table of ``model`` at ``points``."""
    print(f"\n### {model.name} ({t_sim:.0f} ms after {WARMUP_MS:.0f} ms warm-up)\n")
    print(
        "| g | eta | theory E (Hz) | theory state | NEST E (Hz) | NEST I (Hz) | error |"
    )
    print("|---|---|---|---|---|---|---|")
    for g, eta in points:
        nu, flags = theory_rates(model, g, eta)
        e, i, wall = nest_rates(model, g, eta, t_sim, seed=1)
        err = "-" if np.isnan(nu) else f"{(nu - e) / e:+.1%}"
        print(f"| {g:g} | {eta:g} | {nu:.2f} | {flags} | {e:.2f} | {i:.2f} | {err} |")
        print(f"<!-- NEST wall {wall:.1f} s -->", flush=True)


def main() -> None:
    """Print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=("a", "seed", "both"), default="both")
    parser.add_argument("--t-sim", type=float, default=2000.0, help="ms per point")
    args = parser.parse_args()
    if args.model in ("a", "both"):
        table(MODEL_A, MODEL_A_POINTS, args.t_sim)
    if args.model in ("seed", "both"):
        grid = [(g, e) for g in (1.0, 4.0, 8.0, 10.0) for e in (0.8, 1.6, 2.4, 3.2)]
        table(seed_current(), grid, args.t_sim)


if __name__ == "__main__":
    main()
