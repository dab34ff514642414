"""PyNN's ``brunel.py`` example, unchanged, on the twin and on pyNN.nest.

A file of its own: it is the slowest example (pyNN.nest builds its 2.5 M synapses for
about a minute per seed), so the test runner's workers, which take a file each, run it
beside the other examples instead of after them.
"""

import re

import pytest

from tests.pynn.test_examples import _agree, _examples, _run


def _brunel_rates(script, simulator, cwd):
    """Run PyNN's brunel.py; return its (excitatory, inhibitory) rate, Hz."""
    args = (
        ["-m", "twin.pynn.launch", str(script), "twin"]
        if simulator == "twin"
        else [str(script), simulator]
    )
    out = _run(args, cwd)
    return [
        float(re.search(rf"{kind} rate\s+:\s+([0-9.]+) Hz", out).group(1))
        for kind in ("Excitatory", "Inhibitory")
    ]


@pytest.mark.nest
def test_brunel_example_rates_agree_with_nest(tmp_path):
    """PyNN's brunel.py (IF_curr_alpha, its default size: 5000 cells, 2.5 M synapses,
    100 ms) unchanged but for its seeds: ``kernelseed`` (the network and initial
    potentials; the original and two others) and the simulator's own seed (``setup``'s
    ``rng_seed``: the Poisson input), the same on both simulators. The mean rates over
    the 3 seeds agree with pyNN.nest within max(15 %, 2 combined sd).

    The 100 ms the script runs are the network's transient after a synchronous start
    (initial potentials uniform below threshold); its rate varies from seed to seed
    by 10-15 Hz on both simulators. Measured over 6 kernel seeds (the three here and
    777, 2024, 99), all cells, the first 100 ms: the twin 74.1 ± 12.7 Hz (E; 18 runs,
    3 Poisson seeds), pyNN.nest 79.2 ± 8.5 Hz (12 runs: 83.1 ± 9.8 with its default
    off-grid Poisson generators, 75.2 ± 4.9 on the grid); over 100-1000 ms (6 runs
    each) the twin 75.4 ± 12.9 Hz and pyNN.nest 72.8 ± 10.0 Hz. The difference of the
    means (5 Hz, 7 %) is 1.3 of its standard error. Slow (pyNN.nest builds for ~1 min
    per seed)."""
    text = (_examples() / "brunel.py").read_text()
    assert "kernelseed  = 43210987" in text
    assert "extra = {}" in text
    (tmp_path / "Results").mkdir()
    rates = {"twin": [], "nest": []}
    for seed in (43210987, 1234, 4321):
        script = tmp_path / f"brunel_{seed}.py"
        script.write_text(
            text.replace("kernelseed  = 43210987", f"kernelseed  = {seed}").replace(
                "extra = {}", f"extra = {{'rng_seed': {seed}}}"
            )
        )
        for simulator, out in rates.items():
            out.append(_brunel_rates(script, simulator, tmp_path))
    _agree(rates["twin"], rates["nest"])
