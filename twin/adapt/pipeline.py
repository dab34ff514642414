"""``adapt_steps``: apply adaptation steps cumulatively, keeping every rung."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.network import Network

__all__ = ["Adapted", "adapt_steps"]


@dataclass(frozen=True, slots=True)
class Adapted:
    """A network and the networks after each cumulative adaptation step.

    Parameters
    ----------
    original
        The network before any step.
    rungs
        ``(step name, network after this and every earlier step)``, in order.
    reports
        One report per step, in order.
    """

    original: Network
    rungs: tuple[tuple[str, Network], ...]
    reports: tuple[StepReport, ...]

    @property
    def network(self) -> Network:
        """The fully adapted network (the original if no step was applied)."""
        return self.rungs[-1][1] if self.rungs else self.original

    def rung(self, name: str) -> Network:
        """Return the network after the step called ``name``.

        Raises
        ------
        KeyError
            If no step is called ``name``.
        """
        for step, network in self.rungs:
            if step == name:
                return network
        raise KeyError(f"no step {name!r}; steps: {[s for s, _ in self.rungs]}")


def adapt_steps(network: Network, steps: Iterable[Step]) -> Adapted:
    """Apply ``steps`` in order, each to the result of the one before.

    Parameters
    ----------
    network
        The original network.
    steps
        The adaptation steps.

    Returns
    -------
    Adapted
        The original, every rung and every report.

    Raises
    ------
    AdaptError
        If a step cannot be applied to the network it receives.
    """
    rungs: list[tuple[str, Network]] = []
    reports: list[StepReport] = []
    current = network
    for step in steps:
        current, report = step(current)
        rungs.append((step.name, current))
        reports.append(report)
    return Adapted(original=network, rungs=tuple(rungs), reports=tuple(reports))
