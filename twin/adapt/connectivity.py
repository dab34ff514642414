"""What kind of connectivity a realised projection has, and drawing it again.

A realised projection is COO arrays; the adaptation steps that change sizes
(:func:`twin.adapt.downscale`, :func:`twin.adapt.pool_inputs`) recognise its rule from
the arrays and draw the rule again at the new sizes:

- ``"one_to_one"``: as many synapses as targets and sources, every target and every
  source used once (PyNN's ``OneToOneConnector``; one Poisson generator per neuron);
- ``"fixed_in_degree"``: every target has the same number ``c`` of synapses (PyNN's
  ``FixedNumberPreConnector``, NEST's ``fixed_indegree``; the seed's rule), drawn
  again with replacement if the original has a multapse (the seed's and NEST's
  default), without if it has none (PyNN's default);
- ``"probability"``: anything else, taken as independent connections with probability
  ``p = n_synapses / (n_pre n_post)`` (PyNN's ``FixedProbabilityConnector``;
  ``AllToAllConnector`` is ``p = 1``, recognised before a fixed in-degree).

Redrawn synapses take the weight, delay and short-term plasticity of a synapse of
the original projection chosen uniformly at random (a bootstrap of the projection's
synapses), so heterogeneous weights keep their distribution and plastic synapses
carry their parameters.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from twin.projection import Projection

__all__ = [
    "Rule",
    "bootstrap",
    "draw_fixed_in_degree",
    "draw_probability",
    "has_multapses",
    "rule_of",
]

Rule = Literal["one_to_one", "fixed_in_degree", "probability"]
_CHUNK = 1 << 22  # Bernoulli draws per block (memory bound of draw_probability)


def rule_of(proj: Projection, n_pre: int, n_post: int) -> tuple[Rule, float]:
    """Return the connectivity rule of ``proj`` and its parameter.

    Parameters
    ----------
    proj
        The projection.
    n_pre, n_post
        Sizes of its presynaptic and postsynaptic sides.

    Returns
    -------
    rule, value
        ``("one_to_one", 1)``, ``("fixed_in_degree", c)`` or ``("probability", p)``.
    """
    counts = np.bincount(proj.post_idx, minlength=n_post)
    if (
        n_pre == n_post == proj.size
        and np.all(counts == 1)
        and np.all(np.bincount(proj.pre_idx, minlength=n_pre) == 1)
    ):
        return "one_to_one", 1.0
    if proj.size == n_pre * n_post and not has_multapses(proj, n_post):
        return "probability", 1.0  # all to all
    if proj.size and np.all(counts == counts[0]):
        return "fixed_in_degree", float(counts[0])
    return "probability", proj.size / (n_pre * n_post)


def has_multapses(proj: Projection, n_post: int) -> bool:
    """Return whether some (pre, post) pair of ``proj`` has more than one synapse."""
    pairs = proj.pre_idx * n_post + proj.post_idx
    return bool(np.unique(pairs).size < pairs.size)


def draw_fixed_in_degree(
    rng: np.random.Generator, n_pre: int, n_post: int, c: int, *, replace: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``c`` sources per target, uniformly.

    With replacement: the seed's rule (``brunel_bss1.md`` §1.2: fixed in-degree,
    sources drawn with replacement, autapses and multapses allowed; NEST's
    ``fixed_indegree`` default). Without (``c <= n_pre``): ``c`` distinct sources per
    target (PyNN's ``FixedNumberPreConnector`` default).

    Returns
    -------
    pre_idx, post_idx
        Shape ``(c n_post,)`` each; targets in ascending order.
    """
    post = np.repeat(np.arange(n_post), c)
    if replace:
        return rng.integers(0, n_pre, post.size), post
    rows = max(1, _CHUNK // max(n_pre, 1))
    parts = [
        np.argpartition(rng.random((min(rows, n_post - start), n_pre)), c - 1, axis=1)[
            :, :c
        ].ravel()
        for start in range(0, n_post, rows)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64), post


def draw_probability(
    rng: np.random.Generator, n_pre: int, n_post: int, p: float
) -> tuple[np.ndarray, np.ndarray]:
    """Connect every (source, target) pair independently with probability ``p``.

    Returns
    -------
    pre_idx, post_idx
        The connected pairs, targets in ascending order (no multapses).
    """
    pre_parts, post_parts = [], []
    rows = max(1, _CHUNK // max(n_pre, 1))
    for start in range(0, n_post, rows):
        stop = min(n_post, start + rows)
        post, pre = np.nonzero(rng.random((stop - start, n_pre)) < p)
        pre_parts.append(pre)
        post_parts.append(post + start)
    return np.concatenate(pre_parts), np.concatenate(post_parts)


def bootstrap(
    rng: np.random.Generator,
    proj: Projection,
    pre_idx: np.ndarray,
    post_idx: np.ndarray,
    weight_factor: float = 1.0,
) -> Projection:
    """Return ``proj`` with new endpoints; each synapse copies a random original one.

    Parameters
    ----------
    rng
        Generator of the choice of original synapses.
    proj
        The original projection (at least one synapse when ``pre_idx`` is not empty).
    pre_idx, post_idx
        The new endpoints.
    weight_factor
        Factor on every copied weight.

    Returns
    -------
    Projection
        Same name, endpoints and receptor; weights, delays and short-term plasticity
        drawn from the original synapses.
    """
    pick = rng.integers(0, max(proj.size, 1), pre_idx.size)
    copied = proj.subset(pick)
    return copied.replace(
        pre_idx=pre_idx, post_idx=post_idx, weight=copied.weight * weight_factor
    )
