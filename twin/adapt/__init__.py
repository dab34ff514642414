"""Adapting a network for the wafer: each step a pure ``Network -> (Network, report)``.

The seed's adaptation of Brunel's model (``brunel_bss1.md`` §1.2-1.3) as composable
steps: :func:`downscale`, :func:`set_time_constants`, :func:`pool_inputs`,
:func:`to_conductance`, :func:`scale_weights` (the seed's ``orig_weight``),
:func:`to_wafer_ranges`, :func:`with_variation` and, after mapping,
:func:`compensate_loss`. Each step returns a :class:`Step`; :func:`adapt_steps`
applies a list of them cumulatively and keeps every rung and every
:class:`StepReport`.
"""

from twin.adapt.conductance import to_conductance
from twin.adapt.downscale import downscale
from twin.adapt.loss import compensate_loss
from twin.adapt.pipeline import Adapted, adapt_steps
from twin.adapt.pool import pool_inputs
from twin.adapt.report import StepReport
from twin.adapt.rest import drive_to_rest
from twin.adapt.step import Step
from twin.adapt.time_constants import set_time_constants
from twin.adapt.variation import with_variation
from twin.adapt.wafer_ranges import to_wafer_ranges
from twin.adapt.weights import scale_weights

__all__ = [
    "Adapted",
    "Step",
    "StepReport",
    "adapt_steps",
    "compensate_loss",
    "downscale",
    "drive_to_rest",
    "pool_inputs",
    "scale_weights",
    "set_time_constants",
    "to_conductance",
    "to_wafer_ranges",
    "with_variation",
]
