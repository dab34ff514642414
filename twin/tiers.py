"""Fidelity tiers: a ``Tier`` is a pipeline of pure transforms of a ``Network``.

- ``ideal`` = no transform: the network as described (NEST runs the same);
- ``mapped`` = map on the wafer (:func:`twin.routing.map_network`) and realise: lost
  synapses removed, delays from route length;
- ``hardware`` = mapped, then the five effects of :mod:`twin.hardware` (parameters,
  variation, weights, saturation, bandwidth), each switchable;
- an ablation is the hardware tier without one effect (:meth:`Tier.without`), named
  ``hardware-no-<effect>``;
- ``theory``, ``theory-mapped``, ``theory-hardware``: the stationary mean-field rates
  (:mod:`twin.theory`) of the network the ideal, mapped or hardware tier realises,
  computed instead of emulated (:mod:`twin.theory.tier`).

The tier names, the ablation prefix and the parsing of tier lists are defined here
once; the CLI, the sweep and the report import them. No tier knows a workload: what
network a workload requests per tier (e.g. mean parameters for the hardware tier,
which supplies its own variation) is the workload's choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, cast

from twin.errors import ConfigError
from twin.hardware.config import EFFECTS, HardwareConfig
from twin.hardware.realise import realise_hardware
from twin.hardware.stp import STPSites
from twin.network import Network
from twin.realised import Realised
from twin.routing import MappingConfig, WaferMapping, map_network
from twin.routing.busgraph import BusGraph
from twin.sites import wafer_sites
from twin.wafer import Wafer

__all__ = [
    "ABLATION_PREFIX",
    "BEHAVIOUR",
    "FIDELITIES",
    "HARDWARE",
    "IDEAL",
    "MAPPED",
    "SIMULATED",
    "THEORY",
    "THEORY_HARDWARE",
    "THEORY_MAPPED",
    "Behaviour",
    "Fidelity",
    "Realised",
    "Tier",
    "ablated_effect",
    "behaviour",
    "check_fidelity",
    "emulated_tier",
    "is_ablation",
    "is_theory",
    "parse_fidelities",
    "realise",
    "tier_list",
    "wafer_sites",
]

Fidelity = Literal[
    "ideal", "mapped", "hardware", "theory", "theory-mapped", "theory-hardware"
]
#: The model as described (NEST runs the same).
IDEAL: Final[Fidelity] = "ideal"
#: Mapped on the wafer: lost synapses removed, delays from route length.
MAPPED: Final[Fidelity] = "mapped"
#: Mapped plus the analog effects of :mod:`twin.hardware`.
HARDWARE: Final[Fidelity] = "hardware"
#: Mean-field rates of the ideal, the mapped and the hardware tier's network.
THEORY: Final[Fidelity] = "theory"
THEORY_MAPPED: Final[Fidelity] = "theory-mapped"
THEORY_HARDWARE: Final[Fidelity] = "theory-hardware"
#: The emulated tiers, from the model to the wafer (``all`` on the command line).
SIMULATED: Final[tuple[Fidelity, ...]] = (IDEAL, MAPPED, HARDWARE)
#: Every fidelity: the emulated tiers, then their theory tiers (named explicitly).
FIDELITIES: Final[tuple[Fidelity, ...]] = (
    *SIMULATED,
    THEORY,
    THEORY_MAPPED,
    THEORY_HARDWARE,
)
#: The emulated tier whose network each theory tier describes.
_EMULATED: Final[Mapping[str, Fidelity]] = {
    THEORY: IDEAL,
    THEORY_MAPPED: MAPPED,
    THEORY_HARDWARE: HARDWARE,
}
#: Name prefix of an ablation tier: ``hardware-no-<effect>``.
ABLATION_PREFIX: Final = "hardware-no-"


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What a fidelity does, beside its name.

    Attributes
    ----------
    maps
        It maps the network on the wafer (losses, route delays, placement sites).
    analog
        It applies the analog effects of :mod:`twin.hardware` (each switchable), and
        with them the wafer's own fixed-pattern variation: a workload requests the
        mean parameters from it (it supplies its variation itself).
    on_nest
        NEST can run it (NEST has no analog effects, no mean-field theory).
    theory
        Its rates are computed by mean-field theory (:mod:`twin.theory.tier`) of
        the network it realises, not emulated.
    """

    maps: bool
    analog: bool
    on_nest: bool
    theory: bool = False

    @property
    def describes(self) -> Fidelity:
        """The emulated fidelity that realises the same network (itself if one)."""
        return SIMULATED[int(self.maps) + int(self.analog)]

    @property
    def supplies_variation(self) -> bool:
        """Whether the tier draws the neurons' variation itself (the wafer's)."""
        return self.analog


#: The behaviour of each fidelity.
BEHAVIOUR: Final[MappingProxyType[Fidelity, Behaviour]] = MappingProxyType(
    {
        IDEAL: Behaviour(maps=False, analog=False, on_nest=True),
        MAPPED: Behaviour(maps=True, analog=False, on_nest=True),
        HARDWARE: Behaviour(maps=True, analog=True, on_nest=False),
        THEORY: Behaviour(maps=False, analog=False, on_nest=False, theory=True),
        THEORY_MAPPED: Behaviour(maps=True, analog=False, on_nest=False, theory=True),
        THEORY_HARDWARE: Behaviour(maps=True, analog=True, on_nest=False, theory=True),
    }
)


def check_fidelity(name: str) -> Fidelity:
    """Return ``name`` as a fidelity; the one check of a tier name.

    Raises
    ------
    ConfigError
        If ``name`` is not one of :data:`FIDELITIES`.

    Examples
    --------
    >>> check_fidelity("mapped")
    'mapped'
    """
    if name not in FIDELITIES:
        raise ConfigError(
            f"unknown tier {name!r}; use {', '.join(FIDELITIES)}, a comma-"
            f"separated list of them, or 'all' ({', '.join(SIMULATED)})"
        )
    return cast(Fidelity, name)


def behaviour(fidelity: str) -> Behaviour:
    """Return what the fidelity ``fidelity`` does.

    Raises
    ------
    ConfigError
        If ``fidelity`` is not one of :data:`FIDELITIES`.
    """
    return BEHAVIOUR[check_fidelity(fidelity)]


def is_theory(name: str) -> bool:
    """Whether ``name`` names a theory tier (computed, not simulated: no time window).

    Examples
    --------
    >>> is_theory("theory-hardware"), is_theory("hardware"), is_theory("hardware-no-x")
    (True, False, False)
    """
    return name in FIDELITIES and BEHAVIOUR[cast(Fidelity, name)].theory


def emulated_tier(name: str) -> str:
    """Return the emulated tier whose network a tier's rows describe.

    A theory tier's is the tier it computes the rates of (``theory``: ``ideal``,
    ``theory-mapped``: ``mapped``, ``theory-hardware``: ``hardware``); any other
    tier's is itself. NEST rows of that tier are what the tier is compared with.

    Examples
    --------
    >>> emulated_tier("theory"), emulated_tier("theory-mapped"), emulated_tier("mapped")
    ('ideal', 'mapped', 'mapped')
    """
    return _EMULATED.get(name, name)


def is_ablation(name: str) -> bool:
    """Whether ``name`` names an ablation tier (``hardware-no-<effect>``)."""
    return name.startswith(ABLATION_PREFIX)


@dataclass(frozen=True, slots=True)
class Tier:
    """A fidelity tier, or the hardware tier with one effect switched off.

    Parameters
    ----------
    name
        ``ideal``, ``mapped``, ``hardware`` or ``hardware-no-<effect>``.
    fidelity
        The pipeline: which transforms apply.
    hardware
        The hardware settings (hardware tiers only).

    Raises
    ------
    ConfigError
        If ``fidelity`` is unknown, or a hardware tier has no settings.
    """

    name: str
    fidelity: Fidelity
    hardware: HardwareConfig | None = None

    def __post_init__(self) -> None:
        check_fidelity(self.fidelity)
        if self.behaviour.analog and self.hardware is None:
            raise ConfigError(f"tier {self.name!r}: give its HardwareConfig")

    @property
    def behaviour(self) -> Behaviour:
        """What the tier's fidelity does (maps, analog effects, NEST)."""
        return BEHAVIOUR[self.fidelity]

    @property
    def maps(self) -> bool:
        """Whether the tier maps the network on the wafer."""
        return self.behaviour.maps

    @property
    def effects(self) -> tuple[str, ...]:
        """The analog effects the tier applies, in order (none without hardware)."""
        if self.hardware is None:
            return ()
        switches = {e: getattr(self.hardware, e) for e in EFFECTS}
        return tuple(e for e, on in switches.items() if on not in (None, False))

    @property
    def ablated(self) -> str | None:
        """The effect an ablation tier removes (``None``: not an ablation)."""
        return ablated_effect(self.name)

    @property
    def bandwidth(self) -> bool:
        """Whether the bandwidth limits apply (in the run and after it)."""
        return self.hardware is not None and self.hardware.bandwidth

    def without(self, effect: str) -> Tier:
        """Return the ablation of this hardware tier without ``effect``.

        Raises
        ------
        ConfigError
            If this is not a hardware tier or ``effect`` is not one of
            :data:`twin.hardware.EFFECTS`.
        """
        if self.hardware is None:
            raise ConfigError(f"tier {self.name!r} has no hardware effect to remove")
        return Tier(
            f"{ABLATION_PREFIX}{effect}", "hardware", self.hardware.without(effect)
        )


def ablated_effect(name: str) -> str | None:
    """Return the effect an ablation tier's name removes, or ``None``."""
    return name[len(ABLATION_PREFIX) :] if is_ablation(name) else None


def parse_fidelities(text: str) -> list[Fidelity]:
    """Parse a comma-separated tier list, in the given order.

    ``all`` is every emulated tier (:data:`SIMULATED`); theory tiers are named.

    Raises
    ------
    ConfigError
        If a name is not one of :data:`FIDELITIES`, or is given twice.
    """
    names = list(SIMULATED) if text == "all" else text.split(",")
    tiers = [check_fidelity(name) for name in names]
    twice = [name for i, name in enumerate(tiers) if name in tiers[:i]]
    if twice:
        raise ConfigError(
            f"tier list {text!r} names {twice[0]!r} twice; give each tier once "
            f"(e.g. {','.join(dict.fromkeys(tiers))!r})"
        )
    return tiers


def tier_list(
    names: Sequence[str], ablation: bool = False, hardware: HardwareConfig | None = None
) -> list[Tier]:
    """Return the tiers to run: each named tier, plus the hardware ablations.

    Raises
    ------
    ConfigError
        If a name is not one of :data:`FIDELITIES`, or ``ablation`` is set without
        the hardware tier.
    """
    hw = hardware or HardwareConfig()
    tiers = []
    for name in names:
        fidelity = check_fidelity(name)
        tiers.append(Tier(name, fidelity, hw if behaviour(fidelity).analog else None))
    if ablation:
        if HARDWARE not in names:
            raise ConfigError("--ablation needs the hardware tier")
        full = Tier(HARDWARE, HARDWARE, hw)
        tiers += [full.without(e) for e in EFFECTS]
    return tiers


def realise(
    tier: Tier,
    network: Network,
    *,
    seed: int = 0,
    wafer: Wafer | None = None,
    mapping_config: MappingConfig | None = None,
    mapping: WaferMapping | None = None,
    graph: BusGraph | None = None,
) -> Realised:
    """Apply a tier's pipeline to ``network``.

    Parameters
    ----------
    tier
        The tier.
    network
        The requested network.
    seed
        Seed of the mapping, the delay jitter and (for hardware tiers) the wafer's
        fixed pattern of this realisation (``HardwareConfig.for_realisation``).
    wafer
        The wafer to map on (default: a perfect one).
    mapping_config
        Mapping settings (default: ``MappingConfig()``).
    mapping
        A mapping of ``network`` to reuse instead of mapping again.
    graph
        The wafer's L1 bus graph, to reuse (see :func:`twin.routing.map_network`).

    Returns
    -------
    Realised
        The network to simulate with its mapping, sites and hardware report.

    Raises
    ------
    PlacementError, RoutingError, MappingLossError
        If the network cannot be mapped (see :func:`twin.routing.map_network`).
    NetworkError
        If the hardware transforms give a neuron parameters outside its cell type's
        bounds.
    """
    if not tier.maps:
        return Realised(tier, network)
    if mapping is None:
        mapping = map_network(
            network, wafer or Wafer(), config=mapping_config or MappingConfig(),
            seed=seed, graph=graph,
        )  # fmt: skip
    realised = mapping.realised_network(seed=seed)
    sites = wafer_sites(mapping)
    if tier.hardware is None:
        return Realised(tier, realised, mapping, sites)
    hw = tier.hardware.for_realisation(seed)
    plastic = any(p.stp is not None for p in realised.projections)
    stp = (
        STPSites(mapping.synapse_quadrants(), mapping.synapse_driver_units())
        if plastic else None
    )  # fmt: skip
    net, report = realise_hardware(realised, sites.sites, hw, seed=seed, stp_sites=stp)
    return Realised(tier, net, mapping, sites, hw, report)
