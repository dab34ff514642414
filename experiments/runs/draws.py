"""Normal draws redrawn outside bounds, with PyNN's semantics: :mod:`twin.adapt.draws`.

The functions live with the variation step of :mod:`twin.adapt`, which draws the
calibration spreads with the same rules; the workloads import them from here.
"""

from __future__ import annotations

from twin.adapt.draws import (
    MAX_REDRAWS,
    MIN_ACCEPTANCE,
    check_clipped_normal,
    clipped_normal_acceptance,
    normal_clipped,
    redraw,
)

__all__ = [
    "MAX_REDRAWS",
    "MIN_ACCEPTANCE",
    "check_clipped_normal",
    "clipped_normal_acceptance",
    "normal_clipped",
    "redraw",
]
