r"""Self-consistent rates :math:`\nu = F(\nu)`, for any number of populations.

Three phases, vectorised over the starts and over a batch of points:

1. damped fixed-point iteration :math:`\nu \leftarrow \nu + h(F(\nu) - \nu)` from
   several starts, the step ``h`` halved where the residual grows and raised where
   it shrinks or keeps its direction (the Euler steps of NEST's rate dynamics
   :math:`\tau\dot\nu = -\nu + F(\nu)`, ``brunel_siegert_nest.py``), so it is drawn
   to the stable fixed points;
2. Newton's method (finite-difference Jacobian) from where phase 1 ended, which also
   finds unstable fixed points;
3. ``scipy.optimize.root`` (MINPACK's hybrid method) for every start still not
   converged.

The converged ends of each point are merged (relative distance below
:data:`SAME_POINT`) and classified by the eigenvalues of the Jacobian of
:math:`F(\nu) - \nu` (:class:`twin.theory.stationary.FixedPoint`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
from scipy.optimize import root

from twin.theory.stationary import FixedPoint, Flag, Stationary
from twin.theory.validate import require

__all__ = ["DEFAULT_STARTS", "SAME_POINT", "Transfer", "jacobian", "solve_rates"]

#: ``F``: rates ``(..., *batch, n)`` Hz -> rates of the same shape, Hz.
Transfer = Callable[[np.ndarray], np.ndarray]
#: Start rates, Hz (every population starts at the same value).
DEFAULT_STARTS: Final = (0.0, 2.0, 20.0, 100.0, 400.0)
#: Two converged ends closer than this (relative, plus 1e-6 Hz) are one fixed point.
SAME_POINT: Final = 1e-5
_RTOL: Final = 1e-9
_ATOL: Final = 1e-9
_DAMPED_STEPS: Final = 60
#: Phase 1 hands a start to Newton within this residual (relative, plus as many Hz).
_NEAR: Final = 1e-3
#: ... or once its step has shrunk below this.
_SMALLEST_STEP: Final = 1e-3
_NEWTON_STEPS: Final = 30


def _residual(x: np.ndarray, f: np.ndarray) -> np.ndarray:
    return np.asarray(np.max(np.abs(f - x), axis=-1))


def _tolerance(x: np.ndarray) -> np.ndarray:
    return np.asarray(_ATOL + _RTOL * np.max(np.abs(x), axis=-1))


def _damped(transfer: Transfer, x: np.ndarray) -> np.ndarray:
    """Phase 1: adaptive damped iteration towards the stable fixed points.

    Returns the ends: near a fixed point, or where the step shrank to nothing (the
    residual's max-norm need not fall along the rate dynamics' direction); Newton's
    method takes over from there.
    """
    f = transfer(x)
    r = _residual(x, f)
    h = np.full(r.shape, 0.5)
    for _ in range(_DAMPED_STEPS):
        near = r <= _NEAR * (1.0 + np.max(np.abs(x), axis=-1))
        active = ~near & (h >= _SMALLEST_STEP)
        if not active.any():
            break
        trial = np.maximum(x + h[..., None] * (f - x), 0.0)
        f_trial = transfer(trial)
        r_trial = _residual(trial, f_trial)
        # a step that shrinks the residual, or climbs without overshooting
        # (every component still moves the same way: far from a fixed point)
        same_way = np.all(np.sign(f_trial - trial) == np.sign(f - x), axis=-1)
        accept = active & ((r_trial < r) | same_way)
        x = np.where(accept[..., None], trial, x)
        f = np.where(accept[..., None], f_trial, f)
        r = np.where(accept, r_trial, r)
        h = np.where(accept, np.minimum(1.0, 1.5 * h), np.where(active, 0.5 * h, h))
    return x


def jacobian(transfer: Transfer, x: np.ndarray) -> np.ndarray:
    """Return ``dF/dnu`` at ``x`` by central differences, shape ``(..., n, n)``.

    Entry ``[..., k, l]`` is the derivative of population ``k``'s rate by the rate of
    population ``l``. Near zero the step is one-sided (rates stay non-negative).
    """
    n = x.shape[-1]
    step = 1e-6 * np.maximum(1.0, np.abs(x))
    cols = []
    for col in range(n):
        e = np.zeros(n)
        e[col] = 1.0
        lo = np.maximum(x - step * e, 0.0)
        hi = x + step * e
        width = (hi - lo)[..., col]
        cols.append((transfer(hi) - transfer(lo)) / width[..., None])
    return np.stack(cols, axis=-1)


def _newton(transfer: Transfer, x: np.ndarray) -> np.ndarray:
    """Phase 2: Newton steps on ``F(x) - x`` (clipped to rates >= 0)."""
    eye = np.eye(x.shape[-1])
    for _ in range(_NEWTON_STEPS):
        f = transfer(x)
        if np.all(_residual(x, f) <= _tolerance(x)):
            break
        system = jacobian(transfer, x) - eye
        with np.errstate(all="ignore"):
            try:
                delta = np.linalg.solve(system, (x - f)[..., None])[..., 0]
            except np.linalg.LinAlgError:
                break
        x = np.where(np.isfinite(delta), np.maximum(x + delta, 0.0), x)
    return x


def _polish(transfer: Transfer, x: np.ndarray) -> np.ndarray:
    """Phase 3: ``scipy.optimize.root`` for each end not yet converged."""
    x = x.copy()
    flat = x.reshape(-1, x.shape[-1])
    left = np.flatnonzero(_residual(x, transfer(x)).reshape(-1) > _tolerance(flat))
    for index in left:

        def residual(v: np.ndarray, index: int = int(index)) -> np.ndarray:
            trial = flat.copy()
            trial[index] = v
            out = transfer(trial.reshape(x.shape)).reshape(flat.shape)
            return np.asarray(out[index] - v)

        found = root(residual, flat[index], method="hybr", tol=1e-12)
        if np.all(np.isfinite(found.x)):
            flat[index] = np.maximum(found.x, 0.0)
    return flat.reshape(x.shape)


def solve_rates(
    transfer: Transfer,
    populations: Sequence[str],
    *,
    batch_shape: tuple[int, ...] = (),
    starts: Sequence[float] = DEFAULT_STARTS,
) -> tuple[Stationary, ...]:
    """Return the stationary rates of every point of a batch.

    Parameters
    ----------
    transfer
        ``F``: population rates ``(..., *batch_shape, n)`` Hz -> output rates of
        the same shape; every leading axis is an independent copy (the starts).
    populations
        The ``n`` population names.
    batch_shape
        Shape of the batch of points ``transfer`` evaluates at once.
    starts
        Start rates, Hz, each for every population (at least one, all ``>= 0``).

    Returns
    -------
    tuple of Stationary
        One per point, in C order of ``batch_shape``; flagged
        :attr:`Flag.NO_FIXED_POINT`, :attr:`Flag.NO_STABLE_FIXED_POINT` or
        :attr:`Flag.MULTISTABLE` where there is no single stable fixed point.

    Raises
    ------
    TheoryInputError
        If ``starts`` is empty or holds a negative or non-finite rate.
    """
    start = require("starts (Hz)", list(starts), lambda s: s >= 0, ">= 0", "give rates")
    if start.size == 0:
        require("len(starts)", 0, lambda s: s > 0, "> 0", "give at least one start")
    n = len(populations)
    x0 = np.broadcast_to(
        start.reshape((-1,) + (1,) * (len(batch_shape) + 1)),
        (start.size, *batch_shape, n),
    )
    ends = _polish(transfer, _newton(transfer, _damped(transfer, np.array(x0))))
    f = transfer(ends)
    converged = _residual(ends, f) <= 1e3 * _tolerance(ends)
    grad = jacobian(transfer, ends) - np.eye(n)
    growth = np.max(np.linalg.eigvals(grad).real, axis=-1)
    residual = _residual(ends, f)
    results = []
    for point in np.ndindex(*batch_shape) if batch_shape else [()]:
        pick = (slice(None), *point)
        found = _distinct(ends[pick], residual[pick], growth[pick], converged[pick])
        results.append(Stationary(tuple(populations), found, _flags(found)))
    return tuple(results)


def _distinct(
    ends: np.ndarray, residual: np.ndarray, growth: np.ndarray, converged: np.ndarray
) -> tuple[FixedPoint, ...]:
    """Merge the converged ends of one point into distinct fixed points."""
    points: list[FixedPoint] = []
    for i in np.flatnonzero(converged):
        close = [
            np.all(np.abs(p.rates - ends[i]) <= SAME_POINT * np.abs(p.rates) + 1e-6)
            for p in points
        ]
        if not any(close):
            points.append(
                FixedPoint(ends[i].copy(), float(residual[i]), float(growth[i]))
            )
    return tuple(sorted(points, key=lambda p: (not p.stable, float(np.mean(p.rates)))))


def _flags(points: tuple[FixedPoint, ...]) -> frozenset[Flag]:
    stable = sum(p.stable for p in points)
    if not points:
        return frozenset({Flag.NO_FIXED_POINT})
    if stable == 0:
        return frozenset({Flag.NO_STABLE_FIXED_POINT})
    return frozenset({Flag.MULTISTABLE}) if stable > 1 else frozenset()
