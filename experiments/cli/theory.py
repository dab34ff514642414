"""``twin theory``: the seed network's (g, eta) plane by mean-field theory."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any, Final

import numpy as np

from twin.errors import ConfigError

__all__ = ["MAX_POINTS", "add_parser", "parse_plane"]

#: Largest number of points of one plane.
MAX_POINTS: Final = 1_000_000
#: Points beyond which the exact solve of a network with spreads gets a note (each
#: neuron is its own: about 0.3 s a point on one core).
SLOW_POINTS: Final = 64
_AXES: Final = ("g", "eta")
_FORM: Final = (
    "give e.g. g=1:10:0.1,eta=0.5:4:0.05 (name=start:stop:step or name=value)"
)


def _axis(name: str, text: str) -> np.ndarray:
    """Parse ``start:stop:step`` (stop included when on the grid) or one value.

    Raises
    ------
    ConfigError
        If ``text`` is malformed, a value negative or not finite, the range empty
        or longer than :data:`MAX_POINTS`.
    """
    parts = text.split(":")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ConfigError(f"plane axis {name}={text!r}: not numbers; {_FORM}") from None
    if len(values) not in (1, 3) or not all(math.isfinite(v) for v in values):
        raise ConfigError(f"plane axis {name}={text!r}: {_FORM}")
    if any(v < 0 for v in values):
        raise ConfigError(f"plane axis {name}={text!r}: values must be >= 0; {_FORM}")
    if len(values) == 1:
        return np.array(values)
    start, stop, step = values
    if step <= 0 or stop < start:
        raise ConfigError(
            f"plane axis {name}={text!r}: give start <= stop and a step > 0; {_FORM}"
        )
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_POINTS:
        raise ConfigError(
            f"plane axis {name}={text!r}: {count} values (at most {MAX_POINTS}); "
            "give a larger step"
        )
    # 12 decimals: 1 + 3 * 0.1 is 1.3, as the sweep's points are written
    return np.asarray(np.round(start + step * np.arange(count), 12))


def parse_plane(spec: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the g and eta values of a plane spec ``g=A:B:S,eta=A:B:S``.

    Parameters
    ----------
    spec
        Two comma-separated axes, ``g`` and ``eta`` in either order, each
        ``name=start:stop:step`` (the stop included when it lies on the grid) or
        ``name=value``.

    Returns
    -------
    tuple of np.ndarray
        The g values and the eta values.

    Raises
    ------
    ConfigError
        If an axis is missing, repeated, unknown or malformed, a value is negative
        or not finite, a range is empty or the plane has more than
        :data:`MAX_POINTS` points; the message names the value and the remedy.

    Examples
    --------
    >>> g, eta = parse_plane("g=4:8:2,eta=1.5")
    >>> g.tolist(), eta.tolist()
    ([4.0, 6.0, 8.0], [1.5])
    """
    axes: dict[str, np.ndarray] = {}
    for item in spec.split(","):
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in _AXES:
            raise ConfigError(
                f"--plane {spec!r}: {item.strip()!r} is not an axis; {_FORM}"
            )
        if name in axes:
            raise ConfigError(f"--plane {spec!r}: axis {name} given twice; {_FORM}")
        axes[name] = _axis(name, text.strip())
    missing = [a for a in _AXES if a not in axes]
    if missing:
        raise ConfigError(f"--plane {spec!r}: axis {missing[0]} missing; {_FORM}")
    if axes["g"].size * axes["eta"].size > MAX_POINTS:
        raise ConfigError(
            f"--plane {spec!r}: {axes['g'].size * axes['eta'].size} points (at most "
            f"{MAX_POINTS}); give larger steps"
        )
    return axes["g"], axes["eta"]


def _cmd_theory(args: argparse.Namespace) -> int:
    from experiments.brunel import BrunelConfig
    from experiments.brunel.theory import simulated_points, theory_plane, write_plane

    gs, etas = parse_plane(args.plane)
    simulated = simulated_points(Path(args.over)) if args.over else []
    config = BrunelConfig(seed=args.seed, variation=args.variation)
    points = gs.size * etas.size
    if args.variation and args.neurons == "each" and points > SLOW_POINTS:
        print(
            f"twin theory: note: {points} points with every one of the "
            f"{config.n_neurons} neurons its own (parameter spreads) take minutes; "
            "--neurons cubature (the default) averages over at most 32 neurons per "
            "population, --neurons mean or --no-variation solve one",
            file=sys.stderr,
        )
    began = time.perf_counter()
    plane = theory_plane(
        config,
        gs.tolist(),
        etas.tolist(),
        neurons=args.neurons,
        stability=args.stability,
    )
    took = time.perf_counter() - began
    stationary = int(plane.stationary.sum())
    unstable = int(np.nansum(plane.unstable))
    print(
        f"{plane.stationary.size} points ({gs.size} g x {etas.size} eta) in "
        f"{took:.2f} s: {stationary} with a single stable fixed point"
        + (f", {unstable} of them linearly unstable" if args.stability else "")
    )
    for path in write_plane(Path(args.out), plane, simulated):
        print(f"wrote {path}")
    return 0


def add_parser(sub: Any) -> None:
    """Add ``twin theory`` to the ``twin`` parser's sub-parsers.

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser.
    """
    theory = sub.add_parser(
        "theory",
        help="the seed network's (g, eta) plane by mean-field theory",
        description=(
            "Stationary rates and their linear stability over a (g, eta) plane of "
            "the seed network (one realisation, each point a variant as in the "
            "sweep); writes theory_plane.csv/.parquet and the phase diagram "
            "theory_plane.png."
        ),
    )
    theory.add_argument(
        "--plane",
        required=True,
        metavar="SPEC",
        help="g=START:STOP:STEP,eta=START:STOP:STEP (or name=VALUE), "
        "e.g. g=1:10:0.1,eta=0.5:4:0.05",
    )
    theory.add_argument(
        "--out", metavar="DIR", default="results/theory", help="output folder"
    )
    theory.add_argument(
        "--over",
        metavar="DIR",
        help="a twin brunel sweep folder whose simulated points to overlay",
    )
    theory.add_argument("--seed", type=int, default=1234, help="realisation seed")
    theory.add_argument(
        "--variation",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the model's parameter and weight spreads (as the ideal tier)",
    )
    theory.add_argument(
        "--neurons",
        choices=["cubature", "each", "mean"],
        default="cubature",
        help="the mean over the neurons by an empirical cubature (at most "
        "32 neurons per population, twin.theory.cubature), each neuron with its "
        "own parameters (exact; slow over a large plane with variation) or one "
        "mean neuron per population",
    )
    theory.add_argument(
        "--stability",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="analyse the linear stability of every stationary state",
    )
    theory.set_defaults(func=_cmd_theory)
