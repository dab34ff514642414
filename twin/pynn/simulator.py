"""The backend's session: PyNN's one mutable simulator state, kept inside ``twin.pynn``.

``state`` holds what a PyNN script has built (populations and projections, in creation
order), the twin's options from :func:`twin.pynn.setup` (fidelity tier, wafer, mapping
and hardware settings, seed, precision) and the result of the last emulation.

Time. The state counts whole steps; ``t`` is ``step · dt``. A run goes to a grid time
(NEST's rule, :class:`twin.timegrid.TimeGrid`). A second ``run`` continues from the
state the first one reached (:mod:`twin.pynn.engine`), with the network as it is then:
changed spike times, rates, parameters or connections act from that time on.

Delays. A projection stores the delays it realises (NEST's step grid and limits,
:mod:`twin.pynn.validation`); ``get_min_delay``/``get_max_delay`` give the limits set
in ``setup`` on the grid, or with ``"auto"`` the extreme delays so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pyNN import common

from twin.errors import UnsupportedError
from twin.hardware import HardwareConfig
from twin.pynn.reuse import Reuse
from twin.pynn.validation import limit_steps, realised_delays, step_ms
from twin.routing import MappingConfig
from twin.tiers import IDEAL, Fidelity, behaviour
from twin.timegrid import TimeGrid
from twin.wafer import Wafer

if TYPE_CHECKING:
    from twin.pynn.emulation import Emulation

__all__ = ["ID", "Options", "Reuse", "State", "name", "state"]

#: The simulator's name in PyNN's metadata (``Block.annotations["simulator"]``).
name = "BrainScaleS-1 twin"


class ID(int, common.IDMixin):
    """A cell's id: an integer that knows its population (PyNN's ``IDMixin``)."""

    def __init__(self, n: int) -> None:
        int.__init__(n)
        common.IDMixin.__init__(self)


@dataclass(frozen=True, slots=True)
class Options:
    """The twin's settings of a session (arguments of :func:`twin.pynn.setup`).

    Parameters
    ----------
    fidelity
        ``"ideal"``, ``"mapped"`` or ``"hardware"`` (:mod:`twin.tiers`; the theory
        tiers give no spikes and are refused).

    Raises
    ------
    ConfigError
        If ``fidelity`` is not a tier name.
    UnsupportedError
        If ``fidelity`` is a theory tier.
    wafer
        The wafer to map on (mapped and hardware tiers; default: a perfect wafer).
    mapping
        Mapping settings (default: ``MappingConfig()``).
    hardware
        Hardware-tier settings (default: ``HardwareConfig()``).
    seed
        Seed of the emulator's random streams (Poisson sources) and of the mapping.
    dtype
        Emulator precision, ``"float32"`` or ``"float64"``.
    """

    fidelity: Fidelity = IDEAL
    wafer: Wafer | None = None
    mapping: MappingConfig | None = None
    hardware: HardwareConfig | None = None
    seed: int = 0
    dtype: Literal["float32", "float64"] = "float32"

    def __post_init__(self) -> None:
        if behaviour(self.fidelity).theory:
            raise UnsupportedError(
                f"fidelity={self.fidelity!r} computes rates by mean-field theory, a "
                "PyNN run needs spikes; use 'ideal', 'mapped' or 'hardware' here, and "
                "twin.theory.rates_of(network) or `twin brunel --fidelity "
                f"{self.fidelity}` for theory"
            )


@dataclass(slots=True)
class _Structure:
    """What a script has built, in creation order."""

    populations: list[Any] = field(default_factory=list)
    projections: list[Any] = field(default_factory=list)


class State(common.control.BaseState):
    """The simulator state PyNN's common layer reads and drives."""

    def __init__(self) -> None:
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.requested_min_delay: float | str = "auto"
        self.requested_max_delay: float | str = "auto"
        self.options = Options()
        self.reuse = Reuse()  # kept across setup(): pure results only
        self.clear()

    @property
    def min_delay(self) -> float:
        """The smallest delay, ms: as set, or (``"auto"``) of all connections so far.

        A limit set in ``setup`` is given on the grid, as NEST does. With
        ``"auto"`` and no connection yet it is one time step (as NEST).
        """
        if self.requested_min_delay != "auto":
            return self._limit_ms(self.requested_min_delay, upper=False)
        return self._extreme_delay(min, self.dt)

    @min_delay.setter
    def min_delay(self, value: float | str) -> None:
        """Keep the smallest delay given to ``setup``.

        Parameters
        ----------
        value
            The limit, ms, or ``"auto"``; put on the grid when read.
        """
        self.requested_min_delay = value

    @property
    def max_delay(self) -> float:
        """The largest delay, ms: as set (on the grid), or of all connections so far."""
        if self.requested_max_delay != "auto":
            return self._limit_ms(self.requested_max_delay, upper=True)
        return self._extreme_delay(max, self.min_delay)

    @max_delay.setter
    def max_delay(self, value: float | str) -> None:
        """Keep the largest delay given to ``setup``.

        Parameters
        ----------
        value
            The limit, ms, or ``"auto"``; put on the grid when read.
        """
        self.requested_max_delay = value

    def _limit_ms(self, value: float | str, upper: bool) -> float:
        """Return a delay limit given to ``setup`` on the grid, ms."""
        steps = limit_steps(value, self.grid, upper=upper)
        assert steps is not None, "called for a limit the user set"
        return float(step_ms(steps, self.grid))

    def _extreme_delay(self, pick: Any, default: float) -> float:
        """Return the smallest or largest (realised) delay of all connections."""
        delays = [p.coo()[3] for p in self.structure.projections if len(p)]
        if not delays:
            return default
        return float(pick(float(pick(x)) for x in delays))

    def realised_delays(self, delays: Any, context: str) -> np.ndarray:
        """Return delays as the session realises them, ms (NEST's rules).

        Parameters
        ----------
        delays
            Requested delays, ms, any shape.
        context
            What the delays belong to, for the error message.

        Returns
        -------
        numpy.ndarray
            The realised delays, ms, same shape: on the step grid, within the
            limits given to ``setup``.

        Raises
        ------
        InvalidConnectionError
            For a delay NEST refuses: under one step, or outside the limits given
            to ``setup`` (:func:`twin.pynn.validation.realised_delays`).
        """
        return realised_delays(
            delays,
            self.grid,
            self.requested_min_delay,
            self.requested_max_delay,
            context,
        )

    @property
    def t(self) -> float:
        """Current time, ms (``step · dt``)."""
        return self.grid.session_ms(self.step)

    @property
    def grid(self) -> TimeGrid:
        """The step grid of the session."""
        return TimeGrid(self.dt)

    def clear(self) -> None:
        """Forget everything built (a new ``setup``)."""
        self.recorders = set[Any]()
        self.structure = _Structure()
        self.id_counter = 0
        self.segment_counter = -1
        self.reset()

    def reset(self) -> None:
        """Return to t = 0 (a new segment); the network is kept."""
        self.running = False
        self.step = 0
        self.t_start = 0
        self.segment_counter += 1
        self.emulation: Emulation | None = None

    def run_until(self, tstop: float) -> None:
        """Advance to ``tstop`` ms (a grid time, see the module docstring).

        Emulates from the end of the last run on a snapshot of the session
        (:func:`twin.pynn.snapshot.snapshot`, :func:`twin.pynn.engine.emulate`), then
        forgets the values ``initialize`` set (they have been applied; a run that
        raises keeps them for the next).

        Parameters
        ----------
        tstop
            The session time to run to, ms; nothing runs if it is not later than
            the current time.

        Raises
        ------
        ConfigError
            If ``tstop`` is not a whole number of steps.
        UnsupportedError
            If the network uses a feature the twin does not emulate, or changed
            in a way a run cannot continue with (see :mod:`twin.pynn.engine`).
        """
        from twin.pynn.engine import emulate
        from twin.pynn.snapshot import snapshot

        steps = self.grid.run_steps(tstop)
        if steps > self.step:
            self.emulation = emulate(snapshot(self), steps, self.reuse)
            for pop in self.structure.populations:
                pop._reinit.clear()  # applied: the initial values or resumed state
        self.step = max(steps, self.step)
        self.running = True


#: The session of this process (PyNN's backends each have one).
state = State()
