"""``MappingConfig``: every choice a mapping run makes, frozen and validated."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from twin.errors import ConfigError
from twin.wafer.bandwidth import BANDWIDTH, Bandwidth
from twin.wafer.neurons import check_neuron_size

__all__ = ["MappingConfig", "PlacementStrategy", "Router"]

PlacementStrategy = Literal["enum", "spiral", "cluster"]
Router = Literal["backbone", "shortest"]
_STRATEGIES = ("enum", "spiral", "cluster")
_ROUTERS = ("backbone", "shortest")


@dataclass(frozen=True, slots=True, kw_only=True)
class MappingConfig:
    """Settings of :func:`twin.routing.map_network`.

    Parameters
    ----------
    neuron_size
        Denmems per logical neuron (even, 2..64; the seed uses 8).
    strategy
        Chip order for neuron placement: ``"enum"`` (ascending chip enum, marocco's
        default), ``"spiral"`` (outwards from the wafer centre) or ``"cluster"``
        (spiral chips, neurons ordered by connectivity with reverse Cuthill-McKee).
    isolate
        ``(population, index)`` pairs placed alone, one per chip (the seed's
        recording trick).
    pins
        ``(population, chip enums)`` pairs: the population is placed on exactly
        those chips (``on_hicann``), which no other population uses.
    router
        L1 routing algorithm: ``"backbone"`` or ``"shortest"``.
    driver_chain_length
        Maximum adjacent synapse drivers sharing one L1 input (marocco default 3).
    bandwidth
        Rate limits used by input placement (with their utilisation factor).
    input_rate_scale
        Source rates are multiplied by this when planning input bandwidth (plan for
        the highest rate of a sweep, as the seed did for eta = 3.2).
    max_neurons_per_hicann
        Cap on neurons per chip (``None``: as many as fit). The default, 59, keeps
        every chip's neurons on a single source bus (59 usable L1 addresses): fewer
        buses compete for the synapse drivers of each target chip (seed network,
        perfect wafer: 4.2 % loss at 59, 11.4 % without a cap; BENCHMARKS.md).
    inputs_on_neuron_chips
        Let input placement put sources on chips that hold neurons as readily as on
        others (marocco's behaviour). By default those chips come last.
    """

    neuron_size: int = 8
    strategy: PlacementStrategy = "spiral"
    isolate: tuple[tuple[str, int], ...] = ()
    pins: tuple[tuple[str, tuple[int, ...]], ...] = ()
    router: Router = "backbone"
    driver_chain_length: int = 3
    bandwidth: Bandwidth = BANDWIDTH
    input_rate_scale: float = 1.0
    max_neurons_per_hicann: int | None = 59
    inputs_on_neuron_chips: bool = False

    def __post_init__(self) -> None:
        check_neuron_size(self.neuron_size)
        if self.strategy not in _STRATEGIES:
            raise ConfigError(
                f"placement strategy {self.strategy!r}; use one of {_STRATEGIES}"
            )
        if self.router not in _ROUTERS:
            raise ConfigError(f"router {self.router!r}; use one of {_ROUTERS}")
        if not 1 <= self.driver_chain_length <= 56:
            raise ConfigError(
                f"driver_chain_length {self.driver_chain_length}; must be in 1..56"
            )
        if not self.input_rate_scale > 0:
            raise ConfigError(f"input_rate_scale {self.input_rate_scale} must be > 0")
        if self.max_neurons_per_hicann is not None and self.max_neurons_per_hicann < 1:
            raise ConfigError(
                f"max_neurons_per_hicann {self.max_neurons_per_hicann} must be >= 1"
            )
        object.__setattr__(self, "isolate", tuple(tuple(p) for p in self.isolate))
        object.__setattr__(
            self, "pins", tuple((pop, tuple(chips)) for pop, chips in self.pins)
        )

    def replace(self, **changes: object) -> MappingConfig:
        """Return a copy with fields replaced (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]
