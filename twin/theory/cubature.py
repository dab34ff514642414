r"""A population's mean rate over its neurons' parameter distribution, by cubature.

With parameter and weight variation (the hardware tier's fixed-pattern spreads, 4-bit
weights) every neuron of a population is distinct, and the exact population rate
:math:`\bar\nu = \frac1N \sum_i \phi_i` costs one evaluation per neuron at every step
of the self-consistent solve. The spreads are many-dimensional (nine neuron parameters
and six input sums in the seed network), so a tensor Gauss-Hermite rule is out of
reach, and clustering the parameters is no good either: the rate depends on them
through a few strongly nonlinear combinations. What is low-dimensional is the neurons'
*response*: every neuron's rate is a smooth function of the operating point (the
population rates and the variant's scales).

The rule is an empirical cubature (An, Kim & James 2008, ACM Trans Graph 27, 165;
Hernández, Caicedo & Ferrer 2017, Comput Methods Appl Mech Eng 313, 687). Anchors: the
closure with one mean neuron per population, solved from silence at the batch's
variants (at most :data:`ANCHORS_PER_AXIS` squared of them spanning its range).
Probes: ``K`` operating
points around the anchors, drawn with an explicit seed (each population's rate within
a factor :data:`PROBE_SPAN` of its anchor's, log-uniform; the scales within
:data:`SCALE_JITTER`). Every neuron is evaluated at every probe, giving the snapshot
matrix :math:`\Phi_{ki} = \phi_i(x_k)`, each row divided by its mean (relative accuracy
at every probe). Its ``r = nodes - 1`` leading left singular vectors :math:`U_r` span
the responses; non-negative weights :math:`w` with

.. math:: U_r^\top \Phi\, w = U_r^\top \Phi\, \tfrac{1}{N}\mathbf{1}, \qquad
          \textstyle\sum_i w_i = 1, \qquad w \ge 0

are found by non-negative least squares (Lawson & Hanson 1974), which keeps at most
``nodes`` neurons. The population rate is then :math:`\sum_i w_i \phi_i` over real
neurons with their own parameters: exact at the probes up to the dropped singular
values, and accurate in between as far as the responses are smooth. A population
whose distinct neurons are no more than ``nodes`` is kept exact
(:meth:`twin.theory.plane_groups.NeuronGroup.distinct`).

Accuracy (``tests/theory/test_cubature.py``, the seed network with its spreads, at the
exact fixed points of its 16-point grid): the population transfer (the mean rate for
given population rates) is within :data:`TOLERANCE` (1 %) of the per-neuron mean with
the default :data:`NODES` (32), and the error falls as the nodes grow (8: ~21 %,
16: ~6 %, 32: ~0.4 %, 64: ~0.04 %, the largest over the grid, with
:data:`PROBES_PER_NODE` probes per node; two per node gave 21, 4.5, 0.43 and
0.05 %). The self-consistent rate amplifies a transfer error by :math:`1/(1 - F')`:
near the transition (g 4, where :math:`F'` approaches 1) the fixed point moved by
up to ~3 % (over other probe seeds, measured with two probes per node; 1.0 % with
:data:`SEED`), elsewhere below 1 %. The microcircuit (8 populations,
fixed-probability in-degrees, 7,713 neurons): every population's rate within 0.1 %
(0.06 %) of the per-neuron solve.
Each neuron's own rate, where asked for (:attr:`NetworkRates.neuron_rates`), is
evaluated for that neuron at the fixed point when first read (so their mean differs
from the cubature's population rate by the rule's error); the neuron-resolved fixed
point (:func:`twin.theory.resolve_neurons`) iterates every neuron itself, and
``neurons="each"`` solves with every neuron.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.optimize import nnls

from twin.theory.connectivity import Scales
from twin.theory.fixed_point import solve_points
from twin.theory.plane_groups import Joined, NeuronGroup

__all__ = [
    "ANCHORS_PER_AXIS",
    "ANCHOR_STARTS",
    "NODES",
    "PROBES_PER_NODE",
    "PROBE_FLOOR_HZ",
    "PROBE_SPAN",
    "SCALE_JITTER",
    "SEED",
    "TOLERANCE",
    "Probes",
    "anchor_probes",
    "cubature_group",
]

#: Default largest number of nodes (neurons) per population.
NODES: Final = 32
#: Probe operating points per node (one: the snapshot matrix has the rank the
#: rule uses; more probes did not make the rule more accurate on the seed network).
PROBES_PER_NODE: Final = 1
#: Probes lie within this factor of their anchor's population rates (log-uniform).
PROBE_SPAN: Final = 2.0
#: Added to an anchor's rates before the factor, Hz (a silent anchor still probes).
PROBE_FLOOR_HZ: Final = 1.0
#: Relative jitter of the probes' scales around their anchor's.
SCALE_JITTER: Final = 0.1
#: Anchors per scale axis: the mean closure is solved on at most this squared many
#: variants spanning the batch.
ANCHORS_PER_AXIS: Final = 4
#: Start rates of the anchors' solve, Hz: from silence, the closure's lowest stable
#: fixed point (the anchor needs no other).
ANCHOR_STARTS: Final = (0.0,)
#: Seed of the probes' draw.
SEED: Final = 26
#: Relative error of the population transfer against the per-neuron mean that the
#: default rule keeps (stated and tested for the seed network's spreads).
TOLERANCE: Final = 0.01
#: Added to every probe's mean rate before the rows are scaled by it, Hz.
_FLOOR_HZ: Final = 0.01


@dataclass(frozen=True, slots=True, eq=False)
class Probes:
    """Operating points at which the neurons' responses are sampled.

    Attributes
    ----------
    rates
        Population rates, Hz, ``(K, n_populations)``.
    scales
        The variants' factors at each probe, shape ``(K,)``.
    """

    rates: np.ndarray
    scales: Scales

    @classmethod
    def around(
        cls,
        anchors: np.ndarray,
        g_scale: np.ndarray,
        rate_scale: np.ndarray,
        per_anchor: int,
        seed: int = SEED,
    ) -> Probes:
        """Return ``per_anchor`` probes around each anchor operating point.

        Parameters
        ----------
        anchors
            Population rates, Hz, ``(A, n_populations)`` (finite, ``>= 0``).
        g_scale, rate_scale
            The anchors' scales, ``(A,)`` each.
        per_anchor
            Probes per anchor (``>= 1``).
        seed
            Seed of the draw.

        Returns
        -------
        Probes
            ``(anchor rate + PROBE_FLOOR_HZ)`` times a factor log-uniform in
            ``[1 / PROBE_SPAN, PROBE_SPAN]``, every population on its own; the
            scales the anchor's times a factor uniform in ``1 +- SCALE_JITTER``.
        """
        rng = np.random.default_rng(seed)
        at = np.repeat(np.arange(anchors.shape[0]), per_anchor)
        span = np.log(PROBE_SPAN)
        factor = np.exp(rng.uniform(-span, span, (at.size, anchors.shape[1])))
        rates = (anchors[at] + PROBE_FLOOR_HZ) * factor
        jitter = rng.uniform(1 - SCALE_JITTER, 1 + SCALE_JITTER, (2, at.size))
        return cls(
            rates, Scales.of(g_scale[at] * jitter[0], rate_scale[at] * jitter[1])
        )


def _weights(snapshots: np.ndarray, nodes: int) -> np.ndarray:
    """Return non-negative weights, at most ``nodes`` non-zero, summing to 1.

    ``snapshots``: the neurons' responses ``(K, N)``, rows scaled.
    """
    n = snapshots.shape[1]
    left, values, _ = np.linalg.svd(snapshots, full_matrices=False)
    rank = min(nodes - 1, int(np.sum(values > values[0] * 1e-12)))
    reduced = left[:, :rank].T @ snapshots  # (rank, N)
    system = np.vstack([reduced, np.ones((1, n))])
    target = system.mean(axis=1)
    weights, _ = nnls(system, target, maxiter=50 * n)
    return np.asarray(weights / weights.sum())  # the last row: sum 1 already, nearly


def cubature_group(
    exact: NeuronGroup, probes: Probes, nodes: int = NODES
) -> NeuronGroup:
    """Return a population as at most ``nodes`` weighted neurons (its cubature).

    Parameters
    ----------
    exact
        The population's distinct neurons (:meth:`NeuronGroup.distinct`).
    probes
        The operating points of the snapshots (:func:`anchor_probes`).
    nodes
        Largest number of neurons kept (``>= 1``).

    Returns
    -------
    NeuronGroup
        The distinct neurons where they are no more than ``nodes`` (exact);
        otherwise the cubature's nodes with their weights as ``share``, each
        neuron's nearest node (in scaled response) as ``inverse`` and ``exact``
        the distinct neurons; the distinct
        neurons too where the least-squares solver does not converge.
    """
    if exact.share.size <= nodes:
        return exact
    distinct = exact.rates(probes.rates, probes.scales)  # (K, M)
    snapshots = distinct[:, exact.inverse]  # every neuron: (K, N)
    snapshots = snapshots / (snapshots.mean(axis=1, keepdims=True) + _FLOOR_HZ)
    try:
        weights = _weights(snapshots, max(1, nodes))
    except RuntimeError:  # scipy < 1.12: nnls's iteration limit
        return exact
    pick = np.flatnonzero(weights > 0)
    kept = snapshots[:, pick]
    nearest = np.argmin(
        (snapshots * snapshots).sum(0)[:, None]
        - 2.0 * snapshots.T @ kept
        + (kept * kept).sum(0)[None, :],
        axis=1,
    )
    rows = exact.inverse[pick]  # the distinct neurons the nodes are
    rule = NeuronGroup._of(exact.cells, exact.inputs, rows, weights[pick], nearest)
    return dataclasses.replace(rule, exact=exact)


def anchor_probes(
    means: Sequence[NeuronGroup],
    names: Sequence[str],
    g_scale: np.ndarray,
    rate_scale: np.ndarray,
    count: int,
) -> Probes:
    """Return about ``count`` probes around the mean closure's fixed points.

    The anchors are the batch's distinct variants, or where there are more than
    ``ANCHORS_PER_AXIS**2`` of them, a grid of that many spanning the batch's
    range; at each the closure with one mean neuron per population is solved
    (its first fixed point; rate 0 where none converged).

    Parameters
    ----------
    means
        Each population's mean neuron (:meth:`NeuronGroup.mean`), population order.
    names
        The populations.
    g_scale, rate_scale
        The batch's variants, 1-d, equal length.
    count
        Probes wanted in all (``>= 1``).
    """
    pairs = np.unique(np.stack([g_scale, rate_scale], axis=1), axis=0)
    if pairs.shape[0] > ANCHORS_PER_AXIS**2:
        axes = [np.linspace(c.min(), c.max(), ANCHORS_PER_AXIS) for c in pairs.T]
        pairs = np.stack([x.ravel() for x in np.meshgrid(*axes)], axis=1)
    joined = Joined.of(means)
    scales = Scales.of(pairs[:, 0], pairs[:, 1])

    def transfer(rates: np.ndarray, point: np.ndarray) -> np.ndarray:
        return joined.population_rates(rates, scales.at(point))

    found = solve_points(transfer, names, pairs.shape[0], starts=ANCHOR_STARTS)
    anchors = np.array(
        [
            s.fixed_points[0].rates if s.fixed_points else np.zeros(len(names))
            for s in found
        ]
    )
    per_anchor = max(1, -(-count // pairs.shape[0]))
    return Probes.around(anchors, pairs[:, 0], pairs[:, 1], per_anchor)
