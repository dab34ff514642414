"""NEST seeds of every workload: one derivation, distinct points, NEST's range.

Brunel's earlier ``seed*1000 + round(10 g) + round(100 eta)`` gave (g 4, eta 1.6) and
(g 8, eta 1.2) one seed; the label is now hashed by the microcircuit's derivation
(:func:`experiments.runs.nest.nest_seed_of`), so distinct points draw distinct NEST
Poisson input.
"""

import itertools

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.workload import BrunelWorkload
from experiments.microcircuit.config import MicrocircuitConfig
from experiments.microcircuit.workload import MicrocircuitWorkload, seeds
from experiments.runs.nest import NEST_SEED_MAX, NestConfig, nest_seed_of
from twin.errors import ConfigError

#: A custom grid: realisation seeds x g x eta at the CLI's resolution of 0.1.
SEEDS = (0, 1, 2, 1234)
GS = tuple(np.round(np.arange(0.5, 20.01, 0.5), 3))
ETAS = tuple(np.round(np.arange(0.1, 4.01, 0.1), 3))


def _old_formula(c: BrunelConfig) -> int:
    return c.seed * 1000 + round(c.g * 10) + round(c.eta * 100)


def test_brunel_points_get_distinct_seeds_in_nest_s_range():
    workload = BrunelWorkload()
    configs = [
        BrunelConfig(seed=s, g=float(g), eta=float(eta))
        for s, g, eta in itertools.product(SEEDS, GS, ETAS)
    ]
    drawn = [workload.nest_seed(c) for c in configs]
    assert len(set(drawn)) == len(configs)  # injective over the grid
    assert min(drawn) >= 1
    assert max(drawn) <= NEST_SEED_MAX
    # The class of the old bug: the sum formula collides on this very grid ...
    assert len({_old_formula(c) for c in configs}) < len(configs)
    # ... e.g. the pair, which now differs.
    a, b = BrunelConfig(g=4.0, eta=1.6), BrunelConfig(g=8.0, eta=1.2)
    assert _old_formula(a) == _old_formula(b)
    assert workload.nest_seed(a) != workload.nest_seed(b)
    for s in drawn[:: len(drawn) // 50]:
        assert NestConfig(t_stop=100.0, seed=s).seed == s


def test_a_point_s_seed_is_a_function_of_the_point_only():
    workload = BrunelWorkload()
    c = BrunelConfig(seed=7, g=5.0, eta=2.0)
    assert workload.nest_seed(c) == workload.nest_seed(c.replace())
    assert workload.nest_seed(c) != workload.nest_seed(c.replace(seed=8))
    # Other settings than (seed, g, eta) do not move the Poisson input's seed.
    assert workload.nest_seed(c) == workload.nest_seed(c.replace(t_stop=3000.0))


def test_microcircuit_realisations_get_distinct_seeds_from_the_same_derivation():
    workload = MicrocircuitWorkload()
    points = seeds(MicrocircuitConfig(seed=0), 2000)
    drawn = [workload.nest_seed(p) for p in points]
    assert len(set(drawn)) == len(points)
    assert all(1 <= s <= NEST_SEED_MAX for s in drawn)


def test_the_label_is_ordered_and_must_be_non_negative_integers():
    assert nest_seed_of(1, 2) != nest_seed_of(2, 1)
    assert nest_seed_of(1, 2) == nest_seed_of(np.int64(1), 2)
    for bad in ((), (-1,), (1.5,), (True,), (1, -3)):
        with pytest.raises(ConfigError, match="integers >= 0"):
            nest_seed_of(*bad)
