"""XLA's CPU arithmetic without fused multiply-adds: one rounding per operation.

XLA's CPU compiler contracts a multiplication and an addition into one fused
multiply-add (FMA) wherever the processor has the instruction, and which pairs it
contracts depends on how it fuses a computation. Results then differ in their last
bits between hosts with and without FMA and between two programs that compute the
same operations, which is what the emulator's native block step must match
(:mod:`twin.analog.fast`). Capping the instruction set at AVX keeps 256-bit vectors
but emits no FMA: every operation rounds once, as IEEE 754 and the C++ handlers
(compiled with ``-ffp-contract=off``) do.

Importing this module (which importing :mod:`twin` does first) calls
:func:`prefer_exact_arithmetic`; it takes effect if
XLA's CPU backend has not started yet in the process (XLA reads ``XLA_FLAGS`` once,
when the backend starts). This module imports nothing heavy.
"""

from __future__ import annotations

import os
import platform
from typing import Final

__all__ = ["EXACT_ISA", "prefer_exact_arithmetic"]

#: The XLA flag capping the CPU instruction set below FMA (x86-64).
EXACT_ISA: Final = "--xla_cpu_max_isa=AVX"


def prefer_exact_arithmetic() -> None:
    """Add :data:`EXACT_ISA` to ``XLA_FLAGS`` on x86-64 unless an ISA is named there.

    A cap the user set (``--xla_cpu_max_isa=...`` in ``XLA_FLAGS``) is kept; on other
    architectures (where FMA is part of the base instruction set) nothing changes.
    """
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_cpu_max_isa" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {EXACT_ISA}".strip()


prefer_exact_arithmetic()
