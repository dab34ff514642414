"""Stationary rates over a plane of variants: inhibitory scale x input-rate scale.

:func:`rates_plane` solves every point of a grid of ``g_scale`` (rows) and
``rate_scale`` (columns) values with one :func:`twin.theory.rates_over` call and
returns the results as arrays (:class:`Plane`): rates (NaN where there is no single
stable fixed point), the flags of every point, and the linear stability where it was
analysed. :meth:`Plane.rows` gives them as table rows with units in the column
names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from twin.network import Network
from twin.theory.fixed_point import DEFAULT_STARTS
from twin.theory.network_rates import rates_over
from twin.theory.plane_groups import Resolution
from twin.theory.plane_stability import LinearStability
from twin.theory.stationary import Flag
from twin.theory.validate import require

__all__ = ["Plane", "flag_text", "rates_plane", "stability_state"]


def flag_text(flags: frozenset[Flag]) -> str:
    """Return flags as text: their names, sorted, joined by ``;`` (``""``: none)."""
    return ";".join(sorted(f.name.lower() for f in flags))


@dataclass(frozen=True, slots=True, eq=False)
class Plane:
    """Stationary rates over a ``(G, R)`` grid of variants.

    Attributes
    ----------
    g_scale, rate_scale
        The grid's axes, ``(G,)`` and ``(R,)``.
    populations
        Population names, in the order of the last axis of ``rates``.
    rates
        Population rates, Hz, ``(G, R, n)``; NaN where there is no single stable
        fixed point.
    fixed_points
        Distinct fixed points found, ``(G, R)``.
    flags
        The :class:`Flag` set of each point, ``G x R`` nested tuples.
    unstable
        1 where the stable fixed point is linearly unstable, 0 where stable, NaN
        where unknown (:func:`stability_state`: not analysed, or the root count
        not resolved and no unstable root located), ``(G, R)``.
    frequency_hz, growth_per_s
        The leading unstable mode's frequency (Hz) and growth rate (1/s), NaN where
        stable or not analysed, ``(G, R)``.
    resolved
        1 where the stability count is backed by its tail check, 0 where not, NaN
        where not analysed, ``(G, R)``.
    """

    g_scale: np.ndarray
    rate_scale: np.ndarray
    populations: tuple[str, ...]
    rates: np.ndarray
    fixed_points: np.ndarray
    flags: tuple[tuple[frozenset[Flag], ...], ...]
    unstable: np.ndarray
    frequency_hz: np.ndarray
    growth_per_s: np.ndarray
    resolved: np.ndarray

    @property
    def stationary(self) -> np.ndarray:
        """Where a single stable fixed point exists (bool, ``(G, R)``)."""
        return np.asarray(np.all(np.isfinite(self.rates), axis=-1))

    def rows(
        self, axes: tuple[str, str] = ("g_scale", "rate_scale")
    ) -> list[dict[str, object]]:
        """Return one table row per point, C order (``g_scale`` slowest).

        Parameters
        ----------
        axes
            Column names of the two axes (e.g. ``("g", "eta")``).

        Returns
        -------
        list of dict
            The axes, ``rate_<population>_hz``, ``stationary``, ``fixed_points``,
            ``flags`` (:func:`flag_text`), ``unstable`` and ``oscillatory``
            (``None`` where unknown: never "stable" by default),
            ``frequency_hz``, ``growth_per_s``, ``stability_resolved`` (``None``
            where not analysed).
        """
        out: list[dict[str, object]] = []
        for i, j in np.ndindex(*self.fixed_points.shape):
            analysed = bool(np.isfinite(self.resolved[i, j]))
            known = bool(np.isfinite(self.unstable[i, j]))
            unstable = bool(self.unstable[i, j]) if known else None
            frequency = float(self.frequency_hz[i, j])
            row: dict[str, object] = {
                axes[0]: float(self.g_scale[i]),
                axes[1]: float(self.rate_scale[j]),
            }
            for k, name in enumerate(self.populations):
                row[f"rate_{name}_hz"] = float(self.rates[i, j, k])
            row |= {
                "stationary": bool(self.stationary[i, j]),
                "fixed_points": int(self.fixed_points[i, j]),
                "flags": flag_text(self.flags[i][j]),
                "unstable": unstable,
                "oscillatory": (
                    None
                    if unstable is None
                    else unstable and np.nan_to_num(frequency) > 0
                ),
                "frequency_hz": frequency,
                "growth_per_s": float(self.growth_per_s[i, j]),
                "stability_resolved": (bool(self.resolved[i, j]) if analysed else None),
            }
            out.append(row)
        return out


def stability_state(analysis: LinearStability | None) -> float:
    """Return 1 (unstable), 0 (stable) or NaN (unknown) for one point.

    Unknown: not analysed (no single stable fixed point, no noise), or the root
    count not backed by its tail check (:attr:`LinearStability.resolved` False)
    and no unstable root located (a located root, ``growth_per_s > 0``, is
    unstable whatever the count).
    """
    if analysis is None:
        return float("nan")
    if analysis.resolved:
        return float(analysis.unstable)
    located = analysis.unstable and bool(np.nan_to_num(analysis.growth_per_s) > 0)
    return 1.0 if located else float("nan")


def rates_plane(
    network: Network,
    g_scale: Sequence[float] | np.ndarray,
    rate_scale: Sequence[float] | np.ndarray,
    *,
    neurons: Resolution = "cubature",
    stability: bool = True,
    starts: Sequence[float] = DEFAULT_STARTS,
) -> Plane:
    """Return the stationary rates of ``network`` over a grid of variants.

    Parameters
    ----------
    network
        The base network (as :func:`twin.theory.rates_of`).
    g_scale, rate_scale
        The grid's axes: factors on the inhibitory weights and on the Poisson
        rates (``>= 0``), 1-d.
    neurons, starts
        As :func:`twin.theory.rates_of`.
    stability
        Analyse the linear stability of every stable fixed point.

    Returns
    -------
    Plane
        Shape ``(len(g_scale), len(rate_scale))``.

    Raises
    ------
    TheoryInputError
        If an axis is empty, not 1-d, or holds a negative or non-finite factor.
    NotDescribableError
        As :func:`twin.theory.rates_of`.
    """
    axes = []
    for name, values in (("g_scale", g_scale), ("rate_scale", rate_scale)):
        axis = require(name, values, lambda x: x >= 0, ">= 0", "give factors >= 0")
        if axis.ndim != 1 or axis.size == 0:
            require(f"len({name})", 0, lambda x: x > 0, "> 0 (1-d)", "give values")
        axes.append(axis)
    g, r = np.meshgrid(*axes, indexing="ij")
    found = rates_over(
        network, g, r, neurons=neurons, starts=starts, stability=stability
    )
    shape = g.shape
    n = len(network.populations)

    def grid(values: list[float]) -> np.ndarray:
        return np.asarray(values, float).reshape(shape)

    analyses = [x.stability for x in found]
    nan = float("nan")
    return Plane(
        g_scale=axes[0],
        rate_scale=axes[1],
        populations=tuple(p.name for p in network.populations),
        rates=np.array([x.stationary.rates_or_nan() for x in found]).reshape(*shape, n),
        fixed_points=np.array(
            [len(x.stationary.fixed_points) for x in found], int
        ).reshape(shape),
        flags=tuple(
            tuple(found[i * shape[1] + j].flags for j in range(shape[1]))
            for i in range(shape[0])
        ),
        unstable=grid([stability_state(a) for a in analyses]),
        frequency_hz=grid([nan if a is None else a.frequency_hz for a in analyses]),
        growth_per_s=grid([nan if a is None else a.growth_per_s for a in analyses]),
        resolved=grid([nan if a is None else float(a.resolved) for a in analyses]),
    )
