"""``Step``: one adaptation step, a pure ``Network -> (Network, StepReport)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from twin.adapt.report import StepReport
from twin.network import Network

__all__ = ["Step"]


@dataclass(frozen=True, slots=True)
class Step:
    """A named adaptation step.

    Parameters
    ----------
    name
        The step's name (the rung's label in a ladder).
    apply
        A pure function of the network: returns the adapted network and the report
        of what changed. It never alters its input (networks are frozen).
    """

    name: str
    apply: Callable[[Network], tuple[Network, StepReport]]

    def __call__(self, network: Network) -> tuple[Network, StepReport]:
        """Apply the step to ``network``.

        Raises
        ------
        AdaptError
            If the step cannot be applied to ``network`` (see the step's factory).
        """
        return self.apply(network)
