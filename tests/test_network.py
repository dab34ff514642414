import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin import Network, NetworkError, PoissonSource, Population, Projection
from twin.network import SpikeTimesSource


def _proj(**kw):
    base = {
        "pre": "a",
        "post": "a",
        "pre_idx": [0, 1],
        "post_idx": [1, 0],
        "weight": [0.1, 0.2],
        "delay": [1.0, 1.5],
    }
    base.update(kw)
    return Projection(**base)


def _net(**kw):
    return Network(
        populations=(Population(name="a", size=2),), projections=(_proj(**kw),)
    )


def test_population_fills_defaults_and_broadcasts():
    pop = Population(name="p", size=3, parameters={"tau_m": 10.0})
    assert np.array_equal(pop.parameters["tau_m"], [10.0, 10.0, 10.0])
    assert np.all(pop.parameters["cm"] == 1.0)  # PyNN default for IF_cond_exp


def test_arrays_are_read_only_copies():
    w = np.array([0.1, 0.2])
    proj = _proj(weight=w)
    w[0] = 5.0
    assert proj.weight[0] == 0.1
    with pytest.raises(ValueError, match="read-only"):
        proj.weight[0] = 1.0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"weight": [-0.1, 0.2]}, "negative"),
        ({"weight": [np.nan, 0.2]}, "finite"),
        ({"delay": [0.04, 1.0]}, "shorter than the time step"),
        ({"pre_idx": [0, 2]}, "outside 0..1"),
        ({"post_idx": [-1, 0]}, "outside 0..1"),
        ({"weight": [0.1]}, "one value per synapse"),
        ({"receptor": "gaba"}, "receptor"),
    ],
)
def test_invalid_projections_raise_with_value_and_remedy(kw, match):
    with pytest.raises(NetworkError, match=match):
        _net(**kw)


def test_unknown_cell_type_and_parameter():
    with pytest.raises(NetworkError, match="unknown cell type"):
        Population(name="p", size=1, cell_type="HH")
    with pytest.raises(NetworkError, match="unknown parameter"):
        Population(name="p", size=1, parameters={"tau_x": 1.0})


def test_duplicate_names_and_unknown_endpoints():
    with pytest.raises(NetworkError, match="duplicate"):
        Network(
            populations=(Population(name="a", size=1), Population(name="a", size=1))
        )
    with pytest.raises(NetworkError, match="no population 'b'"):
        Network(
            populations=(Population(name="a", size=2),), projections=(_proj(post="b"),)
        )


def test_sources_validate_rates_and_times():
    with pytest.raises(NetworkError, match="rates"):
        PoissonSource(name="s", size=2, rate=-1.0)
    with pytest.raises(NetworkError, match="sorted"):
        SpikeTimesSource(name="s", spike_times=([2.0, 1.0],))
    src = PoissonSource(name="s", size=2, rate=[10.0, 20.0])
    assert np.allclose(src.expected_count(1000.0), [10.0, 20.0])


def test_network_equality_compares_contents():
    assert _net() == _net()
    assert _net() != _net(weight=[0.1, 0.3])


def test_offsets_and_counts():
    net = Network(
        populations=(Population(name="a", size=2), Population(name="b", size=3)),
        sources=(PoissonSource(name="s", size=4, rate=1.0),),
        projections=(_proj(pre="s", post="b", pre_idx=[3, 0], post_idx=[2, 2]),),
    )
    assert net.offset("b") == 2
    assert net.n_neurons == 5
    assert net.n_synapses == 2
    assert net.size_of("s") == 4
    assert net.is_source("s")
    assert [p.name for p in net.projections_from("s")] == ["s->b"]


# --- parameter arrays, sizes and empty networks ---------------------------------------


@given(size=st.integers(1, 20), length=st.integers(0, 25))
def test_parameter_array_of_the_wrong_length_names_parameter_length_and_size(
    size, length
):
    values = np.full(length, 12.0)
    if length == size:
        pop = Population(name="exc", size=size, parameters={"tau_m": values})
        assert np.array_equal(pop.parameters["tau_m"], values)
        return
    with pytest.raises(NetworkError) as err:
        Population(name="exc", size=size, parameters={"tau_m": values})
    assert str(err.value).startswith(
        f"population 'exc': tau_m has length {length} but the population has {size} "
        "neurons; give one value"
    )


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (np.ones((3, 1)), r"tau_m has shape \(3, 1\) but the population has 3"),
        ("fast", "tau_m = 'fast' is not numeric"),
        ([1.0, "x", 2.0], "is not numeric"),
    ],
)
def test_parameter_of_the_wrong_shape_or_type_is_a_network_error(value, match):
    with pytest.raises(NetworkError, match=match):
        Population(name="p", size=3, parameters={"tau_m": value})


@pytest.mark.parametrize("size", [2.0, "3", True, None])
def test_population_size_must_be_an_integer(size):
    with pytest.raises(NetworkError, match="is not an integer"):
        Population(name="p", size=size)


def test_population_size_accepts_numpy_integers_as_int():
    pop = Population(name="p", size=np.int64(3))
    assert type(pop.size) is int
    assert pop.parameters["cm"].shape == (3,)


def test_a_network_without_populations_is_a_network_error():
    src = PoissonSource(name="s", size=2, rate=1.0)
    with pytest.raises(NetworkError, match=r"no neuron.*add a Population"):
        Network(populations=())
    with pytest.raises(NetworkError, match="no neuron"):
        Network(populations=[], sources=(src,))
    with pytest.raises(NetworkError, match="no neuron"):
        _net().replace(populations=(), projections=())


def test_the_parts_are_importable_from_twin_network():
    """The network's parts live in their own modules and are re-exported."""
    import twin.network
    import twin.population
    import twin.projection
    import twin.sources
    import twin.stimuli

    parts = [(m, m.__all__) for m in (twin.population, twin.projection, twin.sources)]
    for module, names in [*parts, (twin.stimuli, ["CurrentStimulus"])]:
        for name in names:
            assert getattr(twin.network, name) is getattr(module, name)
            assert name in twin.network.__all__
