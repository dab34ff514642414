import numpy as np
import pytest

from experiments.runs.analysis import activity, poisson_global_cv


def _poisson(n, rate, t_stop, seed):
    rng = np.random.default_rng(seed)
    times, ids = [], []
    for i in range(n):
        k = rng.poisson(rate * t_stop * 1e-3)
        times.append(np.sort(rng.uniform(0, t_stop, k)))
        ids.append(np.full(k, i))
    return np.concatenate(times), np.concatenate(ids)


def test_regular_trains_have_cv_zero_and_the_exact_rate():
    period = 12.5
    times = np.concatenate([np.arange(1.0 + k, 2000.0, period) for k in range(5)])
    ids = np.repeat(np.arange(5), times.size // 5)
    a = activity(times, ids, np.arange(10), 2000.0)
    assert a.cv == 0.0
    expected = 5 * np.sum(np.arange(1.0, 2000.0, period) > 1000.0) / 10 / 1.0
    assert a.rate == pytest.approx(expected)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_poisson_trains_have_cv_near_one(seed):
    times, ids = _poisson(300, 50.0, 1000.0, seed)
    a = activity(times, ids, np.arange(300), 1000.0)
    # ~50 intervals per neuron: the sample CV of an exponential is slightly below 1.
    assert a.cv == pytest.approx(1.0, abs=0.05)
    assert a.rate == pytest.approx(50.0, rel=0.05)


@pytest.mark.parametrize(("n", "rate"), [(500, 20.0), (2000, 12.5), (30, 300.0)])
def test_global_cv_of_independent_poisson_neurons(n, rate):
    times, ids = _poisson(n, rate, 1000.0, 7)
    a = activity(times, ids, np.arange(n), 1000.0)
    assert a.global_cv == pytest.approx(poisson_global_cv(n, rate), rel=0.04)


def test_only_the_window_and_listed_neurons_count():
    times = np.array([10.0, 950.0, 960.0, 970.0, 980.0])
    ids = np.array([0, 0, 1, 0, 2])
    a = activity(times, ids, np.array([0, 1]), 1000.0, window=100.0)
    assert a.n_spikes == 3
    assert a.rate == pytest.approx(3 / 2 / 0.1)


def test_matches_elephant_on_sample_trains():
    neo = pytest.importorskip("neo")
    pq = pytest.importorskip("quantities")
    elephant_stats = pytest.importorskip("elephant.statistics")
    times, ids = _poisson(40, 30.0, 3000.0, 11)
    start, stop = 2000.0, 3000.0
    rates, cvs = [], []
    for i in range(40):
        t = times[(ids == i) & (times > start)]
        st = neo.SpikeTrain(t * pq.ms, t_start=start * pq.ms, t_stop=stop * pq.ms)
        rates.append(float(elephant_stats.mean_firing_rate(st).rescale(pq.Hz)))
        if t.size >= 2:
            cvs.append(float(elephant_stats.cv(elephant_stats.isi(st))))
    a = activity(times, ids, np.arange(40), stop)
    assert a.rate == pytest.approx(np.mean(rates), rel=1e-12)
    assert a.cv == pytest.approx(np.mean(cvs), rel=1e-12)
