"""The wafer's own time for a run: configuration, emulation at the speed-up, readout.

What a run of ``t_stop`` ms of biological time would cost on a BrainScaleS-1 wafer,
beside the twin's (and NEST's) wall time:

- **configuration**: the first set-up of a network takes "approximately one minute";
  "subsequent adjustments, such as modifying inputs or reprogramming weights, are
  completed within seconds" (the seed page, ``random_network.rst``, results
  discussion; ``reference/brunel_bss1.md`` §1.6). A sweep whose points differ only in
  weights and inputs (the seed's hardware loop: per mapping a set-up, per point a
  weight or input change, §1.4) pays the set-up once per mapping;
- **emulation**: ``t_stop / speedup`` of wall time, speed-up 10^4 (marocco's default,
  ``reference/bss1_hardware.md`` §3.2; 10 s biological -> 1 ms, ``brunel_bss1.md``
  §1.3), :data:`twin.units.SPEEDUP`;
- **readout**: the recorded spikes as 32-bit L2 events (``bss1_hardware.md`` §2, ESS
  ``L2_EVENT_WIDTH`` 32) over the host link, plus a fixed per-run overhead. Neither
  the link's throughput nor the overhead is in the sources: both are named
  assumptions (:class:`CostAssumptions`) with their values.

The seed gives no number for "within seconds": :attr:`CostAssumptions.reconfigure_s`
is a named assumption too. Every number is a field of :class:`CostAssumptions`, so a
user with better numbers passes their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from twin.errors import ConfigError
from twin.units import SPEEDUP

__all__ = [
    "COST_ASSUMPTIONS",
    "L2_EVENT_BYTES",
    "CostAssumptions",
    "WaferCost",
    "wafer_cost",
]

#: Bytes of one L2 spike event: 32 bits (ESS ``L2_EVENT_WIDTH``; 12-bit label and
#: 15-bit timestamp, ``reference/bss1_hardware.md`` §2).
L2_EVENT_BYTES: Final = 4


@dataclass(frozen=True, slots=True)
class CostAssumptions:
    """The numbers behind :func:`wafer_cost`, each with its source or as an assumption.

    Attributes
    ----------
    first_setup_s
        First configuration of a network on the wafer, s: 60 ("approximately one
        minute", the seed page).
    reconfigure_s
        A weight or input change between runs, s. The seed: "within seconds";
        **assumed** 5 s (no number given).
    speedup
        Wafer time per biological time: :data:`twin.units.SPEEDUP` (10^4, marocco's
        default).
    readout_overhead_s
        Fixed per-run cost of reading the recorded spikes back, s. **Assumed** 1 s
        (not in the sources).
    host_link_bytes_per_s
        Throughput of the spikes' way from the wafer's FPGAs to the host, bytes/s.
        **Assumed** 125e6 (one 1 Gbit/s Ethernet link; not in the sources).

    Raises
    ------
    ConfigError
        If a time is negative, or the speed-up or the throughput is not positive.
    """

    first_setup_s: float = 60.0
    reconfigure_s: float = 5.0
    speedup: float = SPEEDUP
    readout_overhead_s: float = 1.0
    host_link_bytes_per_s: float = 125e6

    def __post_init__(self) -> None:
        for name in ("first_setup_s", "reconfigure_s", "readout_overhead_s"):
            if not getattr(self, name) >= 0:
                raise ConfigError(
                    f"cost assumption {name} = {getattr(self, name)!r} s; give a "
                    "time >= 0"
                )
        for name in ("speedup", "host_link_bytes_per_s"):
            if not getattr(self, name) > 0:
                raise ConfigError(
                    f"cost assumption {name} = {getattr(self, name)!r}; give a "
                    "value > 0"
                )


#: The default numbers (the seed's, and the named assumptions).
COST_ASSUMPTIONS: Final = CostAssumptions()


@dataclass(frozen=True, slots=True)
class WaferCost:
    """Wall time on the wafer for a run or a sweep of runs, s.

    Attributes
    ----------
    configuration_s
        Set-ups and weight/input changes.
    emulation_s
        The emulated biological time divided by the speed-up.
    readout_s
        Reading the recorded spikes back.
    runs
        Runs counted.
    setups
        Of which first set-ups (a new network or mapping).
    assumptions
        The numbers it was computed with.
    """

    configuration_s: float
    emulation_s: float
    readout_s: float
    runs: int
    setups: int
    assumptions: CostAssumptions = COST_ASSUMPTIONS

    @property
    def total_s(self) -> float:
        """Configuration + emulation + readout, s."""
        return self.configuration_s + self.emulation_s + self.readout_s

    def lines(self) -> tuple[str, ...]:
        """Return the cost as short text lines (for a command's output)."""
        a = self.assumptions
        return (
            f"on the wafer ({self.runs} run(s), {self.setups} set-up(s)): "
            f"~{self.total_s:.4g} s wall",
            f"  configuration {self.configuration_s:.4g} s (set-up "
            f"{a.first_setup_s:g} s: seed page 'approximately one minute'; a "
            f"weight/input change {a.reconfigure_s:g} s: 'within seconds', assumed)",
            f"  emulation {self.emulation_s:.4g} s (speed-up {a.speedup:g})",
            f"  readout {self.readout_s:.4g} s (assumed: {a.readout_overhead_s:g} s "
            f"per run + 4 B per spike at {a.host_link_bytes_per_s * 8e-9:g} Gbit/s)",
        )


def wafer_cost(
    t_stop: float,
    *,
    runs: int = 1,
    setups: int = 1,
    recorded_spikes: int = 0,
    assumptions: CostAssumptions = COST_ASSUMPTIONS,
) -> WaferCost:
    """Return what ``runs`` runs of ``t_stop`` ms each would cost on the wafer.

    ``configuration = setups * first_setup_s + (runs - setups) * reconfigure_s``,
    ``emulation = runs * t_stop * 1e-3 / speedup``, ``readout = runs *
    readout_overhead_s + recorded_spikes * 4 B / host_link_bytes_per_s``.

    Parameters
    ----------
    t_stop
        Biological time of one run, ms (> 0).
    runs
        Number of runs (>= 1), e.g. the points of a sweep.
    setups
        How many of them start with a first set-up (a new network or mapping), in
        ``[1, runs]``; the others change weights or inputs only (the seed's
        loop). ``setups = runs`` for runs of different networks.
    recorded_spikes
        Spikes read back over all runs (>= 0).
    assumptions
        The numbers (default :data:`COST_ASSUMPTIONS`).

    Returns
    -------
    WaferCost
        The three parts, s.

    Raises
    ------
    ConfigError
        If ``t_stop <= 0``, ``runs < 1``, ``setups`` outside ``[1, runs]`` or
        ``recorded_spikes < 0``.

    Examples
    --------
    >>> c = wafer_cost(10_000.0)
    >>> c.configuration_s, c.emulation_s, c.readout_s
    (60.0, 0.001, 1.0)
    """
    if not t_stop > 0:
        raise ConfigError(f"t_stop = {t_stop!r} ms; give a run length > 0")
    if runs < 1 or not 1 <= setups <= runs:
        raise ConfigError(
            f"runs = {runs!r}, setups = {setups!r}; give runs >= 1 and setups in "
            "[1, runs]"
        )
    if recorded_spikes < 0:
        raise ConfigError(f"recorded_spikes = {recorded_spikes!r}; give a count >= 0")
    a = assumptions
    configuration = setups * a.first_setup_s + (runs - setups) * a.reconfigure_s
    emulation = runs * t_stop * 1e-3 / a.speedup
    readout = (
        runs * a.readout_overhead_s
        + recorded_spikes * L2_EVENT_BYTES / a.host_link_bytes_per_s
    )
    return WaferCost(configuration, emulation, readout, runs, setups, a)
