"""Native (C++) event delivery for XLA's CPU backend, built with the system compiler.

The pure-JAX delivery in :mod:`twin.analog.kernel` is the reference and the path on
GPUs; on CPUs ``SimConfig(delivery="auto")`` uses this one when it can be built.
"""

from twin.analog.native.build import build
from twin.analog.native.deliver import deliver_events, deliver_spikes, register

__all__ = ["build", "deliver_events", "deliver_spikes", "register"]
