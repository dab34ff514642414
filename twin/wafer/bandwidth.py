"""Event-rate limits of the wafer and the bio/hardware time scale.

Every limit is stored in hardware units (events per second of wafer time) with its
source; :meth:`Bandwidth.bio` converts through the one ``speedup`` value. Limits that
are not published hardware numbers are flagged ``assumption=True`` and documented.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Final, Literal

from twin.errors import WaferSpecError
from twin.units import SPEEDUP

__all__ = ["BANDWIDTH", "DEFAULT_PLL_HZ", "Bandwidth", "RateLimit"]

#: marocco's default HICANN PLL frequency. [marocco PyMarocco.cpp pll_freq]
DEFAULT_PLL_HZ: Final = 125e6

Scope = Literal["hicann", "fpga", "neuron_block", "dnc_merger", "l1_bus"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimit:
    """One event-rate limit.

    Parameters
    ----------
    rate_hw
        Maximum events per second of wafer time, per ``scope`` unit.
    scope
        What the limit applies to (one chip, one FPGA, one neuron block, ...).
    source
        Where the number comes from.
    assumption
        True if the number is not a published hardware figure.

    Raises
    ------
    WaferSpecError
        If ``rate_hw`` is not > 0.
    """

    rate_hw: float
    scope: Scope
    source: str
    assumption: bool = False

    def __post_init__(self) -> None:
        if not self.rate_hw > 0:
            raise WaferSpecError(f"rate limit {self.rate_hw} events/s must be positive")


def _default_limits(pll_hz: float) -> dict[str, RateLimit]:
    return {
        "input_per_hicann": RateLimit(
            rate_hw=17.8e6,
            scope="hicann",
            source="marocco InputPlacement max_rate_HICANN: assumed 1 pulse per 56 ns "
            "(slow LVDS mode)",
        ),
        "input_per_fpga": RateLimit(
            rate_hw=125e6,
            scope="fpga",
            source="marocco InputPlacement max_rate_FPGA: 1 pulse per 8 ns FPGA clock",
        ),
        "recording_per_hicann": RateLimit(
            rate_hw=25e6,
            scope="hicann",
            source="sthal FPGA::gbitlink_max_throughput (25 MEvent/s per HICANN); "
            "seed: isolated neurons readable up to 2.5 kHz",
        ),
        "priority_encoder": RateLimit(
            rate_hw=pll_hz / 2,
            scope="neuron_block",
            source="ESS priority_encoder spec: at most 1 pulse per 2 clock cycles",
        ),
        "dnc_merger": RateLimit(
            rate_hw=pll_hz / 2,
            scope="dnc_merger",
            source="ESS merger_timed: 1 event per 2 clk in slow mode, required for "
            "DNC mergers driving sending repeaters",
        ),
        "l1_bus": RateLimit(
            rate_hw=pll_hz / 2,
            scope="l1_bus",
            source="no published L1 bus rate; taken equal to the slow-mode DNC "
            "merger output that feeds the bus",
            assumption=True,
        ),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class Bandwidth:
    """The wafer's rate limits and time scale.

    Parameters
    ----------
    speedup
        Wafer time runs this much faster than biological time (default 1e4).
    pll_hz
        HICANN clock, Hz (default 125 MHz).
    input_utilisation
        Fraction of the input limits input placement may plan for (marocco 0.8).
    limits
        Name -> :class:`RateLimit`; defaults depend on ``pll_hz``.

    Raises
    ------
    WaferSpecError
        If ``speedup`` is not > 0, ``input_utilisation`` is not in (0, 1], or
        ``pll_hz`` is outside the HICANN PLL range 100-250 MHz.

    Examples
    --------
    >>> BANDWIDTH.bio("recording_per_hicann")  # Hz of biological time
    2500.0
    """

    speedup: float = SPEEDUP
    pll_hz: float = DEFAULT_PLL_HZ
    input_utilisation: float = 0.8
    limits: MappingProxyType[str, RateLimit] = field(
        default_factory=lambda: MappingProxyType(_default_limits(DEFAULT_PLL_HZ))
    )

    def __post_init__(self) -> None:
        if not self.speedup > 0:
            raise WaferSpecError(f"speedup {self.speedup} must be positive")
        if not 0 < self.input_utilisation <= 1:
            raise WaferSpecError(
                f"input_utilisation {self.input_utilisation} must be in (0, 1]"
            )
        if not 100e6 <= self.pll_hz <= 250e6:
            raise WaferSpecError(
                f"pll_hz {self.pll_hz} outside the HICANN PLL range 100-250 MHz"
            )

    @classmethod
    def with_pll(cls, pll_hz: float, **kw: float) -> Bandwidth:
        """Return limits for another PLL frequency (clock-derived limits rescale).

        Raises
        ------
        WaferSpecError
            If ``pll_hz`` or a field in ``kw`` is invalid (see :class:`Bandwidth`).
        """
        return cls(
            pll_hz=pll_hz, limits=MappingProxyType(_default_limits(pll_hz)), **kw
        )

    def hw(self, name: str) -> float:
        """Return limit ``name`` in events per second of wafer time.

        Raises
        ------
        WaferSpecError
            If there is no limit called ``name``.
        """
        try:
            return self.limits[name].rate_hw
        except KeyError:
            raise WaferSpecError(
                f"no rate limit {name!r}; known: {sorted(self.limits)}"
            ) from None

    def bio(self, name: str) -> float:
        """Return limit ``name`` as a biological rate (Hz), through ``speedup``.

        Raises
        ------
        WaferSpecError
            If there is no limit called ``name``.
        """
        return self.hw(name) / self.speedup

    def planned_bio(self, name: str) -> float:
        """Return the biological rate input placement may use (limit × utilisation).

        Raises
        ------
        WaferSpecError
            If there is no limit called ``name``.
        """
        return self.bio(name) * self.input_utilisation

    def replace(self, **changes: object) -> Bandwidth:
        """Return a copy with fields replaced (validated again).

        Raises
        ------
        WaferSpecError
            If the copy is invalid (see :class:`Bandwidth`).
        """
        return replace(self, **changes)  # type: ignore[arg-type]


#: The default limits (speed-up 1e4, PLL 125 MHz).
BANDWIDTH: Final = Bandwidth()
