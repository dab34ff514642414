"""Short-term plasticity as the wafer's synapse drivers realise it.

A driver does depression *or* facilitation with a utilisation U_SE from 3 capacitor
bits, and the time constant of its STP circuit is one value per quadrant, set in the
quadrant's floating-gate block [bss1_hardware.md §2.6, §3.6; halbe
``SynapseDriver.h``; marocco ``SynapseDriverRequirements.h``]. The realised network
stays in PyNN's description (:class:`twin.stp.TsodyksMarkram`, biological ms); the
transforms, each a small pure function:

1. **Mode** (:func:`twin.routing.stp_drivers.stp_mode`): depressing synapses keep
   ``tau_facil = 0``; facilitating ones (``tau_facil > tau_rec``) have no depression
   on the wafer. A synapse with both time constants (``tau_facil > 0``) is
   approximated by its mode's effect alone and counted (``both``).
2. **U_SE** (:func:`driver_u`): the level of the driver's capacitor setting,
   calibtic's default 0.25 .. 0.4 in 8 steps
   (:data:`twin.routing.stp_drivers.U_SE_LEVELS`), the one nearest the lower median
   of the requests of the synapses the driver serves (named assumption). With drivers
   separated by capacitor setting (``MappingConfig.stp_classes = "mode_and_u"``, the
   default) that is each synapse's nearest level (:func:`quantise_u`); with
   ``"mode"`` synapses whose own nearest level differs are conflicts
   (``u_conflicts``). Requests outside the range
   are counted (``u_clipped``), and every changed value (``u_quantised``).
3. **Time constant per quadrant** (:func:`quadrant_time_constants`): the one STP time
   constant of a quadrant serves both modes (ESS ``syndriver.cpp``: the inactive
   partition decays with ``tau_rec`` in either mode). A synapse requests its mode's
   time constant (``tau_rec`` when depressing, ``tau_facil`` when facilitating); the
   quadrant realises the lower median of the requests of its synapses (a requested
   value; named assumption), and every synapse whose request differs is a conflict
   (``tau_conflicts``).
4. **Time scaling**: the wafer runs the circuit at ``tau_hw = tau_bio * 1e-3 /
   SPEEDUP`` s (1e4: calibtic's default 10 µs hw is 100 ms bio); the report gives
   each quadrant's value in hardware µs (:func:`hardware_time_us`), the network keeps
   biological ms. No published range of the time constant (V_dtc) is known, so none
   is applied (named assumption: every value is realisable).

Named assumption :data:`NO_DEPRESSION_TAU_REC`: a facilitating driver has no
depression; the Tsodyks–Markram description needs ``tau_rec > 0``, so the realised
``tau_rec`` is 1e-5 ms: ``exp(-h / tau_rec)`` is 0 in float64 for any interval
``h >= 0.01`` ms, so the recovery from the inactive state is complete at the next
spike. (NEST's ``tsodyks_synapse``, which the emulator follows, keeps the resources of
a PSC active for ``tau_psc`` before they recover: the closest its description comes
to no depression.)

Not modelled (named): the circuit's amplitude normalisation (ESS: a depressing PSC is
``w * x``, a facilitating one ``w * (1 + lambda * (I - N))``, calibtic's lambda 1,
N_dep 0, N_fac 1) is taken as Tsodyks–Markram's ``w * u * x``; only the parameters
change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np

from twin.errors import ConfigError
from twin.network import Network
from twin.routing.stp_drivers import FACILITATING, U_SE_LEVELS, stp_mode, u_se_cap
from twin.stp import STP_FIELDS, TsodyksMarkram
from twin.units import bio_ms_to_hw_s

__all__ = [
    "NO_DEPRESSION_TAU_REC",
    "STPReport",
    "STPSites",
    "driver_u",
    "hardware_time_us",
    "quadrant_time_constants",
    "quantise_u",
    "realise_stp",
    "requested_time_constant",
]

#: Realised ``tau_rec`` (ms) of a facilitating synapse: no depression (assumption).
NO_DEPRESSION_TAU_REC: Final = 1e-5


@dataclass(frozen=True, slots=True)
class STPSites:
    """Where each realised synapse's STP setting lives, per projection name.

    Attributes
    ----------
    quadrant
        Driver quadrant of each synapse
        (:meth:`twin.routing.WaferMapping.synapse_quadrants`).
    driver
        The drivers (of one chain and one class) serving each synapse
        (:meth:`twin.routing.WaferMapping.synapse_driver_units`).
    """

    quadrant: Mapping[str, np.ndarray]
    driver: Mapping[str, np.ndarray]


@dataclass(frozen=True, slots=True)
class STPReport:
    """What the STP realisation changed, counted over the plastic synapses.

    Attributes
    ----------
    synapses, depressing, facilitating
        Plastic synapses realised, and how many in each driver mode.
    both
        Synapses that requested depression and facilitation (``tau_facil > 0``),
        realised with their mode's effect only.
    u_clipped
        Requested U outside the capacitor range [0.25, 0.4].
    u_quantised
        Synapses whose realised U differs from the requested one (clipped included).
    u_conflicts
        Synapses whose nearest level is not their driver's.
    tau_conflicts
        Synapses whose requested time constant differs from their quadrant's.
    tau_hw_us
        Quadrant (``4 * chip + q``) -> its time constant in hardware µs.
    """

    synapses: int
    depressing: int
    facilitating: int
    both: int
    u_clipped: int
    u_quantised: int
    u_conflicts: int
    tau_conflicts: int
    tau_hw_us: Mapping[int, float]


def quantise_u(u: np.ndarray) -> np.ndarray:
    """Return the U_SE the driver realises for each requested U.

    Examples
    --------
    >>> quantise_u(np.array([0.04, 0.3, 0.5])).round(4)
    array([0.25  , 0.2929, 0.4   ])
    """
    return U_SE_LEVELS[u_se_cap(u)]


def requested_time_constant(
    tau_rec: np.ndarray, tau_facil: np.ndarray, mode: np.ndarray
) -> np.ndarray:
    """Return the time constant each synapse asks of its quadrant, ms.

    ``tau_facil`` for facilitating synapses, ``tau_rec`` for depressing ones.

    Examples
    --------
    >>> requested_time_constant(np.array([800.0, 100.0]), np.array([0.0, 1000.0]),
    ...                         np.array([1, 2]))
    array([ 800., 1000.])
    """
    return np.where(mode == FACILITATING, tau_facil, tau_rec)


def _lower_median(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per entry: the ``(k - 1) // 2``-th smallest of the ``k`` values of its group."""
    order = np.lexsort((values, group))
    ids, start, count = np.unique(group[order], return_index=True, return_counts=True)
    chosen = values[order][start + (count - 1) // 2]
    return chosen[np.searchsorted(ids, group)]


def quadrant_time_constants(quadrant: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Return each synapse's realised time constant: its quadrant's lower median.

    Parameters
    ----------
    quadrant
        Quadrant id of each synapse, shape ``(n,)``.
    tau
        Requested time constant of each synapse, ms, shape ``(n,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``: per synapse, the ``(k - 1) // 2``-th smallest of the ``k``
        requests in its quadrant.

    Examples
    --------
    >>> quadrant_time_constants(np.array([0, 0, 0, 0, 5]),
    ...                         np.array([100.0, 800.0, 300.0, 200.0, 50.0]))
    array([200., 200., 200., 200.,  50.])
    """
    return _lower_median(quadrant, tau)


def driver_u(driver: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return each synapse's realised U: its driver's level.

    The level nearest the lower median of the requests of the driver's synapses.

    Parameters
    ----------
    driver
        Driver id of each synapse, shape ``(n,)``.
    u
        Requested U of each synapse, shape ``(n,)``.

    Examples
    --------
    >>> driver_u(np.array([0, 0, 0, 1]), np.array([0.3, 0.26, 0.5, 0.04])).round(4)
    array([0.2929, 0.2929, 0.2929, 0.25  ])
    """
    return quantise_u(_lower_median(driver, u))


def hardware_time_us(tau_ms: np.ndarray) -> np.ndarray:
    """Return biological time constants (ms) in hardware µs (speed-up 1e4).

    Examples
    --------
    >>> hardware_time_us(np.array([100.0]))
    array([10.])
    """
    return np.asarray(tau_ms, np.float64) * (bio_ms_to_hw_s(1.0) * 1e6)


def realise_stp(network: Network, sites: STPSites | None) -> tuple[Network, STPReport]:
    """Return the network with every plastic projection's parameters as realised.

    Parameters
    ----------
    network
        The mapped (realised) network.
    sites
        Driver quadrant and drivers of each synapse; needed only if a projection is
        plastic.

    Returns
    -------
    network
        Static projections unchanged; plastic ones with the realised U, tau_rec and
        tau_facil.
    report
        The counts of the module's rules.

    Raises
    ------
    ConfigError
        If a projection is plastic and ``sites`` has no entry of its size.
    """
    plastic = [p for p in network.projections if p.stp is not None]
    for proj in plastic:
        entries = (
            []
            if sites is None
            else [sites.quadrant.get(proj.name), sites.driver.get(proj.name)]
        )
        if not entries or any(
            e is None or np.shape(e) != (proj.size,) for e in entries
        ):
            raise ConfigError(
                f"realise_stp: no driver site for each of the {proj.size} synapses "
                f"of projection {proj.name!r}; pass the mapping's synapse_quadrants() "
                "and synapse_driver_units()"
            )
    if not plastic:
        return network, STPReport(0, 0, 0, 0, 0, 0, 0, 0, MappingProxyType({}))
    assert sites is not None
    stps = [p.stp for p in plastic if p.stp is not None]
    cat = {k: np.concatenate([getattr(s, k) for s in stps]) for k in STP_FIELDS}
    quad = np.concatenate([np.asarray(sites.quadrant[p.name]) for p in plastic])
    driver = np.concatenate([np.asarray(sites.driver[p.name]) for p in plastic])
    mode = stp_mode(cat["tau_rec"], cat["tau_facil"])
    facil = mode == FACILITATING
    u = driver_u(driver, cat["U"])
    wanted = requested_time_constant(cat["tau_rec"], cat["tau_facil"], mode)
    tau = quadrant_time_constants(quad, wanted)
    rec = np.where(facil, NO_DEPRESSION_TAU_REC, tau)
    fac = np.where(facil, tau, 0.0)
    bounds = np.cumsum([0] + [p.size for p in plastic])
    realised = {
        p.name: TsodyksMarkram(U=u[a:b], tau_rec=rec[a:b], tau_facil=fac[a:b])
        for p, a, b in zip(plastic, bounds[:-1], bounds[1:], strict=True)
    }
    projections = tuple(
        p.replace(stp=realised[p.name]) if p.name in realised else p
        for p in network.projections
    )
    ids, first = np.unique(quad, return_index=True)
    lo, hi = U_SE_LEVELS[0], U_SE_LEVELS[-1]
    report = STPReport(
        synapses=int(mode.size),
        depressing=int((~facil).sum()),
        facilitating=int(facil.sum()),
        both=int((cat["tau_facil"] > 0).sum()),
        u_clipped=int(((cat["U"] < lo) | (cat["U"] > hi)).sum()),
        u_quantised=int((u != cat["U"]).sum()),
        u_conflicts=int((u != quantise_u(cat["U"])).sum()),
        tau_conflicts=int((tau != wanted).sum()),
        tau_hw_us=MappingProxyType(
            dict(zip(ids.tolist(), hardware_time_us(tau[first]).tolist(), strict=True))
        ),
    )
    return network.replace(projections=projections), report
