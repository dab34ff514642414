"""One script, two simulators: the same random draws and delays as ``pyNN.nest``.

Connectors, ``Projection.set``, ``Population.set`` (also of views and assemblies),
``initialize`` and creation with ``RandomDistribution`` values must give, value for
value, what ``pyNN.nest`` gives, so that one script builds one network instance on
both. Delays are compared as ``pyNN.nest`` reports them (realised on the step grid),
and the delay limits of ``setup`` refuse what NEST refuses.
"""

import warnings

import numpy as np
import pytest

import twin.pynn as twin_pynn

pytestmark = pytest.mark.nest


def _both(nest_sim, script, *args):
    """Return ``script(sim, *args)`` on the twin and on pyNN.nest."""
    twin = script(twin_pynn, *args)
    with warnings.catch_warnings():  # NEST's deprecation notes through PyNN
        warnings.simplefilter("ignore")
        nest = script(nest_sim, *args)
    return twin, nest


def _connections(sim, proj):
    """(pre, post, weight, delay) rows of ``proj``, sorted (NEST's order differs)."""
    if hasattr(sim.simulator.state, "stale_connection_cache"):
        # pyNN.nest keeps a projection's connections cached across later Connect
        # calls that reorder NEST's connections; read them afresh
        sim.simulator.state.stale_connection_cache = True
    rows = proj.get(["weight", "delay"], format="list")
    return np.array(sorted(tuple(map(float, r)) for r in rows))


def _initial(sim, pop, variable):
    """The initial value each cell starts from (pyNN.nest: NEST's state)."""
    if hasattr(pop, "node_collection"):
        import nest

        name = {"v": "V_m", "w": "w"}[variable]
        return np.array(nest.GetStatus(pop.node_collection, name), dtype=float)
    return np.array(pop._initial[variable], dtype=float)


CONNECTORS = {
    "AllToAll": lambda sim, rng: sim.AllToAllConnector(),
    "FixedProbability": lambda sim, rng: sim.FixedProbabilityConnector(0.4, rng=rng),
    "FixedNumberPre": lambda sim, rng: sim.FixedNumberPreConnector(3, rng=rng),
    "FixedNumberPost with replacement": lambda sim, rng: sim.FixedNumberPostConnector(
        4, with_replacement=True, rng=rng
    ),
    "FromList with multapses": lambda sim, rng: sim.FromListConnector(
        [(0, 1), (5, 3), (2, 0), (2, 0), (1, 2), (6, 4), (3, 3)]
    ),
}


def _projections(sim, receptor):
    """Every connector with random weights and delays, then ``set`` to new ones."""
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=5.0)
    rng = sim.NumpyRNG(seed=5)
    pre = sim.Population(7, sim.IF_cond_exp())
    post = sim.Population(5, sim.IF_cond_exp())
    weight = sim.RandomDistribution("uniform", (0.0, 0.1), rng=rng)
    delay = sim.RandomDistribution(
        "normal_clipped", mu=1.5, sigma=1.0, low=0.1, high=4.0, rng=rng
    )
    made, changed = {}, {}
    projections = {}
    for name, connector in CONNECTORS.items():
        projections[name] = sim.Projection(
            pre,
            post[1:] if name == "FixedProbability" else post,
            connector(sim, rng),
            sim.StaticSynapse(weight=weight, delay=delay),
            receptor_type=receptor,
        )
    for name, proj in projections.items():
        made[name] = _connections(sim, proj)
    for name, proj in projections.items():
        proj.set(
            weight=sim.RandomDistribution("uniform", (0.0, 0.1), rng=rng),
            delay=sim.RandomDistribution("uniform", (0.1, 3.0), rng=rng),
        )
        changed[name] = _connections(sim, proj)
    after = rng.next(4)
    sim.end()
    return made, changed, after


@pytest.mark.parametrize("receptor", ["excitatory", "inhibitory"])
def test_connectors_and_projection_set_draw_as_pynn_nest(nest_sim, receptor):
    """Weights and delays of every connector, and of ``set`` on the same
    connections (row-major over the full matrix), equal pyNN.nest's."""
    twin, nest = _both(nest_sim, _projections, receptor)
    for stage in (0, 1):
        for name in CONNECTORS:
            a, b = twin[stage][name], nest[stage][name]
            assert a.shape == b.shape, name
            assert a.shape[0] > 0, name
            np.testing.assert_array_equal(a[:, :2], b[:, :2], err_msg=name)
            np.testing.assert_allclose(a[:, 2:], b[:, 2:], rtol=1e-12, err_msg=name)
    np.testing.assert_array_equal(twin[2], nest[2])  # as many numbers drawn


def test_the_issue_s_example_draws_as_pynn_nest(nest_sim):
    """``set(weight=RandomDistribution(..., NumpyRNG(5)))`` on a few connections."""

    def script(sim):
        sim.setup(timestep=0.1)
        a = sim.Population(3, sim.IF_cond_exp())
        b = sim.Population(4, sim.IF_cond_exp())
        pairs = [(0, 1), (2, 3), (1, 0), (0, 2)]
        proj = sim.Projection(a, b, sim.FromListConnector(pairs))
        rng = sim.NumpyRNG(5)
        proj.set(weight=sim.RandomDistribution("uniform", (0.0, 1.0), rng=rng))
        weights = proj.get("weight", format="array")
        sim.end()
        return weights

    twin, nest = _both(nest_sim, script)
    np.testing.assert_allclose(twin, nest, rtol=1e-12)
    # row-major over the full 3 x 4 matrix: element (0, 1) is the second draw
    draws = np.random.RandomState(5).uniform(0.0, 1.0, size=12).reshape(3, 4)
    assert twin[0, 1] == pytest.approx(draws[0, 1], rel=1e-12)


def _populations(sim):
    """Creation, ``set`` (population, view, assembly) and ``initialize``, random."""
    sim.setup(timestep=0.1)
    rng = sim.NumpyRNG(seed=11)

    def uniform(low, high):
        return sim.RandomDistribution("uniform", (low, high), rng=rng)

    a = sim.Population(
        6,
        sim.IF_cond_exp(
            tau_m=uniform(10.0, 20.0),
            cm=uniform(0.5, 1.5),
            v_thresh=sim.RandomDistribution(
                "normal_clipped", mu=-50.0, sigma=3.0, low=-55.0, high=-45.0, rng=rng
            ),
        ),
        initial_values={"v": uniform(-70.0, -60.0)},
    )
    b = sim.Population(5, sim.EIF_cond_exp_isfa_ista(a=uniform(1.0, 5.0)))
    out = {"created": a.get(["tau_m", "cm", "v_thresh"]), "a v": _initial(sim, a, "v")}
    b.set(tau_w=uniform(100.0, 200.0), b=uniform(0.0, 0.1))
    out["set"] = b.get(["tau_w", "b", "a"])
    a[1:5].set(tau_refrac=uniform(1.0, 3.0))
    out["view set"] = a.get("tau_refrac")
    (a + b).set(tau_syn_E=uniform(1.0, 8.0))
    out["assembly set"] = np.concatenate([a.get("tau_syn_E"), b.get("tau_syn_E")])
    b.initialize(v=uniform(-70.0, -60.0), w=uniform(0.0, 0.1))
    a.initialize(v=uniform(-80.0, -75.0))
    out["initialized"] = np.concatenate([_initial(sim, a, "v"), _initial(sim, b, "v")])
    out["initialized w"] = _initial(sim, b, "w")
    out["after"] = rng.next(4)
    sim.end()
    return out


def test_population_draws_equal_pynn_nest_s(nest_sim):
    twin, nest = _both(nest_sim, _populations)
    assert twin.keys() == nest.keys()
    for key in twin:
        np.testing.assert_allclose(
            np.asarray(twin[key], dtype=float),
            np.asarray(nest[key], dtype=float),
            rtol=1e-12,
            err_msg=key,
        )


def _delays(sim, requested):
    sim.setup(timestep=0.1)
    a = sim.Population(len(requested), sim.IF_cond_exp())
    rows = [(i, i, 0.01, d) for i, d in enumerate(requested)]
    proj = sim.Projection(a, a, sim.FromListConnector(rows))
    out = _connections(sim, proj)[:, 3], sim.get_min_delay(), sim.get_max_delay()
    sim.end()
    return out


def test_get_returns_the_delays_nest_realises(nest_sim):
    requested = [0.05, 0.25, 1.04, 0.15, 0.35, 2.0]
    twin, nest = _both(nest_sim, _delays, requested)
    np.testing.assert_allclose(twin[0], nest[0], rtol=1e-12)
    np.testing.assert_allclose(twin[0][:3], [0.1, 0.3, 1.0], rtol=1e-12)
    assert twin[1:] == pytest.approx(nest[1:])


def _limited(sim, limits, delay, how):
    """Return the realised delays, or the name of the error raised."""
    sim.setup(timestep=0.1, **limits)
    a = sim.Population(2, sim.IF_cond_exp())
    try:
        if how == "connect":
            proj = sim.Projection(a, a, sim.FromListConnector([(0, 1, 0.01, delay)]))
        else:
            valid = sim.StaticSynapse(delay=sim.get_min_delay())
            proj = sim.Projection(a, a, sim.AllToAllConnector(), valid)
            proj.set(delay=delay)
        result = (tuple(_connections(sim, proj)[:, 3]), sim.get_max_delay())
    except Exception as err:  # NEST: ConnectionError or BadDelay; twin: its own
        result = type(err)
    sim.end()
    return result


LIMITS = [
    ({"min_delay": 0.1, "max_delay": 0.3}, 1.0),
    ({"min_delay": 0.1, "max_delay": 0.3}, 0.34),
    ({"min_delay": 0.1, "max_delay": 0.3}, 0.35),
    ({"min_delay": 0.1, "max_delay": 0.34}, 0.4),
    ({"min_delay": 0.5}, 0.2),
    ({"min_delay": 0.5}, 0.46),
    ({"min_delay": 0.5}, 0.44),
    ({"min_delay": 0.15, "max_delay": 1.0}, 0.1),
    ({}, 0.04),
    ({}, 25.0),
]


@pytest.mark.parametrize("how", ["connect", "set"])
@pytest.mark.parametrize(("limits", "delay"), LIMITS)
def test_delay_limits_refuse_what_nest_refuses(nest_sim, limits, delay, how):
    from twin.pynn.validation import InvalidConnectionError

    twin, nest = _both(nest_sim, _limited, limits, delay, how)
    if isinstance(nest, type):
        assert twin is InvalidConnectionError
    else:
        assert not isinstance(twin, type), twin
        np.testing.assert_allclose(twin[0], nest[0], rtol=1e-12)
