"""The neurons a batch of variants is solved with: the distinct ones, or the mean one.

A population's rate is the mean of its neurons' rates. Two ways to evaluate it:

- ``"each"`` (exact): neurons with identical parameters and identical input sums
  have equal rates, so each distinct row is evaluated once and counted with its
  multiplicity. A population without parameter or weight spread, with a fixed
  in-degree and equal source rates is one neuron; with fixed-probability in-degrees,
  one neuron per in-degree tuple.
- ``"mean"``: one neuron of mean parameters and mean input sums (ignores variation).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from twin.theory.conductance import Neurons, neuron_rates
from twin.theory.connectivity import Inputs, Scales
from twin.theory.prepared import PreparedNeurons

__all__ = ["ExpandedRates", "Joined", "NeuronGroup", "Resolution"]

Resolution = Literal["cubature", "each", "mean"]
_PARAMS: Final = tuple(f.name for f in dataclasses.fields(Neurons))
_SUMS: Final = tuple(f.name for f in dataclasses.fields(Inputs))


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``np.unique(rows, axis=0)``'s index, inverse and counts (any order).

    Rows are grouped by one number each (the sum of their elements times fixed
    factors, the same operations for every row: equal rows give equal numbers) and
    the grouping is checked row by row; where two different rows shared a number,
    ``np.unique`` over the rows decides.
    """
    factors = np.random.default_rng(0).uniform(1.0, 2.0, rows.shape[1])
    key = (rows * factors).sum(axis=1)
    _, pick, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    if not np.array_equal(rows[pick][inverse], rows):
        _, pick, inverse, counts = np.unique(
            rows, axis=0, return_index=True, return_inverse=True, return_counts=True
        )
    return pick, inverse.reshape(-1), counts


@dataclass(frozen=True, slots=True, eq=False)
class NeuronGroup:
    """A population as ``M`` weighted neurons (its distinct neurons, or the mean one).

    Attributes
    ----------
    cells, inputs
        The ``M`` neurons' parameters and input sums.
    share
        Each one's weight in the population mean, ``(M,)``, summing to 1.
    inverse
        The neuron (row of ``cells``) that stands for each of the population's ``N``
        neurons, ``(N,)``.
    exact
        Where the ``M`` neurons are a rule over the population's distinct neurons
        (:mod:`twin.theory.cubature`): those distinct neurons, from which each
        neuron's own rate is read (:class:`ExpandedRates`); ``None`` otherwise.
    """

    cells: Neurons
    inputs: Inputs
    share: np.ndarray
    inverse: np.ndarray
    exact: NeuronGroup | None = None

    @classmethod
    def distinct(cls, cells: Neurons, inputs: Inputs) -> NeuronGroup:
        """Return the distinct neurons (exact: equal rows have equal rates)."""
        n = cells.size
        rows = np.concatenate(
            [np.stack([getattr(cells, f) for f in _PARAMS], axis=1)]
            + [getattr(inputs, f).reshape(n, -1) for f in _SUMS],
            axis=1,
        )
        if np.all(rows == rows[:1]):  # the common case: one neuron
            return cls._of(
                cells, inputs, np.zeros(1, int), np.ones(1), np.zeros(n, int)
            )
        pick, inverse, counts = _unique_rows(rows)
        return cls._of(cells, inputs, pick, counts / n, inverse)

    @classmethod
    def mean(cls, cells: Neurons, inputs: Inputs) -> NeuronGroup:
        """Return one neuron of mean parameters and mean input sums."""
        mean = Neurons(*(np.mean(getattr(cells, f), keepdims=True) for f in _PARAMS))
        sums = Inputs(*(np.mean(getattr(inputs, f), 0, keepdims=True) for f in _SUMS))
        return cls(mean, sums, np.ones(1), np.zeros(cells.size, int))

    @classmethod
    def _of(
        cls,
        cells: Neurons,
        inputs: Inputs,
        pick: np.ndarray,
        share: np.ndarray,
        inverse: np.ndarray,
    ) -> NeuronGroup:
        return cls(
            Neurons(*(getattr(cells, f)[pick] for f in _PARAMS)),
            Inputs(*(getattr(inputs, f)[pick] for f in _SUMS)),
            share,
            inverse,
        )

    def rates(self, rates: np.ndarray, scales: Scales) -> np.ndarray:
        """Return each of the ``M`` neurons' rates, Hz, ``(..., *scales.shape, M)``.

        ``rates``: population rates ``(..., *scales.shape, n_populations)``, Hz.
        """
        return PreparedNeurons.of(self.cells, self.inputs).rates(rates, scales)


@dataclass(frozen=True, slots=True, eq=False)
class Joined:
    """Every population's neurons as one array, evaluated in one call.

    Attributes
    ----------
    cells, inputs
        The rows of every group, population after population.
    weights
        ``[i, k]``: row ``i``'s share in population ``k``'s mean (0 for another
        population's row), ``(M, n_populations)``.
    prepared
        The rows prepared for evaluation (:mod:`twin.theory.prepared`).
    """

    cells: Neurons
    inputs: Inputs
    weights: np.ndarray
    prepared: PreparedNeurons

    @classmethod
    def of(cls, groups: Sequence[NeuronGroup]) -> Joined:
        """Return the groups of the populations, in population order, joined."""
        sizes = [g.share.size for g in groups]
        weights = np.zeros((sum(sizes), len(groups)))
        start = np.cumsum([0, *sizes])
        for k, group in enumerate(groups):
            weights[start[k] : start[k + 1], k] = group.share
        cells = Neurons(
            *(np.concatenate([getattr(g.cells, f) for g in groups]) for f in _PARAMS)
        )
        inputs = Inputs(
            *(np.concatenate([getattr(g.inputs, f) for g in groups]) for f in _SUMS)
        )
        return cls(cells, inputs, weights, PreparedNeurons.of(cells, inputs))

    def population_rates(self, rates: np.ndarray, scales: Scales) -> np.ndarray:
        """Return the population rates, Hz, ``(..., *scales.shape, n)``.

        ``rates``: population rates ``(..., *scales.shape, n)``, Hz.
        """
        return np.asarray(self.prepared.rates(rates, scales) @ self.weights)


class ExpandedRates(Mapping[str, np.ndarray]):
    """Population name -> each neuron's rate, Hz, read from its group's neuron.

    A group that is a rule over its population's distinct neurons
    (:attr:`NeuronGroup.exact`) gives every neuron's own rate instead, evaluated
    when first read (one evaluation per distinct neuron) at the population rates.

    Parameters
    ----------
    rows
        Population name -> the rates of its group's ``M`` neurons.
    groups
        Population name -> its :class:`NeuronGroup`.
    rates, scales
        The population rates ``(n_populations,)``, Hz, and the variant
        (``scales.shape == ()``) the rows are at.
    """

    def __init__(
        self,
        rows: dict[str, np.ndarray],
        groups: Mapping[str, NeuronGroup],
        rates: np.ndarray,
        scales: Scales,
    ):
        self._rows, self._groups = rows, groups
        self._rates, self._scales = rates, scales
        self._read: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        group = self._groups[name]
        if group.exact is None:
            return self._rows[name][group.inverse]
        if name not in self._read:
            exact = group.exact
            own = neuron_rates(
                exact.cells, exact.inputs.drive_over(self._rates, self._scales)
            )
            self._read[name] = own[exact.inverse]
        return self._read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)
