"""``pool_inputs(n_sources, in_degree)``: independent generators -> a shared pool.

Rule (the seed, ``brunel_bss1.md`` §1.2-1.3; ``experiments.brunel.network``): the
external drive of every neuron, independent Poisson generators used by one synapse
each (one generator per neuron at the total rate, or ``C_ext`` generators per neuron),
is replaced by ``n_sources`` shared Poisson sources; every neuron draws ``in_degree``
of them uniformly with replacement (the seed: 2,083 sources, 200 each), each at

    rate = total external rate per neuron / in_degree

(the seed's ``eta nu_thresh / C_ext``), so each neuron's input rate and mean input
are kept. Weights, delays and short-term plasticity are copied from the replaced
synapses (:func:`twin.adapt.connectivity.bootstrap`). What changes: two neurons now
share on average ``in_degree^2 / n_sources`` input sources (a fraction
``in_degree / n_sources`` of their inputs), so their inputs are correlated.

Randomness: one stream per target population (``adapt.pool_inputs``, seed,
population name).
"""

from __future__ import annotations

import numpy as np

from twin.adapt.checks import check_positive, n_plastic, stream
from twin.adapt.connectivity import bootstrap, draw_fixed_in_degree
from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.errors import AdaptError
from twin.network import Network, PoissonSource, Projection
from twin.streams import rng

__all__ = ["POOL_NAME", "pool_inputs"]

_STEP = "pool_inputs"
#: Name of the shared pool (the seed's ``ext``).
POOL_NAME = "ext"


def pool_inputs(n_sources: int, in_degree: int, *, seed: int) -> Step:
    """Return the step that pools independent Poisson inputs (see the module's rule).

    Parameters
    ----------
    n_sources
        Size of the shared pool (the seed: 2,083, its N).
    in_degree
        Connections from the pool per neuron (the seed: 200).
    seed
        Seed of the drawn connections.

    Returns
    -------
    Step
        ``"pool_inputs"``.

    Raises
    ------
    AdaptError
        If ``n_sources`` or ``in_degree`` is not a positive integer or ``seed`` not
        an integer; when applied, if the network has no independent Poisson input, a
        source named ``ext`` already, independent inputs on both receptors, or total
        external rates that differ between neurons (one pool has one rate).
    """
    for name, value in (("n_sources", n_sources), ("in_degree", in_degree)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise AdaptError(f"pool_inputs: {name} = {value!r}; give an integer")
        check_positive(_STEP, name, value)
    stream(_STEP, seed)

    def apply(network: Network) -> tuple[Network, StepReport]:
        return _pool(network, int(n_sources), int(in_degree), seed)

    return Step(_STEP, apply)


def _independent(network: Network) -> list[PoissonSource]:
    """Return the Poisson sources whose every generator drives at most one synapse."""
    out = []
    for src in network.sources:
        if not isinstance(src, PoissonSource):
            continue
        projs = list(network.projections_from(src.name))
        if not projs:
            continue
        pre = np.concatenate([p.pre_idx for p in projs])
        if np.all(np.bincount(pre, minlength=src.size) <= 1):
            out.append(src)
    return out


def _total_rates(
    network: Network, sources: list[PoissonSource]
) -> dict[str, np.ndarray]:
    """Return, per target population, each neuron's total independent input rate."""
    totals = {p.name: np.zeros(p.size) for p in network.populations}
    for src in sources:
        rate = np.asarray(src.rate)
        for proj in network.projections_from(src.name):
            np.add.at(totals[proj.post], proj.post_idx, rate[proj.pre_idx])
    return totals


def _pool(
    network: Network, n_sources: int, in_degree: int, seed: int
) -> tuple[Network, StepReport]:
    replaced = _independent(network)
    if not replaced:
        raise AdaptError(
            "pool_inputs: the network has no independent Poisson input (generators "
            "each driving one synapse); nothing to pool"
        )
    if network.is_source(POOL_NAME):
        raise AdaptError(
            f"pool_inputs: the network has a source called {POOL_NAME!r} already; "
            "rename it"
        )
    names = {s.name for s in replaced}
    old = [p for p in network.projections if p.pre in names]
    receptors = {p.receptor for p in old}
    if len(receptors) > 1:
        raise AdaptError(
            "pool_inputs: independent inputs arrive on both receptors; one pool "
            "drives one receptor, pool each kind separately"
        )
    totals = _total_rates(network, replaced)
    fed = {p.post for p in old}
    rates = np.concatenate([totals[name] for name in sorted(fed)])
    if not np.allclose(rates, rates[0], rtol=1e-12, atol=0):
        raise AdaptError(
            f"pool_inputs: total external rates per neuron range from {rates.min():g} "
            f"to {rates.max():g} Hz; a shared pool has one rate, pool networks whose "
            "neurons have one total input rate"
        )
    rate = float(rates[0]) / in_degree
    projections = [p for p in network.projections if p.pre not in names]
    numbers: dict[str, float] = {
        "n_sources": n_sources,
        "in_degree": in_degree,
        "total_rate": float(rates[0]),
        "rate_per_source": rate,
        "shared_fraction": in_degree / n_sources,
        "sources_replaced": sum(s.size for s in replaced),
    }
    for post in sorted(fed):
        gen = rng(stream(_STEP, seed, ("population", post)))
        mine = [p for p in old if p.post == post]
        template = mine[0] if len(mine) == 1 else _concat(mine)
        pre_idx, post_idx = draw_fixed_in_degree(
            gen, n_sources, network.population(post).size, in_degree
        )
        new = bootstrap(gen, template, pre_idx, post_idx).replace(
            pre=POOL_NAME, name=f"{POOL_NAME}->{post}"
        )
        projections.append(new)
        numbers[f"in_degree_before[{post}]"] = sum(p.size for p in mine) / (
            network.population(post).size
        )
    pool = PoissonSource(name=POOL_NAME, size=n_sources, rate=rate)
    sources = (*(s for s in network.sources if s.name not in names), pool)
    out = network.replace(sources=sources, projections=tuple(projections))
    return out, StepReport(
        step=_STEP,
        formula=f"{n_sources} shared sources x {in_degree} per neuron (with "
        f"replacement), rate = total / {in_degree}",
        source="the seed's ext_pool (brunel_bss1.md §1.2: 2,083 sources, C_ext 200, "
        "rate eta nu_thresh / C_ext)",
        numbers=numbers,
        notes=(
            f"replaced sources: {sorted(names)}",
            "each neuron's total input rate and mean input kept; inputs now shared: "
            f"a fraction {in_degree / n_sources:.3g} of two neurons' inputs in common",
            f"{n_plastic(network)} plastic projections in the network (pooled "
            "synapses copy the parameters of replaced ones)",
        ),
    )


def _concat(projs: list[Projection]) -> Projection:
    """Return one projection holding the synapses of several (as a template)."""
    first = projs[0]
    subsets = [p.subset(np.arange(p.size)) for p in projs]
    stp = [p.stp for p in subsets]
    if any(s is not None for s in stp):
        raise AdaptError(
            f"pool_inputs: plastic independent inputs from several sources onto "
            f"{first.post!r}; pool them one source at a time"
        )
    return first.replace(
        pre_idx=np.concatenate([p.pre_idx for p in subsets]),
        post_idx=np.concatenate([p.post_idx for p in subsets]),
        weight=np.concatenate([p.weight for p in subsets]),
        delay=np.concatenate([p.delay for p in subsets]),
    )
