"""Short-term plasticity in the emulator (Tsodyks-Markram)."""

import dataclasses

import jax.random as jr
import pytest

from tests.analog.helpers import single_neuron
from twin.analog.simulate import SimConfig, simulate
from twin.errors import UnsupportedError
from twin.stp import TsodyksMarkram


def test_refused_until_run():
    net = single_neuron(inputs=[([1.0, 2.0], 0.01, 1.0, "excitatory")])
    proj = dataclasses.replace(
        net.projections[0], stp=TsodyksMarkram(U=0.5, tau_rec=100.0, tau_facil=0.0)
    )
    net = dataclasses.replace(net, projections=(proj,))
    with pytest.raises(UnsupportedError, match=proj.name):
        simulate(net, SimConfig(t_stop=5.0), jr.PRNGKey(0))
