"""``twin microcircuit``: the cortical microcircuit on the twin's tiers (placeholder)."""

from __future__ import annotations

from typing import Any


def add_parser(sub: Any) -> None:
    """Add the sub-command to the ``twin`` parser's sub-parsers (not yet)."""
