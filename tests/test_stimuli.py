"""Current stimuli as part of a ``Network``, and the wafer's limits on them."""

import warnings

import numpy as np
import pytest

from twin import CurrentStimulus, Network, NetworkError, Population
from twin.errors import UnsupportedError
from twin.hardware.stimuli import FG_STIMULUS_SIZE, STIMULUS_RESOURCE, limit_stimuli
from twin.hardware.variation import NeuronSites
from twin.stack import stack


def _stim(name="s", population="a", index=(0,), times=(1.0,), amplitudes=(0.5,)):
    return CurrentStimulus(
        name=name,
        population=population,
        index=index,
        times=times,
        amplitudes=amplitudes,
    )


def _net(*stimuli, sizes=(4,), timestep=0.1):
    pops = tuple(
        Population(name=chr(ord("a") + k), size=n) for k, n in enumerate(sizes)
    )
    return Network(populations=pops, stimuli=stimuli, timestep=timestep)


def test_dc_is_two_steps_and_an_open_window_one():
    pulse = CurrentStimulus.dc("p", "a", [1, 2], 0.3, start=2.0, stop=5.0)
    assert pulse.times.tolist() == [2.0, 5.0]
    assert pulse.amplitudes.tolist() == [0.3, 0.0]
    assert CurrentStimulus.dc("q", "a", [0], 0.3).times.tolist() == [0.0]
    assert not pulse.index.flags.writeable
    assert pulse.size == 2


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"index": [0, 0]}, "repeated"),
        ({"index": [-1]}, "negative"),
        ({"times": [1.0, 2.0]}, "2 times but 1 amplitudes"),
        ({"times": [np.nan]}, "finite"),
        ({"amplitudes": [np.inf]}, "finite"),
        ({"times": [2.0, 1.0], "amplitudes": [1, 0]}, "strictly increasing"),
        ({"times": [1.0, 1.0], "amplitudes": [1, 0]}, "strictly increasing"),
        ({"times": [-0.1]}, ">= 0"),
        ({"times": "soon"}, "not numeric"),
        ({"index": [[0, 1]]}, "flat list"),
    ],
)
def test_invalid_stimuli_name_the_value_and_remedy(kw, match):
    with pytest.raises(NetworkError, match=match):
        _stim(**kw)


@pytest.mark.parametrize(
    ("stimulus", "match"),
    [
        (_stim(population="nope"), "no population 'nope'"),
        (_stim(index=(4,)), "index 4 outside 0..3"),
        (_stim(times=(1.05,)), "not a multiple of the time step 0.1 ms"),
    ],
)
def test_the_network_checks_targets_and_the_step_grid(stimulus, match):
    with pytest.raises(NetworkError, match=match):
        _net(stimulus)


def test_stimulus_names_are_unique():
    with pytest.raises(NetworkError, match="duplicate current stimulus names"):
        _net(_stim(), _stim(index=(1,)))


def test_equality_includes_the_stimuli():
    assert _net(_stim()) == _net(_stim())
    assert _net(_stim()) != _net()
    assert _net(_stim()) != _net(_stim(amplitudes=(0.6,)))
    assert _net(_stim()) != _net(_stim(index=(1,)))
    assert _net().stimuli == ()


def test_stacked_copies_keep_their_stimuli():
    net = _net(_stim(index=(2,)))
    both = stack([net, net])
    assert [(s.name, s.population) for s in both.stimuli] == [
        ("s@0", "a@0"),
        ("s@1", "a@1"),
    ]


def _sites(hicann):
    hicann = np.asarray(hicann)
    return NeuronSites(hicann, np.zeros_like(hicann))


def test_the_wafer_stimulates_one_neuron_per_hicann():
    """a[0], a[1] on HICANN 7, a[2] on 9, b[0] on 7: the first pair per chip stays."""
    first = _stim(name="x", index=(1, 0, 2))
    second = _stim(name="y", population="b", index=(0,), times=(2.0,))
    net = _net(first, second, sizes=(3, 2))
    with pytest.warns(
        UserWarning, match="more than one current source per HICANN"
    ) as w:
        kept, report = limit_stimuli(net, _sites([7, 7, 9, 7, 11]))
    message = str(w[0].message)
    assert "x -> a[0]" in message
    assert "y -> b[0]" in message
    assert [(s.name, s.index.tolist()) for s in kept.stimuli] == [("x", [1, 2])]
    assert report.dropped == ("x -> a[0]", "y -> b[0]")
    assert report.loss.resource == STIMULUS_RESOURCE
    assert dict(report.loss.offered) == {7: 3, 9: 1}
    assert dict(report.loss.dropped) == {7: 2}


def test_a_second_stimulus_into_the_same_neuron_is_discarded_too():
    net = _net(_stim(name="x"), _stim(name="y", times=(3.0,)))
    with pytest.warns(UserWarning, match="y -> a\\[0\\]"):
        kept, _ = limit_stimuli(net, _sites([3, 3, 4, 4]))
    assert [s.name for s in kept.stimuli] == ["x"]


def test_without_stimuli_nothing_changes_and_nothing_is_reported():
    net = _net()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept, report = limit_stimuli(net, _sites([0, 0, 0, 0]))
    assert kept is net
    assert report is None


def test_the_pattern_holds_129_values():
    times = np.arange(FG_STIMULUS_SIZE + 1) * 0.1
    fits = _stim(times=times[:-1], amplitudes=np.ones(FG_STIMULUS_SIZE))
    limit_stimuli(_net(fits), _sites([0, 1, 2, 3]))
    too_long = _stim(times=times, amplitudes=np.ones(times.size))
    with pytest.raises(UnsupportedError, match=r"130 amplitude values.*holds 129"):
        limit_stimuli(_net(too_long), _sites([0, 1, 2, 3]))
