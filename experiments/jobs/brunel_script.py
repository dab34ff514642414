"""The seed experiment as one self-contained job script (``run.py``).

``twin job prepare --workload brunel`` writes this module's source into ``run.py``
with :data:`PARAMETERS` filled in (the platform runs a single file; the seed
concatenates its modules for the same reason). ``python run.py BACKEND`` then runs
the job's (g, eta) points on

* ``brainscales``: the BSS-1 PyNN module ``pyhmf`` with the demos' own call sequence
  (``_static/network_helper/execution_helpers.py`` and the random network's
  ``execute.py`` in github.com/electronicvisions/brainscales1-demos): marocco
  settings, ``pyhmf.setup(marocco=..., marocco_runtime=...)``, the network built once
  at ``mapping_g``, then per recording layout the wafer's pre-made mapping loaded
  (the chips reset between layouts), per eta the Poisson spike times set, per g the
  inhibitory weights rescaled and the network run;
* ``nest``: ``pyNN.nest``, the network rebuilt at each point as the seed's NEST runs
  do,

and writes ``exc.h5`` and ``inh.h5`` in the seed's layout (one segment per point,
annotated with ``g``, ``eta``, ``sim_time``, ``population_size``, ``layout`` and
``seed``) into the working folder, each file written to a temporary name and renamed.

The network is the seed's own realisation (connectivity from ``NumpyRNG(network
seed)``, weights from ``NumpyRNG(400)``, delays from ``NumpyRNG(300)``, neuron
parameters from ``NumpyRNG(200)`` with variation on NEST only), which the twin builds
draw for draw with ``network="seed"`` (:mod:`experiments.brunel.seed_network`).

Where it differs from the demos' code: the wafer's input spike times are drawn with
``numpy.random.RandomState(input_seed)`` (the demos use elephant's unseeded Poisson
generator); the inhibitory weights are rescaled from the g they have (the demos
restart from ``mapping_g`` at each eta, which from an eta's second g list on
rescales from the wrong g); NEST is seeded with PyNN 0.13's ``rng_seed`` (the
seed's container passes NEST 2's ``rng_seeds``); both backends draw the
connectivity (the seed's NEST runs load the wafer's routed connections, which are
not public).

The script imports only numpy, h5py, PyNN and the backend; it must not import
``twin`` (the platform does not have it). Importing this module runs nothing.
"""

# Python 3.7-compatible on purpose: the platform's software stack runs this file.
from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict  # noqa: UP035  (typing.Dict: Python < 3.9 runs this)

import numpy as np

Params = Dict[str, Any]  # noqa: UP006

PARAMETERS: dict = json.loads("{}")  # filled in by twin job prepare

#: Recording layouts: "30" keeps the first 30 neurons of each population.
ISOLATED = 30


def import_backend(name: str) -> tuple[Any, Params]:
    """Return the PyNN module of ``name`` ("brainscales" or "nest") and its extras."""
    if name == "nest":
        import pyNN.nest as pynn

        return pynn, {}
    if name != "brainscales":
        raise SystemExit(f"run.py: unknown backend {name!r}; use brainscales or nest")
    import pyhmf as pynn
    import pymarocco.results  # noqa: F401  (the demos import it: patches the runtime)
    import pysthal
    from pyhalbe import HICANN
    from pyhalco_common import Enum, iter_all
    from pyhalco_hicann_v2 import FGBlockOnHICANN, Wafer
    from pymarocco import Defects, PyMarocco
    from pymarocco_runtime import Runtime
    from pysthal.command_line_util import init_logger

    init_logger("ERROR", [])
    extras = {
        "pysthal": pysthal, "PyMarocco": PyMarocco, "Runtime": Runtime,
        "Defects": Defects, "Wafer": Wafer, "HICANN": HICANN, "Enum": Enum,
        "iter_all": iter_all, "FGBlockOnHICANN": FGBlockOnHICANN,
    }  # fmt: skip
    return pynn, extras


def neuron_parameters(p: Params, variation: bool) -> Params:
    """Return the IF_cond_exp parameters: distributions (variation) or means."""
    from pyNN.random import NumpyRNG, RandomDistribution

    if not variation:
        return dict(p["neuron_means"])
    rng = NumpyRNG(p["variation_seed"], parallel_safe=True)
    out = {}
    for key, mean in p["neuron_means"].items():
        low, high = p["neuron_bounds"][key]
        out[key] = RandomDistribution(
            "normal_clipped", low=low, high=high, mu=mean,
            sigma=p["neuron_sds"].get(key, 0.0), rng=rng,
        )  # fmt: skip
    return out


def weight_distributions(p: Params, g: float, variation: bool) -> Params:
    """Return the seed's weight distributions (µS) per presynaptic side at ``g``."""
    from pyNN.random import NumpyRNG, RandomDistribution

    rng = NumpyRNG(p["weight_seed"], parallel_safe=True)
    spread = p["weight_spread"] if variation else 0.0
    means = {
        "exc": p["exc_weight_uS"],
        "inh": p["inh_weight_per_g_uS"] * g,
        "ext": p["exc_weight_uS"],
    }
    return {
        pre: RandomDistribution(
            "normal_clipped", low=0.0, high=np.inf, mu=mu, sigma=spread * mu, rng=rng
        )
        for pre, mu in means.items()
    }


def connection_lists(p: Params, g: float, variation: bool) -> Dict[Any, Any]:  # noqa: UP006
    """Draw the seed's connection matrices: ``{(pre, post): [[i, j, w, d], ...]}``."""
    from pyNN.random import NumpyRNG, RandomDistribution

    network = NumpyRNG(p["network_seed"], parallel_safe=True)
    delay = RandomDistribution(
        "normal_clipped", low=p["delay_min_ms"], high=np.inf, mu=p["delay_mean_ms"],
        sigma=p["delay_sd_ms"] if variation else 0.0,
        rng=NumpyRNG(p["delay_seed"], parallel_safe=True),
    )  # fmt: skip
    weights = weight_distributions(p, g, variation)
    sizes = {"exc": p["n_exc"], "inh": p["n_inh"], "ext": p["n_ext"]}
    degree = {"exc": p["c_exc"], "inh": p["c_inh"], "ext": p["c_ext"]}
    pairs = [(a, b) for a in ("exc", "inh") for b in ("exc", "inh")] + [("ext", "all")]
    out = {}
    for pre, post in pairs:
        n_post = p["n_exc"] + p["n_inh"] if post == "all" else sizes[post]
        k, rows = degree[pre], []
        for target in range(n_post):
            sources = network.randint(0, sizes[pre], k)
            w, d = weights[pre].next(k), delay.next(k)
            rows += [
                [int(s), target, float(w[j]), float(d[j])]
                for j, s in enumerate(sources)
            ]
        out[(pre, post)] = rows
    return out


def split_multapses(rows: list[Any]) -> list[list[Any]]:
    """Split rows into chunks without repeated (pre, post) pairs (pyhmf needs it)."""
    chunks, remaining = [], rows
    while remaining:
        seen: set = set()
        chunk: list = []
        rest: list = []
        for row in remaining:
            key = (row[0], row[1])
            (rest if key in seen else chunk).append(row)
            seen.add(key)
        chunks.append(chunk)
        remaining = rest
    return chunks


class Experiment:
    """The network on one backend: populations, projections, recorded spikes."""

    def __init__(self, pynn: Any, backend: str, p: Params) -> None:
        self.pynn, self.backend, self.p = pynn, backend, p
        self.segments: Params = {"exc": [], "inh": []}

    def build(self, g: float) -> None:
        """Create populations and projections at ``g``; record both populations."""
        sim, p, nest = self.pynn, self.p, self.backend == "nest"
        variation = nest and p["variation"]
        cell = neuron_parameters(p, variation)
        self.pops = {
            "exc": sim.Population(p["n_exc"], sim.IF_cond_exp, cell, label="exc"),
            "inh": sim.Population(p["n_inh"], sim.IF_cond_exp, cell, label="inh"),
            "ext": sim.Population(p["n_ext"], sim.SpikeSourcePoisson, {"rate": 1.0}),
        }
        self.pops["all"] = self.pops["exc"] + self.pops["inh"]
        self.projections = {}
        lists = connection_lists(p, g, variation)
        for (pre, post), rows in lists.items():
            receptor = "inhibitory" if pre == "inh" else "excitatory"
            src, dst = self.pops[pre], self.pops[post]
            if nest:
                conn = sim.FromListConnector(rows, column_names=["weight", "delay"])
                synapse = sim.StaticSynapse()
                made = [sim.Projection(src, dst, conn, synapse, receptor_type=receptor)]
            else:
                made = [
                    sim.Projection(src, dst, sim.FromListConnector(c), target=receptor)
                    for c in split_multapses(rows)
                ]
            self.projections[(pre, post)] = made
        for name in ("exc", "inh"):
            if nest:
                self.pops[name].record(["spikes"])
            else:
                self.pops[name].record()

    def scale_inhibition(self, factor: float) -> None:
        """Multiply every inhibitory weight by ``factor`` (the seed's g change)."""
        for (pre, _), projections in self.projections.items():
            if pre == "inh":
                for proj in projections:
                    proj.setWeights(proj.getWeights() * factor)

    def save(self, point: Params) -> None:
        """Keep the last run's spikes of the layout's neurons as one segment each."""
        t_stop = float(self.p["t_stop_ms"])
        for name in ("exc", "inh"):
            pop = self.pops[name]
            size = pop.size if point["layout"] == "all" else min(ISOLATED, pop.size)
            if self.backend == "nest":
                trains = pop[:size].get_data(clear=True).segments[-1].spiketrains
                times = [np.asarray(t.magnitude, dtype=float) for t in trains]
                times = [t[t <= t_stop] for t in times]  # NEST may record one after
            else:
                data = np.asarray(pop.getSpikes(), dtype=float).reshape(-1, 2)
                times = [np.sort(data[data[:, 0] == n, 1]) for n in range(size)]
            annotations = {
                "g": float(point["g"]), "eta": float(point["eta"]),
                "sim_time": t_stop, "population_size": int(pop.size),
                "layout": point["layout"], "seed": int(self.p["network_seed"]),
            }  # fmt: skip
            self.segments[name].append((annotations, times))


def poisson_times(rng: Any, rate_hz: float, t_stop_ms: float) -> Any:
    """Draw one Poisson spike train (ms) of ``rate_hz`` on (0, t_stop_ms)."""
    n = rng.poisson(rate_hz * t_stop_ms / 1000.0)
    return np.sort(rng.uniform(0.0, t_stop_ms, n))


def set_hardware_settings(marocco: Any, hw: Params, p: Params) -> None:
    """Set marocco as the demos' ``set_hardware_settings`` does, from ``p``."""
    c = p["hardware"]
    marocco.neuron_placement.default_neuron_size(c["neuron_size"])
    marocco.defects.backend = hw["Defects"].Backend.XML
    marocco.default_wafer = hw["Wafer"](int(c["wafer_module"]))
    marocco.calib_backend = hw["PyMarocco"].CalibBackend.Binary
    marocco.calib_path = c["calib_path"]
    marocco.defects.path = c["defects_path"]
    if not c["bigcap"]:
        marocco.param_trafo.use_big_capacitors = False
    if c["slow"]:
        marocco.param_trafo.i_gl_speedup = hw["pysthal"].SpeedUp.SLOW
    marocco.param_trafo.set_trafo_with_bio_to_hw_ratio(
        c["max_bio_voltage"], c["min_bio_voltage"],
        c["max_hw_voltage"], c["min_hw_voltage"],
    )  # fmt: skip
    PyMarocco = hw["PyMarocco"]
    marocco.verification = PyMarocco.Skip
    marocco.checkl1locking = PyMarocco.SkipCheck
    marocco.ensure_analog_trigger = PyMarocco.SkipEnsure
    marocco.scrutinize_mapping = PyMarocco.SkipScrutinize
    marocco.reset_parameters = True
    marocco.skip_mapping = True
    marocco.backend = PyMarocco.Hardware


def reticle_init(wafer: Any, hw: Params) -> None:
    """Configure the FPGAs only, so unused chips do not interfere (the demos')."""
    base: Any = hw["pysthal"].ParallelHICANNv4Configurator

    class ConfigFPGAOnlyHICANNConfigurator(base):
        def config(self, fpga: Any, hicann: Any, data: Any, stage: Any) -> None:
            pass

    wafer.configure(ConfigFPGAOnlyHICANNConfigurator())


def load_mapping(runtime: Any, p: Params, layout: str) -> None:
    """Load the wafer's pre-made mapping of ``layout`` (the demos' ``load_mapping``)."""
    path = p["hardware"]["mapping_path"]
    runtime.results().load(os.path.join(path, f"marocco_results_{layout}.bin"))
    runtime.wafer().load(os.path.join(path, f"marocco_wafer_{layout}.bin"))


def by_layout(points: list[Params]) -> Params:
    """Group the points as the demos' ``evaluate_sweep_parameters``: layout, eta, g."""
    out: Params = {}
    for point in points:
        out.setdefault(point["layout"], {}).setdefault(point["eta"], []).append(point)
    return out


def run_on_hardware(pynn: Any, hw: Params, p: Params) -> Experiment:
    """Run every point on the wafer with the demos' call sequence."""
    marocco = hw["PyMarocco"]()
    runtime = hw["Runtime"](marocco.default_wafer)
    set_hardware_settings(marocco, hw, p)
    pynn.setup(marocco=marocco, marocco_runtime=runtime)
    experiment = Experiment(pynn, "brainscales", p)
    experiment.build(p["hardware"]["mapping_g"])
    rng = np.random.RandomState(p["input_seed"])
    # The weights stay as last set: the demos restart from mapping_g at each eta,
    # which rescales from the wrong g at an eta's second g list; this keeps the g.
    last_g = p["hardware"]["mapping_g"]
    for iteration, (layout, etas) in enumerate(by_layout(p["points"]).items()):
        if iteration > 0:
            reticle_init(runtime.wafer(), hw)
        load_mapping(runtime, p, layout)
        marocco.hicann_configurator.set_force()
        for points in etas.values():
            rate = points[0]["rate_per_source_hz"]
            for cell in experiment.pops["ext"]:
                times = poisson_times(rng, rate, p["t_stop_ms"])
                runtime.results().spike_times.set(cell, times)
            for point in points:
                pynn.reset()
                experiment.scale_inhibition(point["g"] / last_g)
                last_g = point["g"]
                pynn.run(p["t_stop_ms"])
                experiment.save(point)
                marocco.hicann_configurator.set_smart()
    return experiment


def run_on_nest(pynn: Any, p: Params) -> Experiment:
    """Run every point on NEST, rebuilding the network at each (the seed's runs)."""
    experiment = Experiment(pynn, "nest", p)
    for point in p["points"]:
        pynn.setup(timestep=p["dt_ms"], min_delay=0.1, max_delay=15.0,
                   threads=p["threads"], rng_seed=p["kernel_seed"])  # fmt: skip
        experiment.build(point["g"])
        experiment.pops["ext"].set(rate=point["rate_per_source_hz"])
        pynn.run(p["t_stop_ms"])
        experiment.save(point)
    return experiment


def write_population(path: str, name: str, segments: list[Any]) -> None:
    """Write one population in the seed's HDF5 layout; rename into place at the end."""
    import h5py

    tmp = f"{path}.partial"
    with h5py.File(tmp, "w") as fh:
        block = fh.create_group("block")
        block.create_dataset("name", data=name)
        group = block.create_group("segments")
        for i, (annotations, trains) in enumerate(segments):
            seg = group.create_group(str(i))
            ann = seg.create_group("annotations")
            for key, value in annotations.items():
                ann.create_dataset(key, data=value)
            spikes = seg.create_group("spiketrains")
            for k, times in enumerate(trains):
                train = spikes.create_group(str(k))
                train.create_dataset("spiketrain", data=np.asarray(times, dtype=float))
                train.create_dataset("source_id", data=k)
    os.replace(tmp, path)


def main(argv: list[str], p: Params) -> None:
    """Run the job on the backend ``argv[0]`` (default brainscales); write the files."""
    backend = argv[0] if argv else "brainscales"
    pynn, hw = import_backend(backend)
    if backend == "nest":
        experiment = run_on_nest(pynn, p)
    else:
        experiment = run_on_hardware(pynn, hw, p)
    for name in ("exc", "inh"):
        write_population(f"{name}.h5", name, experiment.segments[name])
    done = f"{len(p['points'])} point(s), {backend}"
    print(f"run.py: wrote exc.h5 and inh.h5 ({done})")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:], PARAMETERS)
