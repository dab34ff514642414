"""JAX emulation of the wafer's analog neurons and synapses."""

__all__: list[str] = []
