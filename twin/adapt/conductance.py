"""``to_conductance``: current-based synapses -> exponential conductance synapses.

Rule (the seed's ``parameters.py``; ``brunel_bss1.md`` §1.3): a synapse of current
amplitude ``w`` (nA) onto a current-based cell becomes a conductance

    g = w / (E_rev - V_mean)    (µS; the inhibitory one: w < 0 over E_rev_I - V_mean)

so that its current at the expected mean membrane potential ``V_mean``,
``g (E_rev - V_mean)``, is the original current: the PSP at ``V_mean`` is kept (the
seed: 0.24 nA / (140 mV - 0 mV) = 1.7143 nS). An alpha synapse of peak ``w`` carries
the charge ``w e tau_syn``, an exponential one ``w tau_syn``: ``IF_curr_alpha`` becomes
``IF_cond_exp`` with the weights times ``e`` (the charge kept, ``tau_syn`` unchanged;
the PSP's shape changes with the kernel, :func:`twin.adapt.psp.psp_peak_factor`).

The populations get ``e_rev_E`` and ``e_rev_I`` from the arguments, checked against
the wafer's voltage window (:func:`twin.hardware.parameters.bio_range`); every other
parameter is kept. Populations that are conductance-based already are left as they
are (a no-op the report counts), so the step applies to mixed networks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from twin.adapt.checks import n_plastic
from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.cells import CURRENT_BASED
from twin.errors import AdaptError
from twin.hardware.parameters import VoltageWindow, bio_range
from twin.network import Network, Population

__all__ = ["conductance_factor", "to_conductance"]

_STEP = "to_conductance"
_KEPT = (
    "cm", "tau_m", "tau_refrac", "v_thresh", "v_rest", "v_reset", "i_offset",
    "tau_syn_E", "tau_syn_I",
)  # fmt: skip


def conductance_factor(cell_type: str, e_rev: float, v_mean: float) -> float:
    """Return ``g / w``: ``1 / (e_rev - v_mean)``, times ``e`` for an alpha kernel."""
    kernel = math.e if cell_type.endswith("alpha") else 1.0
    return kernel / (e_rev - v_mean)


def to_conductance(
    *,
    v_mean: float | Mapping[str, float],
    e_rev_E: float,
    e_rev_I: float,
    window: VoltageWindow | None = None,
) -> Step:
    """Return the step that makes current-based cells conductance-based.

    Parameters
    ----------
    v_mean
        Expected mean membrane potential, mV (the seed: v_rest, 0 mV), or one per
        target population (every converted population must have one).
    e_rev_E, e_rev_I
        Reversal potentials of the new synapses, mV (the seed: +140, -140).
    window
        The wafer's voltage window the reversal potentials must lie in (default:
        the seed's, :class:`twin.hardware.parameters.VoltageWindow`).

    Returns
    -------
    Step
        ``"to_conductance"``.

    Raises
    ------
    AdaptError
        If ``v_mean`` is not inside ``(e_rev_I, e_rev_E)`` or a reversal potential
        lies outside the wafer's voltage range.
    """
    for name, value in (("e_rev_E", e_rev_E), ("e_rev_I", e_rev_I)):
        lo, hi = bio_range(name, window=window or VoltageWindow())
        if not lo <= value <= hi:
            raise AdaptError(
                f"to_conductance: {name} = {value} mV is outside the wafer's range "
                f"[{lo:.1f}, {hi:.1f}] mV; choose one inside it"
            )
    means = v_mean.values() if isinstance(v_mean, Mapping) else (v_mean,)
    for value in means:
        if e_rev_I < value < e_rev_E:
            continue
        raise AdaptError(
            f"to_conductance: v_mean = {value} mV is not between e_rev_I = "
            f"{e_rev_I} and e_rev_E = {e_rev_E} mV; the conductance would change "
            "sign, give the expected mean membrane potential between them"
        )

    def apply(network: Network) -> tuple[Network, StepReport]:
        return _convert(network, v_mean, e_rev_E, e_rev_I)

    return Step(_STEP, apply)


def _convert(
    network: Network,
    v_mean: float | Mapping[str, float],
    e_rev_E: float,
    e_rev_I: float,
) -> tuple[Network, StepReport]:
    kinds = {p.name: p.cell_type for p in network.populations}
    converted = [p for p in network.populations if p.cell_type in CURRENT_BASED]
    populations = tuple(
        Population(
            name=p.name,
            size=p.size,
            cell_type="IF_cond_exp",
            parameters={k: p.parameters[k] for k in _KEPT}
            | {
                "e_rev_E": np.full(p.size, e_rev_E),
                "e_rev_I": np.full(p.size, e_rev_I),
            },
        )
        if p.cell_type in CURRENT_BASED
        else p
        for p in network.populations
    )
    if isinstance(v_mean, Mapping) and (
        lack := {p.name for p in converted} - set(v_mean)
    ):
        raise AdaptError(f"to_conductance: no v_mean for {sorted(lack)}; give one each")
    means = {
        p.name: v_mean[p.name] if isinstance(v_mean, Mapping) else v_mean
        for p in converted
    }
    numbers: dict[str, float] = {
        **(
            {f"v_mean[{k}]": v for k, v in means.items()}
            if isinstance(v_mean, Mapping)
            else {"v_mean": v_mean}
        ),
        "e_rev_E": e_rev_E,
        "e_rev_I": e_rev_I,
        "populations_converted": len(converted),
        "populations_left": len(network.populations) - len(converted),
    }
    projections = []
    for proj in network.projections:
        kind = kinds[proj.post]
        if kind not in CURRENT_BASED:
            projections.append(proj)
            continue
        e_rev = e_rev_E if proj.receptor == "excitatory" else e_rev_I
        factor = conductance_factor(kind, e_rev, means[proj.post])
        projections.append(proj.replace(weight=proj.weight * factor))
        numbers[f"weight_factor[{proj.name}]"] = factor
    out = network.replace(populations=populations, projections=tuple(projections))
    notes = [
        "PSP at v_mean kept: g (E_rev - V_mean) = w; away from v_mean the driving "
        "force scales the PSP by (E_rev - V) / (E_rev - V_mean)",
        f"{n_plastic(network)} plastic projections carried unchanged",
    ]
    if any(p.cell_type == "IF_curr_alpha" for p in converted):
        notes.append("alpha -> exponential kernel: charge kept (w x e), peak PSP not")
    if not converted:
        notes.append("no current-based population: nothing converted")
    return out, StepReport(
        step=_STEP,
        formula="g = w / (E_rev - V_mean) (x e for alpha kernels)",
        source="the seed's parameters.py: exc_conductance = w / (e_rev_E - V_mean), "
        "inh_conductance = -w / (e_rev_I - V_mean) (brunel_bss1.md §1.3)",
        numbers=numbers,
        notes=tuple(notes),
    )
