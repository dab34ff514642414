r"""Self-consistent rates :math:`\nu = F(\nu)`, for any number of populations.

Every start of every point of a batch is one row; three phases, each evaluating
``F`` only at the rows still moving:

1. damped fixed-point iteration :math:`\nu \leftarrow \nu + h(F(\nu) - \nu)` from
   several starts, the step ``h`` halved where the residual grows and raised where
   it shrinks or keeps its direction (the Euler steps of NEST's rate dynamics
   :math:`\tau\dot\nu = -\nu + F(\nu)`, ``brunel_siegert_nest.py``), so it is drawn
   to the stable fixed points;
2. Newton's method (forward-difference Jacobian, its ``n`` columns in the same call
   as ``F``) from where phase 1 ended, which also finds unstable fixed points;
3. ``scipy.optimize.root`` (MINPACK's hybrid method) for every row still not
   converged.

The converged ends of each point are merged (relative distance below
:data:`SAME_POINT`) and classified by the eigenvalues of the Jacobian of
:math:`F(\nu) - \nu` (central differences; :class:`twin.theory.stationary.FixedPoint`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
from scipy.optimize import root

from twin.theory.stationary import FixedPoint, Flag, Stationary
from twin.theory.validate import require

__all__ = [
    "DEFAULT_STARTS",
    "SAME_POINT",
    "RowTransfer",
    "Transfer",
    "jacobian",
    "solve_points",
    "solve_rates",
]

#: ``F``: rates ``(..., *batch, n)`` Hz -> rates of the same shape, Hz.
Transfer = Callable[[np.ndarray], np.ndarray]
#: ``F`` at rows: rates ``(m, n)`` Hz and each row's point (``(m,)`` indices into
#: the flat batch) -> rates ``(m, n)``, Hz.
RowTransfer = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: Start rates, Hz (every population starts at the same value).
DEFAULT_STARTS: Final = (0.0, 2.0, 20.0, 100.0, 400.0)
#: Two converged ends closer than this (relative, plus 1e-6 Hz) are one fixed point.
SAME_POINT: Final = 1e-5
_RTOL: Final = 1e-9
_ATOL: Final = 1e-9
_DAMPED_STEPS: Final = 60
#: Phase 1 hands a start to Newton within this residual (relative, plus as many Hz).
_NEAR: Final = 1e-2
#: ... or once this many accepted steps in a row shrank its residual (a steady
#: approach: slow where ``dF/dnu`` is strongly negative and the step small) ...
_SETTLED: Final = 4
#: ... or once its step has shrunk below this.
_SMALLEST_STEP: Final = 1e-3
_NEWTON_STEPS: Final = 30
#: Relative step of the finite-difference Jacobians (``max(1, |nu|)`` Hz times it).
_STEP: Final = 1e-6
#: Newton systems ``dF/dnu - 1`` this close to singular (relative) are not solved:
#: forward differences with :data:`_STEP` carry ~1e-10 of rounding noise.
_SINGULAR: Final = 1e-8


def _residual(x: np.ndarray, f: np.ndarray) -> np.ndarray:
    return np.asarray(np.max(np.abs(f - x), axis=-1))


def _tolerance(x: np.ndarray) -> np.ndarray:
    return np.asarray(_ATOL + _RTOL * np.max(np.abs(x), axis=-1))


def _damped(transfer: RowTransfer, x: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Phase 1: adaptive damped iteration towards the stable fixed points.

    Returns the ends: near a fixed point, or where the step shrank to nothing (the
    residual's max-norm need not fall along the rate dynamics' direction); Newton's
    method takes over from there.
    """
    x = x.copy()
    f = transfer(x, point)
    r = _residual(x, f)
    h = np.full(r.shape, 0.5)
    falls = np.zeros(r.shape, int)  # steps that shrank the residual, in a row
    for _ in range(_DAMPED_STEPS):
        near = r <= _NEAR * (1.0 + np.max(np.abs(x), axis=-1))
        near |= falls >= _SETTLED
        rows = np.flatnonzero(~near & (h >= _SMALLEST_STEP))
        if rows.size == 0:
            break
        xa, fa, ha = x[rows], f[rows], h[rows]
        trial = np.maximum(xa + ha[:, None] * (fa - xa), 0.0)
        f_trial = transfer(trial, point[rows])
        r_trial = _residual(trial, f_trial)
        # a step that shrinks the residual, or climbs without overshooting
        # (every component still moves the same way: far from a fixed point)
        same_way = np.all(np.sign(f_trial - trial) == np.sign(fa - xa), axis=-1)
        shrank = r_trial < r[rows]
        accept = shrank | same_way
        falls[rows[accept]] = np.where(shrank, falls[rows] + 1, 0)[accept]
        good = rows[accept]
        x[good], f[good], r[good] = trial[accept], f_trial[accept], r_trial[accept]
        h[rows] = np.where(accept, np.minimum(1.0, 1.5 * ha), 0.5 * ha)
    return x


def _forward_jacobian(
    transfer: RowTransfer, x: np.ndarray, point: np.ndarray, f: np.ndarray
) -> np.ndarray:
    """Return the forward-difference Jacobian ``(m, n, n)`` of ``F`` at ``x``.

    ``f``: ``F(x)``; the ``n`` shifted copies of the rows in one call.
    """
    m, n = x.shape
    step = _STEP * np.maximum(1.0, np.abs(x))
    shifted = np.repeat(x[None], n, axis=0)
    cols = np.arange(n)
    shifted[cols, :, cols] += step.T
    out = transfer(shifted.reshape(-1, n), np.tile(point, n)).reshape(n, m, n)
    jac = (out - f[None]) / step.T[:, :, None]  # [col, row, k]
    return np.transpose(jac, (1, 2, 0))


def _regular(system: np.ndarray) -> np.ndarray:
    """Return which Newton systems ``(m, n, n)`` are regular.

    Regular: the smallest singular value above :data:`_SINGULAR` times the largest
    (or 1); below, a step would follow rounding noise.
    """
    ok = np.all(np.isfinite(system), axis=(-2, -1))
    values = np.linalg.svd(np.where(ok[:, None, None], system, 0.0), compute_uv=False)
    return np.asarray(ok & (values[:, -1] > _SINGULAR * np.maximum(1.0, values[:, 0])))


def _newton(
    transfer: RowTransfer, x: np.ndarray, point: np.ndarray, steps: int = _NEWTON_STEPS
) -> np.ndarray:
    """Phase 2: Newton steps on ``F(x) - x`` (clipped to rates >= 0)."""
    x = x.copy()
    rows = np.arange(x.shape[0])
    eye = np.eye(x.shape[-1])
    for _ in range(steps):
        # F first: a converged row costs one evaluation, not n + 1
        f = transfer(x[rows], point[rows])
        moving = _residual(x[rows], f) > _tolerance(x[rows])
        rows, f = rows[moving], f[moving]
        if rows.size == 0:
            break
        jac = _forward_jacobian(transfer, x[rows], point[rows], f)
        system = jac - eye
        with np.errstate(all="ignore"):
            ok = _regular(system)
            rows, f, system = rows[ok], f[ok], system[ok]
            try:
                delta = np.linalg.solve(system, (x[rows] - f)[..., None])[..., 0]
            except np.linalg.LinAlgError:
                break
        ok = np.all(np.isfinite(delta), axis=-1)
        x[rows[ok]] = np.maximum(x[rows[ok]] + delta[ok], 0.0)
        rows = rows[ok]
    return x


def _polish(transfer: RowTransfer, x: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Phase 3: ``scipy.optimize.root`` for each row (those not yet converged)."""
    x = x.copy()
    for index in range(x.shape[0]):
        at = point[index : index + 1]

        def residual(v: np.ndarray, at: np.ndarray = at) -> np.ndarray:
            # rates stay >= 0 where F is evaluated (the root finder may step below)
            return np.asarray(transfer(np.maximum(v, 0.0)[None], at)[0] - v)

        found = root(residual, x[index], method="hybr", tol=1e-12)
        if np.all(np.isfinite(found.x)):
            x[index] = np.maximum(found.x, 0.0)
    return x


def jacobian(transfer: Transfer, x: np.ndarray) -> np.ndarray:
    """Return ``dF/dnu`` at ``x`` by central differences, shape ``(..., n, n)``.

    Entry ``[..., k, l]`` is the derivative of population ``k``'s rate by the rate of
    population ``l``. Near zero the step is one-sided (rates stay non-negative).
    """
    step = _STEP * np.maximum(1.0, np.abs(x))
    cols = []
    for col, e in enumerate(np.eye(x.shape[-1])):
        lo, hi = np.maximum(x - step * e, 0.0), x + step * e
        cols.append((transfer(hi) - transfer(lo)) / (hi - lo)[..., col, None])
    return np.stack(cols, axis=-1)


def _row_jacobian(
    transfer: RowTransfer, x: np.ndarray, point: np.ndarray
) -> np.ndarray:
    """:func:`jacobian` of a row transfer, its ``2n`` evaluations in one call."""
    m, n = x.shape
    step = _STEP * np.maximum(1.0, np.abs(x))
    cols = np.arange(n)
    lo = np.repeat(x[None], n, axis=0)
    hi = lo.copy()
    lo[cols, :, cols] = np.maximum(x - step, 0.0).T
    hi[cols, :, cols] = (x + step).T
    width = hi[cols, :, cols] - lo[cols, :, cols]  # [col, row]
    both = np.concatenate([lo, hi]).reshape(-1, n)
    out = transfer(both, np.tile(point, 2 * n)).reshape(2 * n, m, n)
    diff = (out[n:] - out[:n]) / width[:, :, None]  # [col, row, k]
    return np.transpose(diff, (1, 2, 0))


def solve_points(
    transfer: RowTransfer,
    populations: Sequence[str],
    n_points: int,
    *,
    starts: Sequence[float] = DEFAULT_STARTS,
) -> tuple[Stationary, ...]:
    """Return the stationary rates of every point of a flat batch.

    Parameters
    ----------
    transfer
        ``F`` at rows: rates ``(m, n)`` Hz and the index of each row's point
        (``(m,)``, in ``[0, n_points)``) -> output rates ``(m, n)``, Hz. Called
        only with the rows still moving.
    populations
        The ``n`` population names.
    n_points
        Number of points.
    starts
        Start rates, Hz, each for every population (at least one, all ``>= 0``).

    Returns
    -------
    tuple of Stationary
        One per point; flagged :attr:`Flag.NO_FIXED_POINT`,
        :attr:`Flag.NO_STABLE_FIXED_POINT` or :attr:`Flag.MULTISTABLE` where there
        is no single stable fixed point.

    Raises
    ------
    TheoryInputError
        If ``starts`` is empty or holds a negative or non-finite rate.
    """
    start = require("starts (Hz)", list(starts), lambda s: s >= 0, ">= 0", "give rates")
    if start.size == 0:
        require("len(starts)", 0, lambda s: s > 0, "> 0", "give at least one start")
    n, shape = len(populations), (start.size, n_points)
    point = np.tile(np.arange(n_points), start.size)  # row = start * n_points + p
    x = _damped(transfer, np.repeat(start, n_points)[:, None] * np.ones(n), point)
    # starts that ended together go on as one; again after a Newton step
    kept = np.ones(shape, bool)
    for steps in (1, _NEWTON_STEPS):
        rows = np.flatnonzero(_firsts(x.reshape(*shape, n), kept, _NEAR))
        x[rows] = _newton(transfer, x[rows], point[rows], steps)
        kept = np.isin(np.arange(point.size), rows).reshape(shape)
    f = transfer(x[rows], point[rows])
    left = _residual(x[rows], f) > _tolerance(x[rows])
    if left.any():
        at = rows[left]
        x[at] = _polish(transfer, x[at], point[at])
        f[left] = transfer(x[at], point[at])
    residual = np.full(point.size, np.inf)
    residual[rows] = _residual(x[rows], f)
    converged = residual <= 1e3 * _tolerance(x)
    converged = _firsts(x.reshape(*shape, n), converged.reshape(shape), SAME_POINT)
    growth = np.full(point.size, np.nan)
    found = np.flatnonzero(converged)
    if found.size:
        grad = _row_jacobian(transfer, x[found], point[found]) - np.eye(n)
        growth[found] = np.max(np.linalg.eigvals(grad).real, axis=-1)
    ends, residual = x.reshape(*shape, n), residual.reshape(shape)
    growth, converged = growth.reshape(shape), converged.reshape(shape)
    return tuple(
        _stationary(
            tuple(populations),
            ends[:, p],
            residual[:, p],
            growth[:, p],
            converged[:, p],
        )
        for p in range(n_points)
    )


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
        the same shape; every leading axis is an independent copy.
    populations
        The ``n`` population names.
    batch_shape
        Shape of the batch of points ``transfer`` evaluates at once.
    starts
        Start rates, Hz, each for every population (at least one, all ``>= 0``).

    Returns
    -------
    tuple of Stationary
        One per point, in C order of ``batch_shape`` (see :func:`solve_points`).

    Raises
    ------
    TheoryInputError
        If ``starts`` is empty or holds a negative or non-finite rate.
    """
    n_points = int(np.prod(batch_shape, dtype=int))
    return solve_points(
        _rows_of(transfer, batch_shape, len(populations)),
        populations,
        n_points,
        starts=starts,
    )


def _rows_of(transfer: Transfer, batch_shape: tuple[int, ...], n: int) -> RowTransfer:
    """Return a whole-batch transfer as a row transfer.

    The rows go into copies of the batch (a point's ``j``-th row into copy ``j``;
    the other points of a copy at rate 0), each copy a leading axis of one call.
    """
    n_points = int(np.prod(batch_shape, dtype=int))

    def rows(x: np.ndarray, point: np.ndarray) -> np.ndarray:
        order = np.argsort(point, kind="stable")
        sorted_points = point[order]
        first = np.searchsorted(sorted_points, sorted_points, side="left")
        copy = np.empty_like(point)
        copy[order] = np.arange(point.size) - first
        full = np.zeros((int(copy.max(initial=-1)) + 1, n_points, n))
        full[copy, point] = x
        out = transfer(full.reshape(-1, *batch_shape, n)).reshape(full.shape)
        return np.asarray(out[copy, point])

    return rows


def _firsts(x: np.ndarray, eligible: np.ndarray, rtol: float) -> np.ndarray:
    """Return the eligible rows no earlier eligible row of their point is close to.

    ``x``: ends ``(starts, points, n)``; ``eligible``: ``(starts, points)``. Close:
    every rate within ``rtol`` of the earlier one's (relative, plus 1e-6 Hz), the
    rule by which :func:`_stationary` merges fixed points. Returns a flat mask.
    """
    first = eligible.copy()
    for s in range(x.shape[0]):
        for t in range(s):
            close = np.all(np.abs(x[s] - x[t]) <= rtol * np.abs(x[t]) + 1e-6, axis=-1)
            first[s] &= ~(first[t] & close)
    return first.reshape(-1)


def _stationary(
    populations: tuple[str, ...],
    ends: np.ndarray,
    residual: np.ndarray,
    growth: np.ndarray,
    converged: np.ndarray,
) -> Stationary:
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
    found = tuple(points)
    if len(found) > 1:
        found = tuple(
            sorted(found, key=lambda p: (not p.stable, float(p.rates.mean())))
        )
    return Stationary(populations, found, _flags(found))


def _flags(points: tuple[FixedPoint, ...]) -> frozenset[Flag]:
    stable = sum(p.stable for p in points)
    if not points:
        return frozenset({Flag.NO_FIXED_POINT})
    if stable == 0:
        return frozenset({Flag.NO_STABLE_FIXED_POINT})
    return frozenset({Flag.MULTISTABLE}) if stable > 1 else frozenset()
