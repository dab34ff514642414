"""PyNN's procedural API (``create``, ``connect``, ``record``, ...) for the twin."""

from __future__ import annotations

from typing import Any

from pyNN import common
from pyNN.connectors import FixedProbabilityConnector

from twin.pynn import simulator
from twin.pynn.populations import Population
from twin.pynn.projections import Projection
from twin.pynn.standardmodels import StaticSynapse

__all__ = ["connect", "create", "record", "record_gsyn", "record_v", "set"]

create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)
record = common.build_record(simulator)
set = common.set


def record_v(source: Any, filename: str) -> Any:
    """Record the membrane potential of ``source`` to ``filename``."""
    return record(["v"], source, filename)


def record_gsyn(source: Any, filename: str) -> Any:
    """Record the synaptic conductances of ``source`` to ``filename``."""
    return record(["gsyn_exc", "gsyn_inh"], source, filename)
