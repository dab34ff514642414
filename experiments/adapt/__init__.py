"""The adaptation ladder's outputs: ``ladder.csv``, ``ladder.md`` and ``ladder.png``.

:mod:`experiments.adapt.files` writes and reads the table and writes the Markdown
summary (the rate after each rung and its change, the step that moves it most, the
fitted weight factor, the wafer's own time); :mod:`experiments.adapt.plot` draws the
rate against the rungs.
"""

from experiments.adapt.files import (
    CSV_NAME,
    MD_NAME,
    PNG_NAME,
    ladder_markdown,
    read_ladder_csv,
    write_ladder,
)

__all__ = [
    "CSV_NAME",
    "MD_NAME",
    "PNG_NAME",
    "ladder_markdown",
    "read_ladder_csv",
    "write_ladder",
]
