"""The seed's realisation of the Brunel network against PyNN's own draws.

The reference is PyNN 0.13 itself on its ``mock`` backend (no NEST): the seed's
parameter cell (every neuron parameter a ``RandomDistribution`` on one shared
``NumpyRNG(200)``) given to ``Population``, the connections of
``FixedNumberPreConnector`` with one shared ``NumpyRNG(seed)``, and the seed's matrix
generator (per target neuron: presynaptic ids, then weights from the weight
distributions on ``NumpyRNG(400)``, then delays on ``NumpyRNG(300)``) loaded through
``FromListConnector``. Every array must be equal to the twin's, bit for bit.
"""

import numpy as np
import pytest
from scipy.stats import truncnorm

from experiments.brunel import BrunelConfig, build_network
from experiments.brunel.seed_network import build_seed_network
from twin.errors import ConfigError

sim = pytest.importorskip("pyNN.mock")
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: E402

INF = np.inf
#: The seed's parameter cell: name -> (distribution, mu, sigma, low, high).
SEED_CELL = {
    "tau_m": ("normal_clipped", 10.0, 2.0, 0.0, INF),
    "tau_syn_E": ("normal_clipped", 3.0, 0.4, 0.0, INF),
    "tau_syn_I": ("normal_clipped", 3.0, 0.2, 0.0, INF),
    "tau_refrac": ("normal_clipped", 2.0, 1.0, 0.0, INF),
    "cm": ("normal_clipped", 1.0, 0.0, 0.0, INF),
    "v_rest": ("normal_clipped", 0.0, 1.96, -INF, INF),
    "v_reset": ("normal_clipped", 10.0, 4.2, -INF, 0.9 * 20.0),
    "i_offset": ("normal", 0.0, 0.0, None, None),
    "v_thresh": ("normal_clipped", 20.0, 1.12, -INF, INF),
    "e_rev_E": ("normal_clipped", 140.0, 14.0, -INF, INF),
    "e_rev_I": ("normal_clipped", -140.0, 1.96, -INF, INF),
}
SEEDS = {"variation": 200, "delay": 300, "weight": 400}
#: A reduced network (250 neurons, 20 external inputs each) at a g that is not a
#: power of two.
SMALL = BrunelConfig.tiny(g=10.0, eta=2.4, c_ext=20, network="seed")


def seed_cell_parameters():
    """The seed cell's distributions, all on one shared RNG (as the seed writes it)."""
    rng = NumpyRNG(SEEDS["variation"], parallel_safe=True)
    params = {}
    for name, (dist, mu, sigma, low, high) in SEED_CELL.items():
        bounds = {} if dist == "normal" else {"low": low, "high": high}
        params[name] = RandomDistribution(dist, mu=mu, sigma=sigma, rng=rng, **bounds)
    return params


def seed_means(config):
    """The seed's connection numbers, computed as its parameter cell does."""
    d_v = 0.1 * config.scale
    tau_m, tau_syn, cm = 10.0, 3.0, 1.0
    thresh, rest, e_rev_e, e_rev_i = 20.0, 0.0, 140.0, -140.0
    w = 1.2 * (d_v * cm) / tau_syn
    nu_thresh = (thresh - rest) / (d_v * tau_m) * 1000
    nu_ext = nu_thresh * config.eta
    return {
        "exc": w / (e_rev_e - rest),
        "inh": -1 * w / (e_rev_i - rest),
        "rate": nu_ext / config.c_ext,
    }


def seed_weight_distributions(config, rng):
    """The seed's (mu, sigma) per presynaptic side: inhibitory ones scaled by g."""
    c = seed_means(config)
    sigma = {
        "inh": 0.5 * c["inh"] * config.g,
        "exc": 0.5 * c["exc"],
        "ext": 0.5 * c["exc"],
    }
    mu = {"inh": c["inh"] * config.g, "exc": c["exc"], "ext": c["exc"]}
    return {
        pre: RandomDistribution(
            "normal_clipped", mu=mu[pre], sigma=sigma[pre], low=0, high=INF, rng=rng
        )
        for pre in ("inh", "exc", "ext")
    }


def get(pop, name):
    return np.broadcast_to(np.asarray(pop.get(name), dtype=float), (pop.size,))


@pytest.fixture(scope="module")
def seed_net():
    return build_seed_network(BrunelConfig(network="seed"))


@pytest.fixture(scope="module")
def pynn_cells():
    """The seed's two populations as PyNN builds them, at the seed's size."""
    config = BrunelConfig()
    sim.setup(timestep=0.1, min_delay=0.1)
    params = seed_cell_parameters()
    pops = [
        sim.Population(n, sim.IF_cond_exp, params) for n in (config.n_exc, config.n_inh)
    ]
    values = [{name: get(pop, name).copy() for name in SEED_CELL} for pop in pops]
    sim.end()
    return values


def test_neuron_parameters_are_pynns_draws_exactly(seed_net, pynn_cells):
    for pop, reference in zip(seed_net.populations, pynn_cells, strict=True):
        for name, values in reference.items():
            assert np.array_equal(pop.parameters[name], values), (pop.name, name)


def pynn_projections(config):
    """PyNN's connections and the seed's matrix of weights and delays (mock backend)."""
    sim.setup(timestep=0.1, min_delay=0.1)
    exc = sim.Population(config.n_exc, sim.IF_cond_exp())
    inh = sim.Population(config.n_inh, sim.IF_cond_exp())
    ext = sim.Population(config.n_ext, sim.SpikeSourcePoisson(rate=1.0))
    weights = seed_weight_distributions(
        config, NumpyRNG(SEEDS["weight"], parallel_safe=True)
    )
    delay = RandomDistribution(
        "normal_clipped",
        mu=1.5,
        sigma=0.2,
        low=0.3,
        high=INF,
        rng=NumpyRNG(SEEDS["delay"], parallel_safe=True),
    )
    pops = {"exc": exc, "inh": inh, "ext": ext, "all": exc + inh}
    order = [("exc", "exc"), ("exc", "inh"), ("inh", "exc"), ("inh", "inh")]
    order.append(("ext", "all"))
    k = {"exc": config.c_exc, "inh": config.c_inh, "ext": config.c_ext}
    connector_rng = NumpyRNG(config.seed, parallel_safe=True)
    matrix_rng = NumpyRNG(config.seed, parallel_safe=True)
    out = {}
    for pre, post in order:
        connector = sim.FixedNumberPreConnector(
            k[pre],
            with_replacement=True,
            allow_self_connections=True,
            rng=connector_rng,
        )
        fixed = sim.Projection(pops[pre], pops[post], connector, sim.StaticSynapse())
        rows = []
        for target in range(pops[post].size):
            ids = matrix_rng.randint(0, pops[pre].size, k[pre])
            w = weights[pre].next(k[pre])
            d = delay.next(k[pre])
            rows += [[int(i), target, w[j], d[j]] for j, i in enumerate(ids)]
        listed = sim.Projection(
            pops[pre], pops[post], sim.FromListConnector(rows), sim.StaticSynapse()
        )
        out[pre, post] = (
            np.array(fixed.get("weight", format="list"))[:, :2].astype(np.int64),
            np.array(listed.get(["weight", "delay"], format="list")),
        )
    sim.end()
    return out


def test_connections_weights_and_delays_are_pynns_exactly():
    net = build_network(SMALL)
    reference = pynn_projections(SMALL)
    twin = {p.name: p for p in net.projections}
    for (pre, post), (fixed, listed) in reference.items():
        if post == "all":
            parts = [twin["ext->exc"], twin["ext->inh"]]
            offsets = [0, SMALL.n_exc]
        else:
            parts, offsets = [twin[f"{pre}->{post}"]], [0]
        pre_idx = np.concatenate([p.pre_idx for p in parts])
        post_idx = np.concatenate(
            [p.post_idx + o for p, o in zip(parts, offsets, strict=True)]
        )
        assert np.array_equal(pre_idx, fixed[:, 0]), (pre, post)
        assert np.array_equal(post_idx, fixed[:, 1]), (pre, post)
        assert np.array_equal(pre_idx, listed[:, 0].astype(np.int64)), (pre, post)
        assert np.array_equal(post_idx, listed[:, 1].astype(np.int64)), (pre, post)
        weight = np.concatenate([p.weight for p in parts])
        delay = np.concatenate([p.delay for p in parts])
        assert np.array_equal(weight, listed[:, 2]), (pre, post)
        assert np.array_equal(delay, listed[:, 3]), (pre, post)


def test_names_sizes_rates_and_order_are_build_networks():
    seed = build_network(SMALL)
    independent = build_network(SMALL.replace(network="independent"))
    for a, b in zip(seed.populations, independent.populations, strict=True):
        assert (a.name, a.size, a.cell_type) == (b.name, b.size, b.cell_type)
    for a, b in zip(seed.projections, independent.projections, strict=True):
        assert (a.name, a.size, a.receptor) == (b.name, b.size, b.receptor)
    assert [s.name for s in seed.sources] == ["ext"]
    assert seed.source("ext").size == SMALL.n_ext
    assert np.all(seed.source("ext").rate == seed_means(SMALL)["rate"])
    assert seed.timestep == SMALL.dt


def zscores(pop, name):
    _, mu, sigma, _, _ = SEED_CELL[name]
    return (pop.parameters[name] - mu) / sigma


def test_shared_rng_correlates_parameters_only_in_the_seed_variant(seed_net):
    exc, inh = seed_net.populations
    r = np.corrcoef(zscores(exc, "tau_m"), zscores(exc, "v_thresh"))[0, 1]
    assert r > 0.99
    # Inhibitory neuron i is excitatory neuron i (no bound was crossed for these).
    for name in ("tau_m", "v_rest", "v_thresh", "e_rev_E"):
        assert np.array_equal(inh.parameters[name], exc.parameters[name][: inh.size])
    independent = build_network(BrunelConfig())
    exc = independent.populations[0]
    r = np.corrcoef(zscores(exc, "tau_m"), zscores(exc, "v_thresh"))[0, 1]
    assert abs(r) < 0.1


def truncated(mu, sigma, low):
    return truncnorm((low - mu) / sigma, np.inf, loc=mu, scale=sigma)


def test_weights_and_delays_follow_their_distributions(seed_net):
    config = BrunelConfig(network="seed")
    c = seed_means(config)
    for proj in seed_net.projections:
        mu = c["inh"] * config.g if proj.pre == "inh" else c["exc"]
        for values, dist in (
            (proj.weight, truncated(mu, 0.5 * mu, 0.0)),
            (proj.delay, truncated(1.5, 0.2, config.delay_min)),
        ):
            assert values.min() >= dist.support()[0]
            # The mean of the redrawn normal within 5 standard errors.
            se = dist.std() / np.sqrt(values.size)
            assert values.mean() == pytest.approx(dist.mean(), abs=5 * se)


def test_without_variation_everything_is_the_mean():
    config = SMALL.replace(variation=False)
    net = build_network(config)
    c = seed_means(config)
    for pop in net.populations:
        for name, (_, mu, _, _, _) in SEED_CELL.items():
            assert np.all(pop.parameters[name] == mu), name
    for proj in net.projections:
        mu = c["inh"] * config.g if proj.pre == "inh" else c["exc"]
        assert np.all(proj.weight == mu)
        assert np.all(proj.delay == config.delay_mean)


def test_same_config_same_network_other_network_seed_other_connections():
    assert build_network(SMALL) == build_network(SMALL)
    other = build_network(SMALL.replace(seed=SMALL.seed + 1))
    net = build_network(SMALL)
    assert not np.array_equal(net.projections[0].pre_idx, other.projections[0].pre_idx)
    # The network seed draws the connections only.
    for a, b in zip(net.populations, other.populations, strict=True):
        assert a == b
    for a, b in zip(net.projections, other.projections, strict=True):
        assert np.array_equal(a.weight, b.weight)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"network": "pynn"}, r"network = 'pynn'.*'independent', 'seed'"),
        ({"network": "seed", "seed": -1}, r"seed = -1 with network='seed'.*2\*\*32"),
        ({"network": "seed", "seed": 2**32}, r"seed = 4294967296"),
    ],
)
def test_invalid_realisations_raise(change, match):
    with pytest.raises(ConfigError, match=match):
        BrunelConfig(**change)
