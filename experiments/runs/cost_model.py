"""What a sweep's units cost: a prior per unit, corrected by the units seen running.

A unit's predicted wall time (seconds, one worker) is

``fixed + steps * per_step``, ``per_step = speed(class) * prior_step(unit)``,

- ``steps``: the simulated time steps of the unit's run (``t_stop / dt``);
- ``prior_step``: the prior's seconds per step, :data:`REF_STEP_S` scaled by the
  network's size (``neurons + synapses / 100`` against the seed network's), by the
  variants per device (``OVERHEAD_LANES + lanes`` against the seed sweep's 8 lanes:
  a step has a small cost of its own, shared by the variants) and by the tier
  (:data:`TIER_FACTOR`);
- ``speed(class)``: the measured seconds per step over the prior's, from the units of
  the same class (tier kind and network size) seen so far (steps-weighted); a class
  not yet seen takes the ratio over every class seen, and before any unit was seen 1;
- ``fixed``: compilation (the first unit of a class and variant count) and mappings
  (the unit's new mapping tasks): the fixed part measured for a unit of the same class
  with the same compile and mapping work, else the prior's (:data:`COMPILE_S`,
  :data:`MAP_S`) times the ratio of measured to prior fixed parts seen so far.

The model is rough by design: its constants are the seed sweep's figures on the
2-core reference machine (BENCHMARKS.md, 2026-12-01) and it learns the machine's
speed and each class's cost from the first unit of the class that reports progress.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from twin.tiers import THEORY

__all__ = [
    "COMPILE_S",
    "MAP_S",
    "OVERHEAD_LANES",
    "REF_STEP_S",
    "TIER_FACTOR",
    "CostModel",
    "Observation",
    "UnitCost",
    "prior_fixed",
    "prior_step",
]

#: Seconds per step of the seed network's ideal tier, 16 variants over 2 devices:
#: the seed sweep's run, 43.5 s for 100,000 steps (BENCHMARKS.md, 2026-12-01).
REF_STEP_S: Final = 43.5 / 100_000
#: The seed network's size, ``neurons + synapses / 100`` (2,083 neurons, 847,781
#: synapses).
REF_SIZE: Final = 2_083 + 847_781 / 100
#: Variants per device of the reference (16 variants, 2 devices).
REF_LANES: Final = 8
#: A step's own cost in variants per device. Fitted with :data:`TIER_FACTOR` to two
#: sweeps of the seed (16 points, 10 s, three tiers, five units: the ideal tier's 16
#: variants, per wafer tier 14 and 2): the units after the ideal one took 2.84 times
#: its time (188 s of sweep, BENCHMARKS.md, 2026-12-01) and 2.76 times on a slower
#: machine (issue #28: the ideal unit done at 101 s of 380 s); this prior gives 2.96.
#: ``benchmarks/tiers.py`` (2026-11-25) agrees: a wafer tier's 14 + 2 variants cost
#: about the ideal tier's 16 per step (overhead below one variant per device).
OVERHEAD_LANES: Final = 1.0
#: Per-step cost of a tier relative to the ideal tier (mapped: same emulator, about
#: as many synapses; hardware: the in-run bandwidth limits, 1.15 from the figures
#: above; theory: no steps; NEST: not measured, taken as 1).
TIER_FACTOR: Final = {
    "ideal": 1.0,
    "mapped": 1.0,
    "hardware": 1.15,
    "theory": 0.0,
    "nest": 1.0,
}
#: Compilation of a unit's emulator program, s (the seed sweep: 4.5 s).
COMPILE_S: Final = 4.5
#: One wafer mapping, s (BENCHMARKS.md: about 5 s per mapping).
MAP_S: Final = 5.0
#: A theory tier's stationary rates per point, s (16 points in 2.1 s).
THEORY_S: Final = 0.15


@dataclass(frozen=True, slots=True)
class UnitCost:
    """What the cost model knows of a unit before it runs.

    Attributes
    ----------
    kind
        ``"ideal"``, ``"mapped"``, ``"hardware"``, ``"theory"`` or ``"nest"``.
    neurons, synapses
        Size of the unit's network (its realisation's, one variant).
    steps
        Simulated time steps of the run.
    variants
        Networks emulated together (points x stacked tiers).
    devices
        Devices the variants are spread over (1 on a Dask worker or NEST).
    compiles
        Whether the unit compiles its program (first of its class and variants).
    maps
        Mapping tasks the unit computes first.
    """

    kind: str
    neurons: int
    synapses: int
    steps: int
    variants: int = 1
    devices: int = 1
    compiles: bool = False
    maps: int = 0

    @property
    def cls(self) -> tuple[str, int, int]:
        """The class whose units share a per-step cost: tier kind and network size."""
        return (self.kind, self.neurons, self.synapses)

    @property
    def lanes(self) -> int:
        """Variants per device (at least 1)."""
        return max(1, math.ceil(self.variants / max(self.devices, 1)))

    @property
    def setup(self) -> tuple[tuple[str, int, int], bool, int]:
        """The class and the fixed work: equal setups cost the same fixed part."""
        return (self.cls, self.compiles, self.maps)


def prior_step(unit: UnitCost) -> float:
    """Return the prior's seconds per simulated step of ``unit`` (see module)."""
    size = (unit.neurons + unit.synapses / 100) / REF_SIZE
    lanes = (OVERHEAD_LANES + unit.lanes) / (OVERHEAD_LANES + REF_LANES)
    return REF_STEP_S * size * lanes * TIER_FACTOR.get(unit.kind, 1.0)


def prior_fixed(unit: UnitCost) -> float:
    """Return the prior's fixed seconds of ``unit``: compilation, mappings, theory."""
    theory = THEORY_S * unit.variants if unit.kind == THEORY else 0.0
    return COMPILE_S * unit.compiles + MAP_S * unit.maps + theory


@dataclass(frozen=True, slots=True)
class Observation:
    """A unit's measured cost (a finished unit, or a running one so far).

    Attributes
    ----------
    unit
        The unit.
    per_step
        Measured seconds per simulated step (``None``: not measured).
    fixed
        Measured fixed seconds before its first step (``None``: not measured).
    """

    unit: UnitCost
    per_step: float | None
    fixed: float | None


def _ratio(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Return sum(measured) / sum(prior) of ``(measured, prior)`` pairs, if any."""
    prior = sum(p for _, p in pairs)
    return sum(m for m, _ in pairs) / prior if prior > 0 else None


@dataclass(frozen=True, slots=True)
class CostModel:
    """Predicted unit costs from the prior and the units measured so far.

    Attributes
    ----------
    seen
        The measurements (one per unit; a later one of the same unit replaces it).
    """

    seen: tuple[tuple[int, Observation], ...] = ()

    def learn(self, key: int, observation: Observation) -> CostModel:
        """Return the model with unit ``key``'s measurement set to ``observation``."""
        kept = tuple((k, o) for k, o in self.seen if k != key)
        return replace(self, seen=(*kept, (key, observation)))

    def speed(self, unit: UnitCost) -> float:
        """Return the measured over the prior's per-step cost for ``unit``'s class.

        Steps-weighted over the class's units; a class not seen: over all units;
        nothing seen: 1.
        """
        pairs = [
            (o.per_step * o.unit.steps, prior_step(o.unit) * o.unit.steps, o.unit.cls)
            for _, o in self.seen
            if o.per_step is not None
        ]
        mine = _ratio([(m, p) for m, p, c in pairs if c == unit.cls])
        if mine is not None:
            return mine
        return _ratio([(m, p) for m, p, _ in pairs]) or 1.0

    def fixed(self, unit: UnitCost) -> float:
        """Return the predicted fixed seconds of ``unit`` (see module)."""
        fixed = [(o.fixed, o.unit) for _, o in self.seen if o.fixed is not None]
        same = [f for f, u in fixed if u.setup == unit.setup]
        if same:
            return sum(same) / len(same)
        scale = _ratio([(f, prior_fixed(u)) for f, u in fixed]) or 1.0
        return scale * prior_fixed(unit)

    def per_step(self, unit: UnitCost) -> float:
        """Return the predicted seconds per simulated step of ``unit``."""
        return self.speed(unit) * prior_step(unit)

    def predict(self, unit: UnitCost) -> float:
        """Return the predicted wall seconds of ``unit`` on one worker."""
        return self.fixed(unit) + unit.steps * self.per_step(unit)
