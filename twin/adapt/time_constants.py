"""``set_time_constants``: new tau_m and tau_syn, the drive (eta) and charge kept.

Rule (the seed: ``tau_m`` 10 ms, ``tau_syn`` 3 ms for Brunel's 20 ms and delta
synapses; ``brunel_bss1.md`` §1.2-1.3):

- ``tau_syn``: every weight onto a population times ``tau_syn_old / tau_syn_new`` of
  its post neuron and receptor, so each synapse's charge (``w tau`` exponential,
  ``w e tau`` alpha; for conductances the charge at any fixed V) is kept -- the seed's
  ``w = dV C_m / tau_syn``. The PSP peak is not kept when ``tau_syn`` is not small
  against ``tau_m``: the report gives the peak per unit charge before and after
  (:func:`twin.adapt.psp.psp_peak_factor`; 0.60 for 3 ms on 10 ms, the seed's
  "1.7 manual parameter");
- ``tau_m`` with ``keep="eta"``: the external rate follows ``tau_m``. The seed's eta
  is relative to ``nu_thresh = theta / (J tau_m)`` (the total rate whose mean input
  reaches threshold), so every Poisson source's rate is multiplied by
  ``tau_m_old / tau_m_new`` of the neurons it drives (the seed: 20 -> 10 ms doubles
  it, eta 2 at J 0.6 mV: 3,333 Hz x 2). ``keep="rate"`` leaves the rates (eta then
  changes by ``tau_m_new / tau_m_old``). The recurrent input is unchanged: a
  current-based PSP's charge over C does not depend on ``tau_m``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from twin.adapt.checks import check_positive
from twin.adapt.psp import Kernel, psp_peak_factor
from twin.adapt.report import StepReport
from twin.adapt.step import Step
from twin.errors import AdaptError
from twin.network import (
    Network,
    PoissonSource,
    Population,
    Projection,
    SpikeSource,
)

__all__ = ["Keep", "set_time_constants"]

Keep = Literal["eta", "rate"]
_STEP = "set_time_constants"


def set_time_constants(
    *, tau_m: float | None = None, tau_syn: float | None = None, keep: Keep = "eta"
) -> Step:
    """Return the step that sets ``tau_m`` and/or ``tau_syn_E``/``tau_syn_I``.

    Parameters
    ----------
    tau_m
        New membrane time constant of every neuron, ms (None: unchanged).
    tau_syn
        New synaptic time constant of both receptors of every neuron, ms (None:
        unchanged).
    keep
        ``"eta"``: external rates follow ``tau_m`` (see the module); ``"rate"``:
        rates unchanged.

    Returns
    -------
    Step
        ``"set_time_constants"``.

    Raises
    ------
    AdaptError
        If neither time constant is given, one is not finite and > 0, ``keep`` is
        unknown; when applied, if a source drives neurons whose ``tau_m`` changes
        by different factors, or ``keep="eta"`` would change a spike-time source's
        rate.
    """
    if tau_m is None and tau_syn is None:
        raise AdaptError("set_time_constants: give tau_m, tau_syn or both (ms)")
    if tau_m is not None:
        tau_m = check_positive(_STEP, "tau_m", tau_m)
    if tau_syn is not None:
        tau_syn = check_positive(_STEP, "tau_syn", tau_syn)
    if keep not in ("eta", "rate"):
        raise AdaptError(f"set_time_constants: keep = {keep!r}; use 'eta' or 'rate'")

    def apply(network: Network) -> tuple[Network, StepReport]:
        return _set(network, tau_m, tau_syn, keep)

    return Step(_STEP, apply)


def _kernel(cell_type: str) -> Kernel:
    return "alpha" if cell_type.endswith("alpha") else "exp"


def _set(
    network: Network, tau_m: float | None, tau_syn: float | None, keep: Keep
) -> tuple[Network, StepReport]:
    numbers: dict[str, float] = {}
    populations = []
    for pop in network.populations:
        new = dict(pop.parameters)
        if tau_m is not None:
            new["tau_m"] = np.full(pop.size, tau_m)
        if tau_syn is not None:
            for key in ("tau_syn_E", "tau_syn_I"):
                new[key] = np.full(pop.size, tau_syn)
        populations.append(
            Population(
                name=pop.name, size=pop.size, cell_type=pop.cell_type, parameters=new
            )
        )
        old_m, old_s = (
            float(np.mean(pop.parameters[k])) for k in ("tau_m", "tau_syn_E")
        )
        new_m, new_s = tau_m or old_m, tau_syn or old_s
        kernel = _kernel(pop.cell_type)
        numbers[f"tau_m_before[{pop.name}]"] = old_m
        numbers[f"tau_m_after[{pop.name}]"] = new_m
        numbers[f"tau_syn_E_before[{pop.name}]"] = old_s
        numbers[f"tau_syn_E_after[{pop.name}]"] = new_s
        numbers[f"psp_peak_per_charge_before[{pop.name}]"] = psp_peak_factor(
            old_m, old_s, kernel
        )
        numbers[f"psp_peak_per_charge_after[{pop.name}]"] = psp_peak_factor(
            new_m, new_s, kernel
        )
    projections = tuple(
        _charge_kept(network, p, tau_syn, numbers) for p in network.projections
    )
    sources = tuple(_drive(network, s, tau_m, keep, numbers) for s in network.sources)
    out = network.replace(
        populations=tuple(populations), sources=sources, projections=projections
    )
    return out, StepReport(
        step=_STEP,
        formula="w' = w tau_syn/tau_syn' (charge kept); "
        + ("rate' = rate tau_m/tau_m' (eta kept)" if keep == "eta" else "rates kept"),
        source="the seed's parameters.py (tau_m 10, tau_syn 3 ms; w = dV cm / tau_syn; "
        "nu_thresh = theta / (dV tau_m)); brunel_bss1.md §1.2-1.3",
        numbers=numbers,
        notes=(
            "charge kept, PSP peak not: see psp_peak_per_charge before/after",
            "eta = nu_ext / nu_thr with nu_thr = theta / (J C tau_m)",
        ),
    )


def _charge_kept(
    network: Network, proj: Projection, tau_syn: float | None, numbers: dict[str, float]
) -> Projection:
    """Return ``proj`` with weights x tau_syn_old / tau_syn_new of each post neuron."""
    if tau_syn is None:
        return proj
    key = "tau_syn_E" if proj.receptor == "excitatory" else "tau_syn_I"
    old = network.population(proj.post).parameters[key][proj.post_idx]
    factor = old / tau_syn
    if factor.size:
        numbers[f"weight_factor[{proj.name}]"] = float(np.mean(factor))
    return proj.replace(weight=proj.weight * factor)


def _drive(
    network: Network,
    src: SpikeSource,
    tau_m: float | None,
    keep: Keep,
    numbers: dict[str, float],
) -> SpikeSource:
    """Return the source with its rate x tau_m_old / tau_m_new (``keep="eta"``)."""
    if tau_m is None or keep == "rate":
        return src
    name = src.name
    ratios = {
        round(
            float(np.mean(network.population(p.post).parameters["tau_m"])) / tau_m, 12
        )
        for p in network.projections_from(name)
    }
    if not ratios or ratios == {1.0}:
        return src
    if len(ratios) > 1:
        raise AdaptError(
            f"set_time_constants: source {name!r} drives populations whose tau_m "
            f"changes by factors {sorted(ratios)}; with keep='eta' its rate cannot "
            "follow both, use one source per population or keep='rate'"
        )
    if not isinstance(src, PoissonSource):
        raise AdaptError(
            f"set_time_constants: spike-time source {name!r} cannot change its rate; "
            "use keep='rate'"
        )
    (ratio,) = ratios
    numbers[f"rate_factor[{name}]"] = ratio
    return PoissonSource(
        name=src.name,
        size=src.size,
        rate=np.asarray(src.rate) * ratio,
        start=src.start,
        stop=src.stop,
    )
