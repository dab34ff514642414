"""The theory tiers in the run layer: rows, NaNs, notes, the CLI (twin.theory.tier)."""

import csv
import math
from types import MappingProxyType

import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from experiments.brunel.workload import BrunelWorkload, grid
from experiments.cli import main
from experiments.runs.plan import plan
from experiments.runs.sweep import run_sweep
from experiments.runs.table import TABLE_NAME, read_table
from experiments.runs.workload import Finished, Output, write_outputs
from twin.errors import ConfigError
from twin.network import Network, Population, Projection, SpikeTimesSource
from twin.theory.network_rates import NetworkRates
from twin.theory.neuron_resolved import resolve_neurons
from twin.theory.stationary import FixedPoint, Flag, Stationary
from twin.theory.tier import theory_tiers
from twin.tier_inputs import RunVariant, TierRequest
from twin.tiers import (
    MAPPED,
    THEORY,
    THEORY_HARDWARE,
    THEORY_MAPPED,
    realise,
    tier_list,
)

GS, ETA = (5.0, 8.0), 2.0


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """The tiny network's theory tiers' rows at g 5 and 8, eta 2."""
    out = tmp_path_factory.mktemp("theory")
    workload = BrunelWorkload(force_layout="30")
    points = grid(BrunelConfig.tiny(), gs=GS, etas=(ETA,))
    tiers = tier_list([THEORY, THEORY_MAPPED, THEORY_HARDWARE])
    results = run_sweep(workload, points, tiers=tiers, out=out)
    return workload, points, results, out


@pytest.fixture(scope="module")
def mapped(swept):
    """The mapped tier's realisation of the same request, made here again."""
    workload, points, _, _ = swept
    request = workload.request(points[0], MAPPED, "30")
    (tier,) = tier_list([MAPPED])
    realised = realise(
        tier,
        request.network,
        seed=points[0].seed,
        mapping_config=request.mapping,
    )
    return request.network, realised


def test_theory_rows_are_the_resolved_rates_of_the_realised_networks(swept, mapped):
    workload, points, results, out = swept
    ideal = build_network(points[0].replace(g=1.0, eta=1.0))
    _, realised = mapped
    recorded = workload.recorded(points[0], "30")
    for tier, network in ((THEORY, ideal), (THEORY_MAPPED, realised.network)):
        # Same solve, computed here: equal to far below the solve's tolerance.
        expected = resolve_neurons(network, np.array(GS), ETA, stability=True)
        rows = [r for r in results if r.tier == tier]
        assert [r["g"] for r in rows] == list(GS)
        for row, want in zip(rows, expected, strict=True):
            rates = want.rates
            assert row["run_rate_exc_hz"] == pytest.approx(rates[0], rel=1e-9)
            assert row["run_rate_inh_hz"] == pytest.approx(rates[1], rel=1e-9)
            every = want.neuron_rates  # exc, then inh: the network's order
            assert row["rate_hz"] == pytest.approx(every[recorded].mean(), rel=1e-9)
            assert "neuron-resolved" in row.note
            assert math.isnan(row["cv"])
            assert math.isnan(row["global_cv"])
            assert row.recording.times.size == 0
            assert "NaN, not given by the theory: cv, global_cv" in row.note
    loss = [r.losses["synapse_loss"] for r in results if r.tier == THEORY_MAPPED]
    assert loss == [pytest.approx(realised.synapse_loss)] * len(GS)
    assert realised.synapse_loss > 0
    assert not (out / "points").exists()  # theory points are not stored


def test_losing_excitatory_synapses_lowers_the_rates(swept, mapped):
    """The mapping drops excitatory synapses only (checked): every rate falls."""
    _, _, results, _ = swept
    requested, realised = mapped
    for before, after in zip(
        requested.projections, realised.network.projections, strict=True
    ):
        if before.receptor == "inhibitory":
            assert after.size == before.size
        else:
            assert after.size <= before.size
    by_tier = {t: [r for r in results if r.tier == t] for t in (THEORY, THEORY_MAPPED)}
    for ideal, lossy in zip(by_tier[THEORY], by_tier[THEORY_MAPPED], strict=True):
        assert lossy["run_rate_exc_hz"] < ideal["run_rate_exc_hz"]
        assert lossy["run_rate_inh_hz"] < ideal["run_rate_inh_hz"]


def test_theory_hardware_names_what_it_applies_and_what_it_cannot(swept):
    _, _, results, _ = swept
    rows = [r for r in results if r.tier == THEORY_HARDWARE]
    ideal = [r for r in results if r.tier == THEORY]
    assert len(rows) == len(GS)
    for row, model in zip(rows, ideal, strict=True):
        assert row.losses["synapse_loss"] > 0
        assert "saturating synaptic input as its mean" in row.note
        assert "not expressed: the wafer's rate limits" in row.note
        assert 0 < row["run_rate_exc_hz"] != model["run_rate_exc_hz"]


def test_summary_and_table_say_theory_with_nans_and_the_note(swept, tmp_path):
    workload, _, results, _ = swept
    finished = Finished((({}, tuple(results)),), tmp_path)
    given = []
    spikes = Output("spikes", lambda f: given.append(f) or [])
    write_outputs([*workload.outputs()[:1], spikes], finished)
    assert given == []  # no emulated run: the spike outputs are not called
    with (tmp_path / "summary.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["tier"] for r in rows] == [THEORY] * 2 + [THEORY_MAPPED] * 2 + [
        THEORY_HARDWARE
    ] * 2
    assert all(r["cv"] == r["global_cv"] == "nan" for r in rows)
    assert all(float(r["rate_hz"]) > 0 for r in rows)
    assert all(r["note"].startswith("flags: ") for r in rows)
    # computed, not simulated: no time window, in the summary and in the table
    assert all(r["t_start"] == r["t_stop"] == "" for r in rows)
    assert all(r.window is None for r in results)
    table = read_table(swept[3]).having("done")
    assert len(table) == 6
    assert all(r["t_start"] is None and r["t_stop"] is None for r in table)


def _found(network, growth, flag):
    """A solve with one fixed point of the given stability and flag."""
    names = tuple(p.name for p in network.populations)
    point = FixedPoint(np.array([3.0, 4.0]), 0.0, growth=growth)
    stationary = Stationary(names, (point,), frozenset({flag}))
    every = {p.name: np.full(p.size, 3.0) for p in network.populations}
    empty = MappingProxyType({})
    return NetworkRates(stationary, MappingProxyType(every), empty, empty)


@pytest.mark.parametrize(
    ("growth", "flag"),
    [(0.5, Flag.NO_STABLE_FIXED_POINT), (-0.5, Flag.OSCILLATORY)],
)
def test_no_stationary_rate_gives_nan_rates_and_the_flag(monkeypatch, growth, flag):
    """No stable fixed point, or a stable one the stability analysis rejects."""
    import twin.theory.neuron_resolved as resolved_module

    network = build_network(BrunelConfig.tiny(g=5.0, eta=2.0))
    names = tuple(p.name for p in network.populations)
    found = _found(network, growth, flag)

    def rates_over(net, g, r, *, starts, stability, check_connectivity):
        assert stability  # the tier asks for the linear stability of every point
        assert not check_connectivity  # checked on the requested network
        return [found] * len(g)

    monkeypatch.setattr(resolved_module, "rates_over", rates_over)
    (tier,) = tier_list([THEORY])
    run = theory_tiers([TierRequest(tier, network)], [RunVariant((), 5.0, 2.0)])
    rates = run.rates[0][0]
    assert all(np.isnan(rates[k]).all() for k in names)
    assert rates["exc"].size == network.population("exc").size
    assert flag.name.lower() in run.notes[0][0]
    metrics = BrunelWorkload().theory_metrics(
        BrunelConfig.tiny(), rates, np.arange(network.n_neurons)
    )
    assert math.isnan(metrics["rate_hz"])
    assert math.isnan(metrics["run_rate_exc_hz"])


def test_a_network_theory_cannot_describe_is_a_nan_row_with_the_reason():
    pop = Population(name="p", size=2)
    src = SpikeTimesSource(name="s", spike_times=(np.array([1.0]),))
    proj = Projection(
        pre="s",
        post="p",
        pre_idx=np.array([0, 0]),
        post_idx=np.array([0, 1]),
        weight=np.full(2, 0.01),
        delay=np.full(2, 1.0),
        receptor="excitatory",
    )
    network = Network(populations=(pop,), sources=(src,), projections=(proj,))
    (tier,) = tier_list([THEORY])
    run = theory_tiers([TierRequest(tier, network)], [RunVariant(())])
    assert np.isnan(run.rates[0][0]["p"]).all()
    assert "spike times" in run.notes[0][0]


def test_nest_does_not_run_theory_tiers():
    points = grid(BrunelConfig.tiny(), gs=(5.0,), etas=(2.0,))
    with pytest.raises(ConfigError, match="NEST cannot run the theory tier"):
        plan(BrunelWorkload(), points, tier_list([THEORY]), "nest")


def test_cli_runs_the_theory_tier(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["brunel", "--fidelity", "theory", "--g", "5", "--eta", "2"]
    assert main([*args, "--out", str(out)]) == 0
    with (out / "summary.csv").open() as f:
        (row,) = list(csv.DictReader(f))
    assert (row["platform"], row["tier"], row["cv"]) == ("twin", THEORY, "nan")
    assert 1.0 < float(row["rate_hz"]) < 500.0
    assert "flags:" in row["note"]
    (done,) = read_table(out / TABLE_NAME).having("done")
    assert done["tier"] == THEORY
    assert done["note"] == row["note"]
    assert main(["compare", str(out), "--out", str(tmp_path / "cmp")]) == 0
    assert "theory" in (tmp_path / "cmp" / "report.md").read_text()


def _uneven_losses(network):
    """The network with most synapses onto the first half of every population lost
    (as a mapping on a small chip block loses them: unevenly across targets)."""
    kept = []
    for proj in network.projections:
        half = network.population(proj.post).size // 2
        keep = (proj.post_idx >= half) | (np.arange(proj.post_idx.size) % 8 == 0)
        kept.append(
            proj.replace(
                pre_idx=proj.pre_idx[keep],
                post_idx=proj.post_idx[keep],
                weight=proj.weight[keep],
                delay=proj.delay[keep],
            )
        )
    return network.replace(projections=tuple(kept))


def test_uneven_mapping_losses_are_described_not_refused():
    """The in-degree test refuses a structured *requested* network; a realisation's
    uneven losses are a per-neuron spread the theory describes (no refusal)."""
    from tests.theory.test_network_rates import _ei
    from twin.realised import Realised
    from twin.theory import NotDescribableError, rates_of

    requested = _ei(varied=False, n=(200, 50))
    lossy = _uneven_losses(requested)
    with pytest.raises(NotDescribableError, match="dispersed beyond a random"):
        rates_of(lossy)  # as a network of its own: structured, refused
    (tier,) = tier_list([THEORY_MAPPED])
    realised = Realised(tier, lossy)
    run = theory_tiers(
        [TierRequest(tier, requested, realised=realised)], [RunVariant(())]
    )
    assert "not described" not in run.notes[0][0]
    every = np.concatenate([run.rates[0][0]["e"], run.rates[0][0]["i"]])
    assert np.isfinite(every).all()
    assert every.mean() > 0
    # the same solve without the check, by hand
    (want,) = resolve_neurons(lossy, stability=True, check_connectivity=False)
    np.testing.assert_allclose(every, want.neuron_rates, rtol=1e-12)
    # a structured request stays refused, by name
    run = theory_tiers([TierRequest(tier, lossy, realised=realised)], [RunVariant(())])
    assert "dispersed beyond a random projection's" in run.notes[0][0]
    assert np.isnan(run.rates[0][0]["e"]).all()
