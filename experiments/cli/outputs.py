"""What a sub-command wrote: the workload's outputs, named on the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["print_outputs"]


def print_outputs(paths: Sequence[Path]) -> None:
    """Say which files a command wrote; show its Markdown reports on the terminal.

    Parameters
    ----------
    paths
        The files written, in order (a workload's outputs,
        :func:`experiments.runs.workload.write_outputs`); a ``.md`` file's text is
        printed before the line that names it.
    """
    for path in paths:
        if path.suffix == ".md":
            print(path.read_text(encoding="utf-8"), end="")
        print(f"wrote {path}")
