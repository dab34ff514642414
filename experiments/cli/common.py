"""Shared pieces of the ``twin`` sub-commands: argument types, wafer loading."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, NoReturn

from twin.errors import ConfigError, TwinError
from twin.wafer import Defects, Wafer, synthetic_defects

if TYPE_CHECKING:
    from twin.hardware import HardwareConfig

__all__ = [
    "Parser",
    "add_wafer_options",
    "hardware_config",
    "load_wafer",
    "non_negative_float",
    "positive_float",
    "positive_int",
    "positive_list",
    "tiers_arg",
]


def positive_float(text: str) -> float:
    """Parse a number > 0 (an argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be > 0")
    return value


def non_negative_float(text: str) -> float:
    """Parse a finite number >= 0 (an argparse type).

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
    """Parse a comma list of numbers > 0 (an argparse type)."""
    values = tuple(positive_float(part) for part in text.split(",") if part.strip())
    if not values:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least one value")
    return values


def positive_int(text: str) -> int:
    """Parse an integer >= 1 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def tiers_arg(text: str) -> list[str]:
    """Parse a fidelity list (an argparse type)."""
    from twin.tiers import parse_fidelities

    try:
        return list(parse_fidelities(text))
    except TwinError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def load_wafer(args: argparse.Namespace) -> Wafer:
    """Return the wafer of ``--defects`` / ``--synthetic-defects`` (else perfect).

    Raises
    ------
    ConfigError
        If both options are given.
    DefectError
        If the defect file cannot be read.
    """
    if args.defects and args.synthetic_defects is not None:
        raise ConfigError(
            "give either --defects FILE or --synthetic-defects SEED, not both"
        )
    if args.defects:
        return Wafer(defects=Defects.load(args.defects))
    if args.synthetic_defects is not None:
        return Wafer(defects=synthetic_defects(args.synthetic_defects))
    return Wafer()


def add_wafer_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--defects`` and ``--synthetic-defects``."""
    parser.add_argument("--defects", metavar="FILE", help="defect map (JSON) to load")
    parser.add_argument(
        "--synthetic-defects",
        metavar="SEED",
        type=int,
        help="use a synthetic defect map drawn with this seed",
    )


def hardware_config(args: argparse.Namespace) -> HardwareConfig:
    """Return the hardware tier's settings from ``--calibration`` and ``--wafer-seed``.

    Raises
    ------
    ResultsError
        If the calibration file cannot be read.
    """
    from twin.hardware import HardwareConfig

    config = HardwareConfig()
    if getattr(args, "calibration", None):
        from experiments.brunel.calibrate import load_calibration

        config = load_calibration(args.calibration).hardware(config)
    if getattr(args, "wafer_seed", None) is not None:
        config = config.on_wafer(args.wafer_seed)
    return config


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (and exit code 2)."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem and where help is, then exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
