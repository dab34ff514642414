"""The ``twin`` command line: one entry point with a sub-command per job.

One module per sub-command (``add_parser`` and its ``_cmd_*``). User mistakes (bad
option values, unreadable files) end with one line on stderr and exit code 2, never a
traceback.
"""

from __future__ import annotations

import os

# The emulator splits a batch over the local XLA devices; on a CPU host make one device
# per core. Must happen before JAX starts; an XLA_FLAGS set by the user wins.
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count() or 1}"
)

import argparse
import sys
from collections.abc import Sequence

from experiments.cli import (
    adapt,
    brunel,
    calibrate,
    compare,
    job,
    map,
    microcircuit,
    theory,
    wafer,
)
from experiments.cli.common import Parser
from twin.errors import TwinError

__all__ = ["build_parser", "main"]

#: The sub-commands, in the order of ``twin --help``.
COMMANDS = (wafer, map, brunel, microcircuit, adapt, theory, calibrate, compare, job)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``twin`` command.

    Returns
    -------
    argparse.ArgumentParser
        A :class:`experiments.cli.common.Parser` with one required sub-command per
        module of :data:`COMMANDS`; each sub-command sets ``func``, its handler.
    """
    parser = Parser(prog="twin", description="Digital twin of the BrainScaleS-1 wafer.")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``twin`` command; return the exit code.

    Parameters
    ----------
    argv
        The arguments after ``twin``; ``None``: the command line (``sys.argv[1:]``).

    Returns
    -------
    int
        The sub-command's exit code; 2 after a :class:`twin.errors.TwinError` (its
        message printed as one line on stderr), 1 when the reader of stdout went
        away (``BrokenPipeError``), 130 on Ctrl-C.

    Raises
    ------
    SystemExit
        From parsing: code 2 with one line on stderr for a usage error, 0 after
        ``--help``.
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TwinError as err:
        print(f"twin {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. output piped into `head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(
            f"twin {args.command}: interrupted; finished results are kept",
            file=sys.stderr,
        )
        return 130
