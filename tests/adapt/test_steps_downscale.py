"""``twin.adapt.downscale`` and ``scale_weights`` against their rules."""

from __future__ import annotations

import numpy as np
import pytest

from tests.adapt.nets import brunel_like
from twin.adapt import adapt_steps, downscale, scale_weights
from twin.adapt.downscale import population_sizes
from twin.errors import AdaptError, ConfigError
from twin.network import (
    CurrentStimulus,
    PoissonSource,
    Projection,
    SpikeTimesSource,
)
from twin.stp import TsodyksMarkram

K = 6.0


@pytest.fixture(scope="module")
def net():
    return brunel_like()


@pytest.fixture(scope="module")
def scaled(net):
    return downscale(K, seed=3)(net)


def _in_degrees(proj, n_post):
    return np.bincount(proj.post_idx, minlength=n_post)


def test_sizes_follow_the_seeds_rule(scaled):
    out, report = scaled
    n = int(1250 / K)  # the seed's N = int(N_total / scale)
    n_e = int(0.8 * n)  # the seed's N_E = int(f_E N); the last gets the remainder
    assert [p.size for p in out.populations] == [n_e, n - n_e]
    assert report.numbers["size_after[E]"] == n_e
    assert report.numbers["size_before[I]"] == 250


def test_sizes_at_full_scale_are_the_seeds():
    # 12,500 / 6 -> 2,083 = 1,666 + 417 (brunel_bss1.md §1.2); a floor per
    # population would give int(2500 / 6) = 416 inhibitory neurons
    assert population_sizes((10_000, 2_500), 6.0) == (1666, 417)
    assert int(2500 / 6) == 416


def test_fixed_in_degree_stays_fixed_at_the_same_probability(net, scaled):
    out, report = scaled
    sizes = {p.name: p.size for p in out.populations}
    for pre, c in (("E", 100), ("I", 25)):
        c_new = int(c / net.size_of(pre) * sizes[pre])  # int(epsilon N_pre')
        for post in ("E", "I"):
            proj = next(p for p in out.projections if p.name == f"{pre}->{post}")
            degrees = _in_degrees(proj, sizes[post])
            assert np.all(degrees == c_new)
            assert report.numbers[f"in_degree_after[{pre}->{post}]"] == c_new
            assert proj.pre_idx.max() < sizes[pre]


def test_weights_times_k_and_mean_drive_kept(net, scaled):
    out, _ = scaled
    for proj in out.projections:
        old = next(p for p in net.projections if p.name == proj.name)
        np.testing.assert_allclose(proj.weight, old.weight[0] * K, rtol=1e-12)
    for post in ("E", "I"):
        before = net.source(f"ext_{post}")
        after = out.source(f"ext_{post}")
        assert after.size == out.population(post).size  # one generator per neuron
        # mean external input per neuron: rate x in-degree (1) x weight
        np.testing.assert_allclose(after.rate * K * 0.1, before.rate[0] * 0.1)


def test_same_seed_same_network_other_seed_other(net, scaled):
    again, _ = downscale(K, seed=3)(net)
    other, _ = downscale(K, seed=4)(net)
    assert again == scaled[0]
    assert other != scaled[0]


def test_drive_unchanged_keeps_external_weights_and_rates(net):
    out, report = downscale(K, seed=3, drive="unchanged")(net)
    ext = next(p for p in out.projections if p.name == "ext_E->E")
    assert np.all(ext.weight == 0.1)
    assert np.all(out.source("ext_E").rate == 1000.0)
    assert report.numbers["weight_factor[E->E]"] == K


def test_probability_projection_keeps_p():
    gen = np.random.default_rng(1)
    net = brunel_like(400, 100, 40, 10)
    mask = gen.random((400, 400)) < 0.1
    post, pre = np.nonzero(mask)
    proj = Projection(
        pre="E", post="E", pre_idx=pre, post_idx=post,
        weight=np.full(pre.size, 0.1), delay=np.full(pre.size, 1.5), name="EEp",
    )  # fmt: skip
    net = net.replace(projections=(*net.projections, proj))
    out, _ = downscale(2.0, seed=0)(net)
    new = next(p for p in out.projections if p.name == "EEp")
    p_old = pre.size / 400**2
    n_pairs = 200**2
    sd = np.sqrt(n_pairs * p_old * (1 - p_old))
    assert abs(new.size - p_old * n_pairs) < 4 * sd
    pairs = new.pre_idx * 200 + new.post_idx
    assert np.unique(pairs).size == pairs.size  # independent pairs: no multapse


def test_plastic_synapses_are_carried():
    net = brunel_like(200, 50, 20, 5)
    proj = net.projections[0]
    n = proj.size
    stp = TsodyksMarkram(
        U=np.linspace(0.1, 0.9, n), tau_rec=np.full(n, 100.0), tau_facil=np.zeros(n)
    )
    net = net.replace(projections=(proj.replace(stp=stp), *net.projections[1:]))
    out, report = downscale(2.0, seed=0)(net)
    new = out.projections[0]
    assert new.stp is not None
    assert new.stp.U.size == new.size
    assert np.all(np.isin(new.stp.U, stp.U))
    assert "1 plastic projections carried" in " ".join(report.notes)


@pytest.mark.parametrize("k", [0.5, 0.0, -2.0, float("nan"), float("inf"), "x"])
def test_bad_k_is_refused(k):
    with pytest.raises(AdaptError, match="k = "):
        downscale(k, seed=0)


def test_k_leaving_no_neuron_or_synapse_is_refused(net):
    with pytest.raises(AdaptError, match="population without neurons"):
        downscale(1250.0, seed=0)(net)
    with pytest.raises(AdaptError, match="in-degree"):
        downscale(50.0, seed=0)(net)  # I: 25 in-degree x 5 / 250 -> 0


def test_adapt_error_is_a_config_error():
    assert issubclass(AdaptError, ConfigError)


def test_scale_weights_selects_receptors_and_sources(net):
    out, report = scale_weights(1.2, receptors=("excitatory",), sources=False)(net)
    for old, new in zip(net.projections, out.projections, strict=True):
        hit = old.receptor == "excitatory" and not net.is_source(old.pre)
        np.testing.assert_array_equal(new.weight, old.weight * (1.2 if hit else 1.0))
        assert report.numbers[f"weight_factor[{old.name}]"] == (1.2 if hit else 1.0)
    with pytest.raises(AdaptError, match="factor"):
        scale_weights(0.0)
    with pytest.raises(AdaptError, match="receptors"):
        scale_weights(1.0, receptors=("gaba",))


def test_adapt_steps_keeps_every_rung(net):
    adapted = adapt_steps(net, [downscale(K, seed=3), scale_weights(1.2)])
    assert [name for name, _ in adapted.rungs] == ["downscale", "scale_weights"]
    assert adapted.original is net
    assert adapted.network is adapted.rungs[-1][1]
    assert adapted.rung("downscale").n_neurons == 208
    assert [r.step for r in adapted.reports] == ["downscale", "scale_weights"]
    assert adapted.reports[0].summary().startswith("downscale: N = int(N_total/k)")


def _brunel_py(order: int, downscale_: float) -> dict[str, float]:
    """The derived numbers of PyNN's examples/brunel.py (its formulas, eta 2, g 5)."""
    order_eff = int(order / downscale_)
    j_eff = 0.1 * downscale_
    n_e, n_i = 4 * order_eff, order_eff
    c_e = int(0.1 * n_e)
    nu_thresh = 20.0 / (j_eff * c_e * 20.0)
    return {
        "NE": n_e,
        "NI": n_i,
        "JE": j_eff / 0.1 * 0.00041363506632638,
        "p_rate": 1000.0 * 2.0 * nu_thresh * c_e,
    }


def test_downscale_follows_pynn_brunel_py():
    # brunel.py at order 500 (2,000 + 500 neurons, FixedProbabilityConnector 0.1,
    # one Poisson generator per neuron at p_rate), then downscaled 5x, against
    # brunel.py's own numbers at order 500 and downscale 5
    full = _brunel_py(500, 1.0)
    gen = np.random.default_rng(2)
    net = brunel_like(int(full["NE"]), int(full["NI"]), 1, 1, j=full["JE"], g=5.0)
    sizes = {"E": int(full["NE"]), "I": int(full["NI"])}
    projections = []
    for proj in net.projections:
        if net.is_source(proj.pre):
            projections.append(proj)
            continue
        post, pre = np.nonzero(gen.random((sizes[proj.post], sizes[proj.pre])) < 0.1)
        w = proj.weight[0]
        projections.append(
            proj.replace(
                pre_idx=pre, post_idx=post, weight=np.full(pre.size, w),
                delay=np.full(pre.size, 1.5),
            )
        )  # fmt: skip
    sources = tuple(
        src.__class__(name=src.name, size=src.size, rate=full["p_rate"])
        for src in net.sources
    )
    net = net.replace(projections=tuple(projections), sources=sources)
    out, _ = downscale(5.0, seed=1)(net)
    small = _brunel_py(500, 5.0)
    assert [p.size for p in out.populations] == [small["NE"], small["NI"]]
    for proj in out.projections:
        n_pre, n_post = out.size_of(proj.pre), out.size_of(proj.post)
        if out.is_source(proj.pre):
            np.testing.assert_allclose(out.source(proj.pre).rate, small["p_rate"])
            np.testing.assert_allclose(proj.weight, small["JE"], rtol=1e-12)
            continue
        pairs = 0.1 * n_pre * n_post
        assert abs(proj.size - pairs) < 5 * np.sqrt(pairs * 0.9)
        expected = small["JE"] * (1 if proj.receptor == "excitatory" else -5.0)
        np.testing.assert_allclose(proj.weight, expected, rtol=1e-12)


def test_spike_time_sources_are_thinned_to_one_over_k():
    net = brunel_like(200, 50, 20, 5)
    gen = np.random.default_rng(0)
    trains = tuple(np.sort(gen.uniform(1, 1000, 600)) for _ in range(200))
    src = SpikeTimesSource(name="ext_E", spike_times=trains)
    net = net.replace(sources=(src, net.sources[1]))
    out, report = downscale(2.0, seed=0)(net)
    thinned = out.source("ext_E")
    assert isinstance(thinned, SpikeTimesSource)
    assert thinned.size == out.population("E").size == 100
    kept = sum(t.size for t in thinned.spike_times)
    n = 100 * 600  # spikes offered, each kept with probability 1/2
    assert abs(kept - n / 2) < 5 * np.sqrt(n / 4)
    assert all(
        np.all(np.isin(t, o))
        for t, o in zip(thinned.spike_times, trains[:100], strict=True)
    )
    assert report.numbers["rate_factor[ext_E]"] == 0.5


def test_k_one_is_the_identity(net):
    out, report = downscale(1.0, seed=9)(net)
    assert out is net
    assert report.numbers["k"] == 1.0


def _pairs_unique(proj, n_post):
    pairs = proj.pre_idx * n_post + proj.post_idx
    return np.unique(pairs).size == pairs.size


def test_without_multapses_stays_without_and_all_to_all_stays():
    gen = np.random.default_rng(3)
    net = brunel_like(300, 75, 30, 30)
    c = 60  # distinct sources per target (PyNN's FixedNumberPreConnector default)
    pre = np.concatenate([gen.choice(300, c, replace=False) for _ in range(300)])
    distinct = net.projections[0].replace(
        pre_idx=pre, post_idx=np.repeat(np.arange(300), c),
        weight=np.full(pre.size, 0.1), delay=np.full(pre.size, 1.5),
    )  # fmt: skip
    n = 75 * 75
    full = net.projections[3].replace(
        pre_idx=np.tile(np.arange(75), 75), post_idx=np.repeat(np.arange(75), 75),
        weight=np.full(n, -0.5), delay=np.full(n, 1.5),
    )  # fmt: skip
    net = net.replace(projections=(distinct, *net.projections[1:3], full))
    out, _ = downscale(3.0, seed=2)(net)
    new_distinct, new_full = out.projections[0], out.projections[3]
    assert _pairs_unique(new_distinct, 100)
    assert np.all(np.bincount(new_distinct.post_idx, minlength=100) == 20)
    assert new_full.size == 25 * 25  # all to all of the 25 kept neurons
    assert _pairs_unique(new_full, 25)
    # the seed's rule (drawn with replacement) keeps its multapses
    assert not _pairs_unique(out.projections[1], 25)


def test_a_permuted_one_to_one_source_keeps_each_neurons_rate():
    net = brunel_like(200, 50, 20, 5)
    perm = np.random.default_rng(4).permutation(200)
    rates = np.linspace(100.0, 300.0, 200)
    ext = next(p for p in net.projections if p.name == "ext_E->E")
    permuted = ext.replace(pre_idx=perm)  # generator perm[j] drives neuron j
    source = PoissonSource(name="ext_E", size=200, rate=rates)
    net = net.replace(
        sources=(source, net.sources[1]),
        projections=tuple(permuted if p is ext else p for p in net.projections),
    )
    out, _ = downscale(2.0, seed=0)(net)
    new = next(p for p in out.projections if p.name == "ext_E->E")
    np.testing.assert_array_equal(new.pre_idx, np.arange(100))
    np.testing.assert_array_equal(new.post_idx, np.arange(100))
    np.testing.assert_allclose(out.source("ext_E").rate, rates[perm[:100]] / 2)


def test_current_stimuli_keep_their_kept_targets():
    net = brunel_like(200, 50, 20, 5)
    kept = CurrentStimulus.dc("dc", "E", [3, 150], 0.5, start=10.0, stop=20.0)
    gone = CurrentStimulus.dc("gone", "I", [40, 45], 0.2, start=10.0, stop=20.0)
    net = net.replace(stimuli=(kept, gone))
    out, report = downscale(2.0, seed=0)(net)
    assert [s.name for s in out.stimuli] == ["dc"]
    assert out.stimuli[0].index.tolist() == [3]  # neuron 150 is not kept (100 are)
    np.testing.assert_array_equal(out.stimuli[0].amplitudes, kept.amplitudes)
    assert report.numbers["stimuli_dropped"] == 1
