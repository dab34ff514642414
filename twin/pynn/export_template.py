"""The text around a written PyNN script's network (:mod:`twin.pynn.export`).

:data:`PREAMBLE` picks the simulator from the command line as PyNN's examples do,
loads the ``.npz`` beside the script and calls ``setup``; :data:`EPILOGUE` runs,
prints each recorded population's mean rate and writes the recorded data as a Neo
pickle. Both are ``str.format`` templates (doubled braces are the script's own).
"""

__all__ = ["EPILOGUE", "PREAMBLE"]

#: Fields: ``simulator``, ``t_stop``, ``seed``, ``twin_setup``, ``dt``,
#: ``min_delay``, ``max_delay`` (the last two as Python source).
PREAMBLE = '''\
import importlib
import sys
from pathlib import Path

import numpy as np

SIMULATOR = sys.argv[1] if len(sys.argv) > 1 else {simulator!r}
sim = importlib.import_module(
    "twin.pynn" if SIMULATOR == "twin" else "pyNN." + SIMULATOR
)
with np.load(Path(__file__).with_suffix(".npz")) as data:
    DATA = dict(data)
T_STOP = {t_stop!r}  # ms
SEED = {seed!r}
# NEST's grid-based models (iaf_psc_exp, poisson_generator), the ones the twin emulates
EXTRA = {{"spike_precision": "on_grid"}} if SIMULATOR == "nest" else {{}}
TWIN_SETUP = {twin_setup!r}  # the twin's own setup options (fidelity tier, precision)
if SIMULATOR == "twin":
    EXTRA.update(TWIN_SETUP)
if SEED:  # NEST takes seeds in (0, 2**32 - 1); 0 leaves each simulator's default
    EXTRA["rng_seed"] = SEED


def connections(data, key, columns):
    """Return the (pre, post, *columns) rows of a projection, one per synapse."""
    names = ["pre", "post", *columns]
    return np.column_stack([data[key + "_" + name] for name in names])


def trains(data, key):
    """Return the spike trains of a spike-times source, ms."""
    ends = np.cumsum(data[key + "_counts"])
    times = np.split(data[key + "_times"], ends[:-1])
    return [sim.Sequence(t) for t in times]


sim.setup(timestep={dt!r}, min_delay={min_delay}, max_delay={max_delay}, **EXTRA)
pops = {{}}
'''

#: Fields: ``spiking`` (names whose mean spike rate is printed), ``recorded``
#: (names whose data are written).
EPILOGUE = """
sim.run(T_STOP)

for name in {spiking!r}:
    rate = pops[name].mean_spike_count() * 1000.0 / T_STOP
    print(f"{{name}} rate : {{rate:g}} Hz")
recorded = [pops[name] for name in {recorded!r}]
if recorded:
    output = Path(__file__).with_name(f"{{Path(__file__).stem}}_{{SIMULATOR}}.pkl")
    sim.Assembly(*recorded).write_data(str(output))
sim.end()
"""
