"""Shared pieces of the ``twin`` sub-commands: argument types, executors, errors."""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

from twin.errors import ConfigError, TwinError

if TYPE_CHECKING:
    from experiments.runs.executor import Executor

__all__ = [
    "Parser",
    "add_executor_options",
    "add_reuse_option",
    "int_list",
    "non_negative_float",
    "positive_float",
    "positive_int",
    "positive_list",
    "sweep_executor",
    "tiers_arg",
]


def positive_float(text: str) -> float:
    """Parse a number > 0 (an argparse type).

    Parameters
    ----------
    text
        The option's value as given.

    Returns
    -------
    float
        The number (``inf`` is accepted).

    Raises
    ------
    argparse.ArgumentTypeError
        If ``text`` is not a number, or not > 0 (``nan`` included).
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be > 0")
    return value


def non_negative_float(text: str) -> float:
    """Parse a finite number >= 0 (an argparse type).

    Parameters
    ----------
    text
        The option's value as given.

    Returns
    -------
    float
        The number.

    Raises
    ------
    argparse.ArgumentTypeError
        If ``text`` is not such a number.
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return value


def positive_list(text: str) -> tuple[float, ...]:
    """Parse a comma list of numbers > 0 (an argparse type).

    Parameters
    ----------
    text
        The option's value, e.g. ``"1.5,2,4"``; empty items are skipped.

    Returns
    -------
    tuple of float
        The numbers, in the given order (repeats kept).

    Raises
    ------
    argparse.ArgumentTypeError
        If an item is not a number > 0, or there is none.
    """
    values = tuple(positive_float(part) for part in text.split(",") if part.strip())
    if not values:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least one value")
    return values


def positive_int(text: str) -> int:
    """Parse an integer >= 1 (an argparse type).

    Parameters
    ----------
    text
        The option's value as given.

    Returns
    -------
    int
        The integer.

    Raises
    ------
    argparse.ArgumentTypeError
        If ``text`` is not an integer, or is below 1.
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def int_list(text: str) -> tuple[int, ...]:
    """Parse a comma list of integers >= 0 (an argparse type).

    Parameters
    ----------
    text
        The option's value, e.g. ``"1,2,5"``; empty items are skipped.

    Returns
    -------
    tuple of int
        The integers in the given order, each once (later repeats dropped).

    Raises
    ------
    argparse.ArgumentTypeError
        If an item is not an integer, one is negative, or there is none.
    """
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma list of integers"
        ) from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give integers >= 0")
    return tuple(dict.fromkeys(values))


def tiers_arg(text: str) -> list[str]:
    """Parse a fidelity list (an argparse type).

    Parameters
    ----------
    text
        Comma-separated tier names (``ideal``, ``mapped``, ``hardware``), or
        ``all`` for every tier (:func:`twin.tiers.parse_fidelities`).

    Returns
    -------
    list of str
        The tier names, in the given order.

    Raises
    ------
    argparse.ArgumentTypeError
        If a name is not a tier (the :class:`twin.errors.ConfigError` message).
    """
    from twin.tiers import parse_fidelities

    try:
        return list(parse_fidelities(text))
    except TwinError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--scheduler``, ``--workers`` and ``--batch`` (where units run).

    :func:`sweep_executor` reads ``--scheduler`` and ``--workers``.

    Parameters
    ----------
    parser
        The (sub-command) parser; the options form its group "running on a Dask
        cluster".
    """
    group = parser.add_argument_group("running on a Dask cluster")
    group.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="send the units to the Dask scheduler at ADDR (e.g. tcp://host:8786); "
        "its workers need this package and XLA_FLAGS (docs/scale_out.md)",
    )
    group.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="run the units on a local Dask cluster of N single-threaded worker "
        "processes (default: one after the other in this process)",
    )
    group.add_argument(
        "--batch",
        type=positive_int,
        metavar="N",
        help="at most N points per emulator call (default: every point of a "
        "realisation in one batched call); smaller units spread over more workers",
    )


def add_reuse_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--reuse-stale``: reuse points computed by other code, knowingly.

    Parameters
    ----------
    parser
        The (sub-command) parser to add the flag to.
    """
    parser.add_argument(
        "--reuse-stale",
        action="store_true",
        help="reuse points in OUT/points computed by another version of the twin "
        "or changed source (refused by default: delete OUT/points to compute them "
        "again); a warning names each folder reused and results.parquet the code "
        "of each row",
    )


@contextmanager
def sweep_executor(args: argparse.Namespace) -> Iterator[Executor | None]:
    """Yield the executor ``--scheduler`` / ``--workers`` ask for (else ``None``).

    Parameters
    ----------
    args
        The parsed options.

    Returns
    -------
    contextlib.AbstractContextManager
        Yields the Dask executor (closed on exit), or ``None`` for the serial one.

    Raises
    ------
    ConfigError
        If both are given, or no scheduler answers at ``--scheduler``.
    """
    scheduler: str | None = getattr(args, "scheduler", None)
    workers: int | None = getattr(args, "workers", None)
    if scheduler and workers:
        raise ConfigError(
            "give either --scheduler ADDR (a running cluster) or --workers N (a "
            "local one), not both"
        )
    if not (scheduler or workers):
        yield None
        return
    from experiments.runs.dask_executor import connect_executor, local_executor

    if scheduler:
        with connect_executor(scheduler) as ex:
            yield ex
    elif workers:
        with local_executor(workers) as ex:
            yield ex


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (and exit code 2)."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem and where help is, then exit 2.

        Parameters
        ----------
        message
            argparse's description of the usage error.

        Raises
        ------
        SystemExit
            Always, with code 2 (the line goes to stderr).
        """
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
