"""``twin compare`` puts a theory tier's rates beside NEST's run of the tier it
describes (theory: NEST ideal; theory-mapped: NEST mapped), as simulated tiers are."""

from pathlib import Path

from experiments.brunel.report import report
from experiments.brunel.stats import load_summary
from experiments.report.compare import Comparison, MemberRows
from twin.tiers import emulated_tier

HEADER = "platform,tier,seed,g,eta,layout,n_neurons,rate_hz,cv,global_cv\n"


def _summary(folder, rows):
    """Write a summary.csv of (platform, tier, g, eta, rate, cv) rows, seed 0."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{platform},{tier},0,{g},{eta},30,30,{rate},{cv},{cv}\n"
        for platform, tier, g, eta, rate, cv in rows
    ]
    (folder / "summary.csv").write_text(HEADER + "".join(lines))
    return folder


def test_each_theory_tier_is_paired_with_the_nest_tier_it_describes():
    assert [emulated_tier(t) for t in ("theory", "theory-mapped", "ideal")] == [
        "ideal",
        "mapped",
        "ideal",
    ]


def test_the_seed_report_tabulates_theory_beside_nest(tmp_path):
    twin = _summary(
        tmp_path / "t",
        [
            ("twin", "ideal", 8.0, 0.8, 10.5, 1.0),
            ("twin", "theory", 8.0, 0.8, 11.4, "nan"),
            ("twin", "theory", 4.0, 1.6, 80.0, "nan"),
            ("twin", "theory-mapped", 8.0, 0.8, 9.0, "nan"),
        ],
    )
    nest = _summary(
        tmp_path / "n",
        [
            ("nest", "ideal", 8.0, 0.8, 10.0, 1.0),
            ("nest", "ideal", 4.0, 1.6, 100.0, 1.0),
        ],
    )
    text = report(load_summary(twin), load_summary(nest))
    section = text.split("## Theory `theory` vs NEST `ideal`")[1].split("##")[0]
    assert "| 8 | 0.8 | 30 | 11.40 | 10.00 | +14.0 % | agree |" in section
    assert "| 4 | 1.6 | 30 | 80.00 | 100.00 | -20.0 % | differ |" in section
    assert "1 of 2 points agree" in section
    # no NEST mapped run: the theory-mapped tier has no NEST table
    assert "vs NEST `mapped`" not in text


def test_the_generic_report_tabulates_theory_beside_nest():
    comparison = Comparison("w", ("x",), ("rate_hz",), ("rate_hz",))
    twin = [
        {"platform": "twin", "tier": "theory", "seed": "0", "x": "1", "rate_hz": "11"},
        {"platform": "twin", "tier": "theory-mapped", "seed": "0", "x": "1",
         "rate_hz": "9"},
    ]  # fmt: skip
    nest = [
        {"platform": "nest", "tier": "mapped", "seed": "0", "x": "1", "rate_hz": "10"}
    ]
    text = comparison.report(MemberRows(twin, nest), Path("unused"))  # draws nothing
    assert "## Twin `theory-mapped` tier vs NEST `mapped`" in text
    assert "vs NEST `ideal`" not in text
    section = text.split("vs NEST `mapped`")[1].split("##")[0]
    assert "| 1 | rate_hz | 9" in section
    assert "1 of 1 judged values agree" in section
