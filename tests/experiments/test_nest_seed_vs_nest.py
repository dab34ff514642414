"""The derived NEST seeds are seeds NEST's kernel takes (and keeps)."""

import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.workload import BrunelWorkload
from experiments.runs.nest import NEST_SEED_MAX, nest_seed_of

pytestmark = pytest.mark.nest


def test_nest_takes_the_range_s_ends_and_derived_seeds_and_refuses_zero():
    nest = pytest.importorskip("nest")
    workload = BrunelWorkload()
    derived = [
        workload.nest_seed(BrunelConfig(seed=s, g=g, eta=eta))
        for s in (0, 1234)
        for g in (1.0, 4.0, 8.0)
        for eta in (0.8, 1.6, 3.2)
    ]
    for seed in (1, NEST_SEED_MAX, nest_seed_of(0), *derived):
        nest.ResetKernel()
        nest.SetKernelStatus({"rng_seed": seed})
        assert nest.GetKernelStatus("rng_seed") == seed
    nest.ResetKernel()
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.SetKernelStatus({"rng_seed": 0})
