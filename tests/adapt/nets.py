"""Small networks for the adaptation tests (built here, not from the steps)."""

from __future__ import annotations

import numpy as np

from twin.network import Network, PoissonSource, Population, Projection


def brunel_like(
    n_exc: int = 1000,
    n_inh: int = 250,
    c_exc: int = 100,
    c_inh: int = 25,
    *,
    cell_type: str = "IF_curr_alpha",
    j: float = 0.1,
    g: float = 5.0,
    rate: float = 1000.0,
    seed: int = 0,
) -> Network:
    """Return a two-population network with fixed in-degrees and one generator per
    neuron (one-to-one), the shape of Brunel's model A and PyNN's brunel.py."""
    gen = np.random.default_rng(seed)
    sizes = {"E": n_exc, "I": n_inh}
    conductance = cell_type.startswith("IF_cond")
    pops = tuple(
        Population(
            name=n, size=s, cell_type=cell_type, parameters={"tau_m": np.full(s, 20.0)}
        )
        for n, s in sizes.items()
    )
    projections = []
    for pre, c in (("E", c_exc), ("I", c_inh)):
        for post, n_post in sizes.items():
            w = j if pre == "E" else (g * j if conductance else -g * j)
            projections.append(
                Projection(
                    pre=pre,
                    post=post,
                    pre_idx=gen.integers(0, sizes[pre], c * n_post),
                    post_idx=np.repeat(np.arange(n_post), c),
                    weight=np.full(c * n_post, w),
                    delay=np.full(c * n_post, 1.5),
                    receptor="excitatory" if pre == "E" else "inhibitory",
                )
            )
    sources = []
    for post, n_post in sizes.items():
        sources.append(PoissonSource(name=f"ext_{post}", size=n_post, rate=rate))
        projections.append(
            Projection(
                pre=f"ext_{post}",
                post=post,
                pre_idx=np.arange(n_post),
                post_idx=np.arange(n_post),
                weight=np.full(n_post, j),
                delay=np.full(n_post, 0.1),
            )
        )
    return Network(
        populations=pops, sources=tuple(sources), projections=tuple(projections)
    )
