"""``build_network``: Brunel's model A (one :class:`Brunel2000Config`) as a ``Network``.

Populations ``exc`` and ``inh`` (``IF_curr_alpha``, rest 0 mV), fixed in-degrees drawn
with replacement (NEST's ``fixed_indegree`` and the seed's rule,
:func:`twin.adapt.connectivity.draw_fixed_in_degree`), one Poisson generator per
neuron (sources ``ext_exc`` and ``ext_inh``, one-to-one) at ``C_E eta nu_thr``, every
delay D (the external ones too; ``brunel.py`` gives those one timestep, which only
shifts independent Poisson input). Neurons start at rest: ``brunel.py``'s uniform
initial potentials are an initial state, which a ``Network`` does not hold.

Randomness: one stream per projection (:mod:`twin.streams`: ``brunel2000.network``,
seed, projection).
"""

from __future__ import annotations

import numpy as np

from experiments.brunel2000.config import Brunel2000Config
from twin.adapt.connectivity import draw_fixed_in_degree
from twin.network import Network, PoissonSource, Population, Projection
from twin.streams import rng

__all__ = ["build_network"]


def build_network(config: Brunel2000Config) -> Network:
    """Build Brunel's model A at ``config``'s point and scale.

    Parameters
    ----------
    config
        The point (g, eta), scale and seed.

    Returns
    -------
    Network
        Populations ``exc``, ``inh``; sources ``ext_exc``, ``ext_inh``; projections
        ``exc->exc``, ``exc->inh``, ``inh->exc``, ``inh->inh``, ``ext_exc->exc``,
        ``ext_inh->inh``. At scale 1: 12,500 neurons and 12.5 million synapses.

    Examples
    --------
    >>> net = build_network(Brunel2000Config(scale=50))
    >>> [p.size for p in net.populations], net.n_synapses
    ([200, 50], 6500)
    """
    c = config
    params = {
        "tau_m": c.tau_m, "cm": c.cm, "v_rest": 0.0, "v_reset": c.v_reset,
        "v_thresh": c.theta, "tau_refrac": c.tau_refrac, "tau_syn_E": c.tau_syn,
        "tau_syn_I": c.tau_syn, "i_offset": 0.0,
    }  # fmt: skip
    sizes = {"exc": c.n_exc, "inh": c.n_inh}
    populations = tuple(
        Population(
            name=name,
            size=n,
            cell_type="IF_curr_alpha",
            parameters={k: np.full(n, v) for k, v in params.items()},
        )
        for name, n in sizes.items()
    )
    weights = {"exc": c.weight, "inh": -c.g * c.weight}
    in_degree = {"exc": c.c_exc, "inh": c.c_inh}
    projections = []
    for pre in ("exc", "inh"):
        for post, n_post in sizes.items():
            name = f"{pre}->{post}"
            gen = rng((("stream", "brunel2000.network"), ("seed", c.seed), ("p", name)))
            pre_idx, post_idx = draw_fixed_in_degree(
                gen, sizes[pre], n_post, in_degree[pre]
            )
            projections.append(
                Projection(
                    pre=pre,
                    post=post,
                    pre_idx=pre_idx,
                    post_idx=post_idx,
                    weight=np.full(pre_idx.size, weights[pre]),
                    delay=np.full(pre_idx.size, c.delay),
                    receptor="excitatory" if pre == "exc" else "inhibitory",
                )
            )
    sources = tuple(
        PoissonSource(name=f"ext_{post}", size=n, rate=c.ext_rate)
        for post, n in sizes.items()
    )
    for post, n in sizes.items():
        projections.append(
            Projection(
                pre=f"ext_{post}",
                post=post,
                pre_idx=np.arange(n),
                post_idx=np.arange(n),
                weight=np.full(n, c.weight),
                delay=np.full(n, c.delay),
            )
        )
    return Network(
        populations=populations,
        sources=sources,
        projections=tuple(projections),
        timestep=c.dt,
    )
