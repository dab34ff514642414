"""Mapping of a network onto the wafer: placement, L1 routing, synapse drivers, loss."""

__all__: list[str] = []
