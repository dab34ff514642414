"""The wafer options of the ``twin`` sub-commands: defect maps, fixed patterns."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from experiments.cli.common import int_list
from twin.errors import ConfigError
from twin.wafer import Defects, Wafer, synthetic_defects

if TYPE_CHECKING:
    from twin.hardware import HardwareConfig

__all__ = ["add_wafer_options", "hardware_config", "load_wafer", "load_wafers"]


def load_wafer(args: argparse.Namespace) -> Wafer:
    """Return the wafer of ``--defects`` / ``--synthetic-defects`` (else perfect).

    Parameters
    ----------
    args
        The parsed options.

    Returns
    -------
    Wafer
        With the defect map loaded or drawn, or a perfect wafer.

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


def load_wafers(args: argparse.Namespace) -> list[tuple[str, Wafer]]:
    """Return the wafers of an ensemble, each with its label.

    ``--synthetic-defects`` may list seeds (one wafer each, labelled
    ``defects-SEED``); otherwise the one wafer of :func:`load_wafer`, labelled
    ``perfect`` or by its defect file's name.

    Parameters
    ----------
    args
        The parsed options.

    Returns
    -------
    list of (str, Wafer)
        Each wafer with its label.

    Raises
    ------
    ConfigError
        If both ``--defects`` and ``--synthetic-defects`` are given.
    DefectError
        If the defect file cannot be read.
    """
    seeds = args.synthetic_defects
    if seeds is None or isinstance(seeds, int):
        label = (
            f"defects-{seeds}"
            if seeds is not None
            else (f"file-{args.defects}" if args.defects else "perfect")
        )
        return [(label, load_wafer(args))]
    if args.defects:
        raise ConfigError(
            "give either --defects FILE or --synthetic-defects SEEDS, not both"
        )
    return [(f"defects-{s}", Wafer(defects=synthetic_defects(s))) for s in seeds]


def add_wafer_options(parser: argparse.ArgumentParser, many: bool = False) -> None:
    """Add ``--defects`` and ``--synthetic-defects`` (``many``: a list of seeds).

    :func:`load_wafer` and :func:`load_wafers` read them.

    Parameters
    ----------
    parser
        The (sub-command) parser to add the options to.
    many
        If true, ``--synthetic-defects`` takes a comma list of seeds
        (:func:`int_list`, an ensemble member per wafer); else one seed.
    """
    parser.add_argument("--defects", metavar="FILE", help="defect map (JSON) to load")
    parser.add_argument(
        "--synthetic-defects",
        metavar="SEEDS" if many else "SEED",
        type=int_list if many else int,
        help="use synthetic defect maps drawn with these seeds, comma separated "
        "(an ensemble member per wafer)"
        if many
        else "use a synthetic defect map drawn with this seed",
    )


def hardware_config(args: argparse.Namespace) -> HardwareConfig:
    """Return the hardware tier's settings from ``--calibration`` and ``--wafer-seed``.

    Parameters
    ----------
    args
        The parsed options (an ensemble's list of wafer seeds: its first).

    Returns
    -------
    HardwareConfig
        The default settings with the calibration and fixed-pattern seed applied.

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
    seed = getattr(args, "wafer_seed", None)
    if isinstance(seed, tuple):  # an ensemble's list: its first wafer
        seed = seed[0]
    if seed is not None:
        config = config.on_wafer(seed)
    return config
