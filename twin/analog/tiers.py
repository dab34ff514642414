"""Fidelity tiers: which network the emulator runs, as pure transforms of a ``Network``.

- ``ideal``: the network as described (must agree with NEST statistically).
- ``mapped``: the network a wafer mapping realises: lost synapses removed, delays from
  route length (see ``WaferMapping.realised_network``).
- ``hardware``: reserved for the analog-imperfection transforms (weight quantisation,
  parameter ranges, fixed-pattern variation, saturation, bandwidth limits); each will be
  a separate pure function applied after ``mapped``.
"""

from __future__ import annotations

from typing import Literal, Protocol

from twin.errors import ConfigError
from twin.network import Network

__all__ = ["FIDELITIES", "Fidelity", "Realisable", "realise"]

Fidelity = Literal["ideal", "mapped", "hardware"]
FIDELITIES: tuple[Fidelity, ...] = ("ideal", "mapped", "hardware")


class Realisable(Protocol):
    """Anything that can produce the network a wafer realises (a ``WaferMapping``)."""

    def realised_network(self, delay_model: object = ..., seed: int = ...) -> Network:
        """Return the realised network."""
        ...


def realise(
    network: Network,
    fidelity: Fidelity,
    mapping: Realisable | None = None,
    *,
    seed: int = 0,
) -> Network:
    """Return the network to emulate at a fidelity tier.

    Parameters
    ----------
    network
        The requested network.
    fidelity
        ``"ideal"`` or ``"mapped"`` (``"hardware"`` is not available yet).
    mapping
        The wafer mapping of ``network`` (required for ``"mapped"``).
    seed
        Seed of the delay jitter of the mapped network.

    Raises
    ------
    ConfigError
        For an unknown tier, a missing mapping, or the hardware tier.
    """
    if fidelity == "ideal":
        return network
    if fidelity == "mapped":
        if mapping is None:
            raise ConfigError(
                "the 'mapped' tier needs a mapping; map the network first"
            )
        return mapping.realised_network(seed=seed)
    if fidelity == "hardware":
        raise ConfigError(
            "the 'hardware' tier (analog imperfections) is not implemented yet; use "
            "'ideal' or 'mapped'"
        )
    raise ConfigError(f"unknown fidelity {fidelity!r}; use one of {FIDELITIES}")
