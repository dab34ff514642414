"""The weight-factor fit: the factor that makes an adapted network fire as the original.

It replaces the seed's hand-tuned ``orig_weight = 1.2`` (``brunel_bss1.md`` §1.2):
the factor ``c`` on every weight of the adapted network (on top of the conversion
steps, as :func:`twin.adapt.scale_weights`) at which its population rates match the
original network's at the same point(s). The target is "rates": the mismatch of a
candidate is the mean relative rate difference over points and populations
(:func:`twin.adapt.fit_theory.mismatch`), and the fit is its zero crossing:

1. **first guess** (optional): the mean-field rates of the adapted network over the
   bracket (:func:`twin.adapt.fit_theory.theory_guess`); where it gives a crossing,
   the first grid spans ``guess / spread .. guess * spread`` within the bracket;
2. **grid**: one batched emulator call of ``n_grid`` geometrically spaced factors at
   every point (``RunVariant.weight_scale``; every factor sees the same Poisson input
   at a point); if the first guess' grid has no crossing, the whole bracket is run;
   no crossing in the bracket is a :class:`twin.errors.AdaptError`;
3. **refine**: a second batched grid of ``n_grid`` factors evenly inside the two grid
   factors around the crossing, and the factor where the mismatch, linearly
   interpolated between its two neighbouring evaluated factors, is zero;
4. **check**: one more batched call at factor 1 and at the fitted factor gives the
   rates before and after (filled up to ``n_grid`` factors with more factors
   around the crossing: every call of the fit has the same batch size, so the
   emulator compiles once per fit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from twin.adapt.fit_runs import Point, population_rates, run_points
from twin.adapt.fit_theory import crossing, mismatch, theory_guess
from twin.analog.store import CompiledStore
from twin.errors import AdaptError
from twin.network import Network
from twin.tiers import IDEAL, Tier

__all__ = ["FitResult", "fit_weight_factor", "rates_at"]


@dataclass(frozen=True, slots=True, eq=False)
class FitResult:
    """The fitted weight factor and what it was found from.

    Attributes
    ----------
    factor
        The fitted factor on every weight of the adapted network.
    populations
        The populations compared, in the order of the rate arrays' last axis.
    points
        The points.
    target
        The original network's rates, Hz, shape ``(n_points, n_populations)``.
    rates_before, rates_after
        The adapted network's rates at factor 1 and at :attr:`factor`, Hz, same
        shape (one batched run of both).
    factors
        Every evaluated factor, increasing, shape ``(n,)``.
    rates
        The rates at each, Hz, shape ``(n, n_points, n_populations)``.
    mismatch
        The mean relative rate difference at each, shape ``(n,)``.
    first_guess
        The theory's first guess (``None``: none).
    method
        How the factor was found, in words.
    """

    factor: float
    populations: tuple[str, ...]
    points: tuple[Point, ...]
    target: np.ndarray
    rates_before: np.ndarray
    rates_after: np.ndarray
    factors: np.ndarray
    rates: np.ndarray
    mismatch: np.ndarray
    first_guess: float | None
    method: str = field(default="")

    @property
    def mismatch_before(self) -> float:
        """Mean relative rate difference at factor 1."""
        return float(mismatch(self.rates_before[None], self.target)[0])

    @property
    def mismatch_after(self) -> float:
        """Mean relative rate difference at the fitted factor."""
        return float(mismatch(self.rates_after[None], self.target)[0])


def rates_at(
    network: Network,
    points: Sequence[Point],
    populations: Sequence[str],
    *,
    factors: Sequence[float] = (1.0,),
    tier: Tier | str = IDEAL,
    t_stop: float = 2000.0,
    seed: int = 0,
    store: CompiledStore | None = None,
) -> np.ndarray:
    """Return population rates of ``network`` at factors × points, one batched run.

    Parameters
    ----------
    network, points, factors, tier, t_stop, seed, store
        As :func:`twin.adapt.fit_runs.run_points`.
    populations
        The populations whose rates are returned, in order.

    Returns
    -------
    numpy.ndarray
        Rates, Hz, shape ``(n_factors, n_points, n_populations)``.

    Raises
    ------
    ConfigError
        As :func:`twin.adapt.fit_runs.run_points`.
    """
    runs = run_points(
        network, points, factors=factors, tier=tier, t_stop=t_stop, seed=seed,
        store=store,
    )  # fmt: skip
    return np.array(
        [
            [[population_rates(r, runs.window)[p] for p in populations] for r in row]
            for row in runs.recordings
        ]
    )


def _target_array(
    target: Mapping[str, Sequence[float]], network: Network, n_points: int
) -> tuple[tuple[str, ...], np.ndarray]:
    """Return the compared populations and the target as ``(points, populations)``."""
    names = tuple(p.name for p in network.populations if p.name in target)
    if not names:
        raise AdaptError(
            f"target populations {sorted(target)} are not in the adapted network "
            f"({[p.name for p in network.populations]}); name them as the network"
        )
    array = np.array([np.asarray(target[n], float) for n in names]).T
    if array.shape != (n_points, len(names)):
        raise AdaptError(
            f"target rates of shape {array.shape[::-1]} (populations, points); give "
            f"one rate per point ({n_points}) for each population"
        )
    if not np.any(array > 0):
        raise AdaptError(
            "the target rates are all 0 Hz: the original network is silent at the "
            "points; choose points where it fires"
        )
    return names, array


def fit_weight_factor(
    target: Mapping[str, Sequence[float]],
    adapted: Network,
    *,
    points: Sequence[Point] = (Point(),),
    bracket: tuple[float, float] = (0.5, 2.0),
    n_grid: int = 8,
    first_guess: bool = True,
    spread: float = 1.25,
    tier: Tier | str = IDEAL,
    t_stop: float = 2000.0,
    seed: int = 0,
    store: CompiledStore | None = None,
) -> FitResult:
    """Find the factor on every weight of ``adapted`` that reproduces ``target``.

    Parameters
    ----------
    target
        The original network's rates: population name -> one rate per point, Hz
        (populations not in ``adapted`` are ignored).
    adapted
        The adapted network (before the factor).
    points
        The points (g and rate scales of each network's own base).
    bracket
        ``(low, high)``, ``0 < low < high``: the factors searched.
    n_grid
        Factors per batched grid (>= 3).
    first_guess
        Centre the first grid on the theory's guess where it has one.
    spread
        The first guess' grid spans ``guess / spread .. guess * spread`` (> 1).
    tier
        The tier the adapted network runs at.
    t_stop
        Run length of each candidate, ms (rates over the last ``min(1000,
        t_stop / 2)`` ms).
    seed
        Seed of the Poisson input (the same for every factor at a point).
    store
        Compiled emulator programs to reuse and add to (default: the fit's own).

    Returns
    -------
    FitResult
        The factor, the rates before and after, every evaluated factor.

    Raises
    ------
    AdaptError
        If the bracket, ``n_grid`` or ``spread`` is invalid, the target is empty,
        silent or of the wrong shape, or the mismatch does not cross zero in the
        bracket (the message gives its range: widen the bracket).
    ConfigError
        As :func:`twin.adapt.fit_runs.run_points`.
    """
    low, high = bracket
    if not (np.isfinite(high) and 0 < low < high):
        raise AdaptError(f"bracket {bracket}; give 0 < low < high (e.g. (0.5, 2.0))")
    if n_grid < 3 or not spread > 1:
        raise AdaptError(f"n_grid = {n_grid}, spread = {spread}; give >= 3 and > 1")
    points = tuple(points)
    names, goal = _target_array(target, adapted, len(points))
    store = CompiledStore() if store is None else store

    def evaluate(factors: np.ndarray) -> np.ndarray:
        return rates_at(
            adapted, points, names, factors=factors.tolist(), tier=tier,
            t_stop=t_stop, seed=seed, store=store,
        )  # fmt: skip

    guess = None
    if first_guess:
        guess = theory_guess(adapted, goal, points, np.geomspace(low, high, 9))
    windows = [(low, high)]
    if guess is not None:
        windows.insert(0, (max(low, guess / spread), min(high, guess * spread)))
    seen_f: list[np.ndarray] = []
    seen_r: list[np.ndarray] = []
    found = None
    for lo, hi in windows:
        grid = np.geomspace(lo, hi, n_grid)
        rates = evaluate(grid)
        seen_f.append(grid)
        seen_r.append(rates)
        found = crossing(grid, mismatch(rates, goal))
        if found is not None:
            break
    if found is None:
        d = mismatch(np.concatenate(seen_r), goal)
        raise AdaptError(
            f"the rates do not cross the target for weight factors in {bracket}: "
            f"the mean relative rate difference runs from {np.nanmin(d):+.3g} to "
            f"{np.nanmax(d):+.3g}; widen the bracket, or check that the adapted "
            "network can fire as the original"
        )
    i = found[0]
    lo, hi = grid[i], grid[min(i + 1, grid.size - 1)]
    inner = np.linspace(lo, hi, n_grid + 2)[1:-1]
    seen_f.append(inner)
    seen_r.append(evaluate(inner))
    factors = np.concatenate(seen_f)
    near = (factors >= lo) & (factors <= hi)
    order = np.argsort(factors[near], kind="stable")
    refined = crossing(
        factors[near][order], mismatch(np.concatenate(seen_r)[near][order], goal)
    )
    factor = found[1] if refined is None else refined[1]
    # The check: factor 1 and the fitted factor, in a batch of the grids' size (the
    # same compiled program), filled with more factors around the fitted one.
    extra = np.linspace(lo, hi, n_grid + 1)[1:-1][: n_grid - 2]
    check_f = np.array([1.0, factor, *extra])
    check = evaluate(check_f)
    seen_f.append(check_f)
    seen_r.append(check)
    factors = np.concatenate(seen_f)
    order = np.argsort(factors, kind="stable")
    factors, rates = factors[order], np.concatenate(seen_r)[order]
    return FitResult(
        factor=float(factor),
        populations=names,
        points=points,
        target=goal,
        rates_before=check[0],
        rates_after=check[1],
        factors=factors,
        rates=rates,
        mismatch=mismatch(rates, goal),
        first_guess=guess,
        method=(
            "zero of the mean relative rate difference: a batched grid of "
            f"{n_grid} factors"
            + (" around the theory's first guess" if guess is not None else "")
            + f", a second of {n_grid} inside the two around the crossing, linear "
            "interpolation between the evaluated factors around it"
        ),
    )
