"""``StepReport``: what one adaptation step did, with its rule, source and numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["StepReport"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StepReport:
    """The record of one adaptation step.

    Parameters
    ----------
    step
        The step's name (``"downscale"``, ``"pool_inputs"``, ...).
    formula
        The rule the step applied, in one line.
    source
        Where the rule comes from: a citation, or ``"named assumption: ..."``.
    numbers
        Named values the step computed (sizes before and after, in-degrees, rates,
        factors, clipped counts); stored read-only.
    notes
        Further remarks (what the step leaves unchanged, what it approximates).
    """

    step: str
    formula: str
    source: str
    numbers: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "numbers",
            MappingProxyType({k: float(v) for k, v in self.numbers.items()}),
        )
        object.__setattr__(self, "notes", tuple(self.notes))

    def summary(self) -> str:
        """Return one line: the step, its formula and its first few numbers."""
        shown = ", ".join(f"{k} {v:g}" for k, v in list(self.numbers.items())[:6])
        more = len(self.numbers) - 6
        tail = f", ... (+{more})" if more > 0 else ""
        return f"{self.step}: {self.formula}" + (f" [{shown}{tail}]" if shown else "")
