"""``drive_to_rest``: Poisson drive -> raised resting potentials, the mean input kept.

Rule (the BrainScaleS-1 microcircuit demo: P&D's external Poisson input "removed and
replaced by raised resting potentials"; reference ``brunel_bss1.md`` §2): a Poisson
source of rate ``nu`` (Hz) and weight ``w`` (nA) onto a current-based neuron injects
the mean current ``nu w q`` with the charge per unit amplitude ``q = tau_syn``
(exponential kernel) or ``e tau_syn`` (alpha kernel) of the target's receptor; its
mean membrane shift is that current times ``tau_m / C_m``. Each driven neuron gets

    v_rest' = v_rest + (tau_m / C_m) sum_sources nu w q

(per neuron: its own synapses), and the Poisson projections onto current-based cells
are removed, with every source that drives nothing any more. The drive's variance is
dropped (the free membrane potential no longer fluctuates with the input). P&D's
8 Hz x K_ext drive gives the demo's printed resting potentials
(:data:`experiments.microcircuit.resting.V_REST`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.cells import CURRENT_BASED
from twin.errors import AdaptError
from twin.network import Network, PoissonSource, Projection

__all__ = ["drive_to_rest", "mean_drive"]

_STEP = "drive_to_rest"


def mean_drive(network: Network, proj: Projection) -> np.ndarray:
    """Return the mean membrane shift (mV) one Poisson projection gives each target.

    Parameters
    ----------
    network
        The network holding ``proj``.
    proj
        A projection from a :class:`~twin.network.PoissonSource` onto a
        current-based population.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(post size,)``: ``(tau_m / C_m) sum nu w q`` per neuron, mV.

    Raises
    ------
    AdaptError
        If ``proj`` does not come from a Poisson source.
    """
    source = network.source(proj.pre)
    if not isinstance(source, PoissonSource):
        raise AdaptError(
            f"mean_drive: {proj.pre!r} is not a Poisson source; give a projection "
            "from one"
        )
    post = network.population(proj.post)
    rate = np.broadcast_to(np.asarray(source.rate, dtype=float), (source.size,))
    suffix = "E" if proj.receptor == "excitatory" else "I"
    tau_syn = np.asarray(post.parameters[f"tau_syn_{suffix}"], dtype=float)
    kernel = math.e if post.cell_type.endswith("alpha") else 1.0
    current = np.zeros(post.size)
    # Hz x nA x ms x 1e-3 = nA (mean current); summed per target neuron.
    np.add.at(
        current,
        proj.post_idx,
        rate[proj.pre_idx] * 1e-3 * proj.weight * kernel * tau_syn[proj.post_idx],
    )
    params = post.parameters
    return current * np.asarray(params["tau_m"]) / np.asarray(params["cm"])


def drive_to_rest() -> Step:
    """Return the step that replaces Poisson drive by raised resting potentials.

    Returns
    -------
    Step
        ``"drive_to_rest"``: see the module's rule. Projections from spike-time
        sources and projections onto conductance-based cells are kept.

    Raises
    ------
    AdaptError
        When applied, if the network has no Poisson projection onto a
        current-based population (nothing to replace), or one is plastic (its
        mean is not its static weight's).
    """

    def apply(network: Network) -> tuple[Network, StepReport]:
        return _replace(network)

    return Step(_STEP, apply)


def _is_drive(network: Network, proj: Projection) -> bool:
    if not network.is_source(proj.pre):
        return False
    kind = network.population(proj.post).cell_type
    return isinstance(network.source(proj.pre), PoissonSource) and (
        kind in CURRENT_BASED
    )


def _replace(network: Network) -> tuple[Network, StepReport]:
    drives = [p for p in network.projections if _is_drive(network, p)]
    if not drives:
        raise AdaptError(
            "drive_to_rest: the network has no Poisson projection onto a "
            "current-based population; nothing to replace (leave the step out)"
        )
    plastic = [p.name for p in drives if p.stp is not None]
    if plastic:
        raise AdaptError(
            f"drive_to_rest: Poisson projections {plastic} are plastic; their mean "
            "input is not rate x weight, remove the plasticity first"
        )
    shift = {p.name: np.zeros(p.size) for p in network.populations}
    for proj in drives:
        shift[proj.post] += mean_drive(network, proj)
    populations = tuple(
        dataclasses.replace(
            pop,
            parameters={
                **pop.parameters,
                "v_rest": np.asarray(pop.parameters["v_rest"]) + shift[pop.name],
            },
        )
        if np.any(shift[pop.name])
        else pop
        for pop in network.populations
    )
    kept = tuple(p for p in network.projections if p not in drives)
    used = {p.pre for p in kept}
    sources = tuple(s for s in network.sources if s.name in used)
    numbers: dict[str, float] = {
        "projections_removed": len(drives),
        "sources_removed": len(network.sources) - len(sources),
        "synapses_removed": sum(p.pre_idx.size for p in drives),
    }
    for pop in populations:
        if np.any(shift[pop.name]):
            numbers[f"dv_rest_mean[{pop.name}]"] = float(np.mean(shift[pop.name]))
            numbers[f"v_rest_mean[{pop.name}]"] = float(
                np.mean(pop.parameters["v_rest"])
            )
    out = network.replace(populations=populations, sources=sources, projections=kept)
    return out, StepReport(
        step=_STEP,
        formula="v_rest' = v_rest + (tau_m / C_m) sum nu w tau_syn (x e for alpha)",
        source="the BrainScaleS-1 microcircuit demo: external Poisson input replaced "
        "by raised resting potentials (brunel_bss1.md §2)",
        numbers=numbers,
        notes=(
            "the mean input is kept, its variance dropped",
            "spike-time sources and drive onto conductance cells kept",
        ),
    )
