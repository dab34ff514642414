"""A test leaves JAX's global settings as it found them.

JAX's settings (``jax.config``) are global to the process: a test that switches
64-bit floats off and does not switch them back changes every later test on the same
pytest-xdist worker, so failures would depend on the scheduling. The suite's autouse
fixture (``tests/conftest.py``) records :data:`GUARDED` before each test and, after
it, restores any that changed and fails the test naming them.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import pytest

__all__ = ["GUARDED", "changed", "restore_or_fail", "snapshot"]

#: The settings a test must not leave changed.
GUARDED = (
    "jax_enable_x64",
    "jax_threefry_partitionable",
    "jax_disable_jit",
    "jax_debug_nans",
)


def snapshot() -> dict[str, object]:
    """Return the current value of every setting of :data:`GUARDED`."""
    return {name: getattr(jax.config, name) for name in GUARDED}


def changed(
    before: Mapping[str, object], after: Mapping[str, object]
) -> dict[str, tuple[object, object]]:
    """Return ``{setting: (before, after)}`` of the settings whose value changed."""
    return {k: (before[k], after[k]) for k in before if after[k] != before[k]}


def restore_or_fail(before: Mapping[str, object]) -> None:
    """Restore the settings that differ from ``before``; fail the test if any did.

    Raises
    ------
    pytest.fail.Exception
        If a setting of :data:`GUARDED` differs from ``before`` (it is restored
        first, so later tests see the suite's settings).
    """
    diff = changed(before, snapshot())
    for name, (old, _) in diff.items():
        jax.config.update(name, old)
    if diff:
        left = ", ".join(
            f"{k} = {new!r} (found {old!r})" for k, (old, new) in diff.items()
        )
        pytest.fail(
            f"the test left JAX's global settings changed: {left}; restore what it "
            "changes (save the value in a fixture and set it back after the test)",
            pytrace=False,
        )
