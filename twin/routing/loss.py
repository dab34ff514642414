"""Synapse-loss accounting: every synapse a mapping drops is counted with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = ["LossReason", "LossReport"]


class LossReason(StrEnum):
    """Why a synapse could not be realised."""

    NO_NEURON_CAPACITY = "no_neuron_capacity"  # pre or post neuron not placed
    NO_SOURCE_BUS = "no_source_bus"  # no usable DNC merger for the pre neuron's block
    NO_INPUT_BANDWIDTH = "no_input_bandwidth"  # source not placed within L2 limits
    NO_L1_ROUTE = "no_l1_route"  # no free L1 path from the source bus to the target
    NO_SYNAPSE_DRIVER = "no_synapse_driver"  # no free driver chain at the target
    NO_SYNAPSE_ROW = "no_synapse_row"  # drivers found, but too few rows/decoder slots
    #: drivers found, but too few of the synapse's STP driver class (static, or mode
    #: and U_SE setting): the same drivers would have held it were all synapses static
    NO_SYNAPSE_DRIVER_STP = "no_synapse_driver_stp"


@dataclass(frozen=True, slots=True)
class LossReport:
    """Requested and lost synapses per projection; a monoid under ``+``.

    Parameters
    ----------
    requested
        Projection name -> number of synapses the network asks for.
    lost
        ``(projection name, reason)`` -> number of synapses dropped for that reason.

    Examples
    --------
    >>> a = LossReport.of({"e": 10}, {("e", LossReason.NO_L1_ROUTE): 2})
    >>> b = LossReport.of({}, {("e", LossReason.NO_SYNAPSE_ROW): 1})
    >>> (a + b).total_lost, (a + b).fraction_lost
    (3, 0.3)
    """

    requested: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    lost: Mapping[tuple[str, LossReason], int] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @classmethod
    def of(
        cls,
        requested: Mapping[str, int],
        lost: Mapping[tuple[str, LossReason], int] | None = None,
    ) -> LossReport:
        """Build a report, dropping zero counts and freezing the mappings."""
        return cls(
            MappingProxyType({k: int(v) for k, v in requested.items()}),
            MappingProxyType({k: int(v) for k, v in (lost or {}).items() if v}),
        )

    @classmethod
    def from_losses(cls, entries: Iterable[tuple[str, LossReason, int]]) -> LossReport:
        """Build a loss-only report from ``(projection, reason, count)`` entries."""
        lost: dict[tuple[str, LossReason], int] = {}
        for name, reason, count in entries:
            lost[(name, reason)] = lost.get((name, reason), 0) + int(count)
        return cls.of({}, lost)

    def __add__(self, other: LossReport) -> LossReport:
        requested = dict(self.requested)
        for k, v in other.requested.items():
            requested[k] = requested.get(k, 0) + v
        lost = dict(self.lost)
        for key, v in other.lost.items():
            lost[key] = lost.get(key, 0) + v
        return LossReport.of(requested, lost)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LossReport):
            return NotImplemented
        return dict(self.requested) == dict(other.requested) and dict(
            self.lost
        ) == dict(other.lost)

    def __hash__(self) -> int:
        return hash(
            (tuple(sorted(self.requested.items())), tuple(sorted(self.lost.items())))
        )

    @property
    def total_requested(self) -> int:
        """Synapses requested over all projections."""
        return sum(self.requested.values())

    @property
    def total_lost(self) -> int:
        """Synapses lost over all projections and reasons."""
        return sum(self.lost.values())

    @property
    def total_realised(self) -> int:
        """Synapses realised: requested minus lost."""
        return self.total_requested - self.total_lost

    @property
    def fraction_lost(self) -> float:
        """Lost / requested (0 for an empty report)."""
        return self.total_lost / self.total_requested if self.total_requested else 0.0

    def lost_in(self, projection: str) -> int:
        """Synapses lost in one projection."""
        return sum(v for (p, _), v in self.lost.items() if p == projection)

    def by_reason(self) -> dict[LossReason, int]:
        """Synapses lost per reason."""
        out: dict[LossReason, int] = {}
        for (_, reason), v in self.lost.items():
            out[reason] = out.get(reason, 0) + v
        return out

    def table(self) -> list[dict[str, object]]:
        """Return one row per projection: requested, realised, lost, per reason."""
        rows = []
        for name, req in self.requested.items():
            lost = self.lost_in(name)
            row: dict[str, object] = {
                "projection": name,
                "requested": req,
                "realised": req - lost,
                "lost": lost,
                "fraction_lost": lost / req if req else 0.0,
            }
            for reason in LossReason:
                row[reason.value] = self.lost.get((name, reason), 0)
            rows.append(row)
        return rows
