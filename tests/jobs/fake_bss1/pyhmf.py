"""Stand-in for the BSS-1 PyNN module: records calls, returns made-up spikes.

Every neuron spikes at 100, 200, ..., 500 ms plus 0.01 ms times its index.
"""

import numpy as np
from _calls import record

SPIKE_TIMES = np.arange(1, 6) * 100.0


class IF_cond_exp:
    pass


class SpikeSourcePoisson:
    pass


def setup(**kwargs):
    record("pyhmf.setup", **kwargs)


def run(t_stop):
    record("pyhmf.run", t_stop)


def reset():
    record("pyhmf.reset")


def end():
    record("pyhmf.end")


class Population:
    def __init__(self, size, cell, params=None, label=None):
        self.size, self.label = size, label
        self._name = f"Population({label})"
        name = getattr(cell, "__name__", type(cell).__name__)
        record("pyhmf.Population", size, name, label=label)

    def __add__(self, other):
        return Population(self.size + other.size, IF_cond_exp, label="assembly")

    def __iter__(self):
        return iter(range(self.size))

    def record(self):
        record(f"pyhmf.{self._name}.record")

    def getSpikes(self):
        ids = np.repeat(np.arange(self.size), SPIKE_TIMES.size)
        times = np.tile(SPIKE_TIMES, self.size) + 0.01 * ids
        return np.column_stack([ids, times])


class FromListConnector:
    def __init__(self, rows):
        self.rows = rows


class Projection:
    def __init__(self, pre, post, connector, target=None):
        self.weights = np.array([row[2] for row in connector.rows])
        pairs = {(row[0], row[1]) for row in connector.rows}
        record(
            "pyhmf.Projection",
            pre.label,
            post.label,
            len(connector.rows),
            multapses=len(pairs) != len(connector.rows),
            target=target,
        )

    def getWeights(self):
        return self.weights.copy()

    def setWeights(self, weights):
        factor = float(np.median(np.asarray(weights) / self.weights))
        record("pyhmf.Projection.setWeights", factor=round(factor, 12))
        self.weights = np.asarray(weights)
