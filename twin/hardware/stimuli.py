"""The wafer's current stimulus: one stimulated neuron per HICANN, 129 pattern values.

What the mapping software does with PyNN current sources (reference
``bss1_hardware.md`` §3.8; marocco ``parameter/CurrentSources.cpp``):

- each HICANN has one current stimulus (a floating-gate pattern, ``sthal::FGStimulus``)
  for one of its neurons; a second stimulated neuron on the same HICANN is discarded
  with the warning "more than one current source per HICANN";
- only a ``StepCurrentSource`` is realised (anything else: "unsupported current source
  type"; the twin refuses a ``DCSource`` on the hardware tier in
  :mod:`twin.pynn.electrodes`, the ``Network`` has step stimuli only);
- the pattern holds :data:`FG_STIMULUS_SIZE` values.

:func:`limit_stimuli` applies the first two to a mapped network: the (stimulus,
neuron) pairs are taken in network order (stimuli in order, targets in index order);
the first pair on a HICANN keeps it, every later pair on it (another neuron, or a
second stimulus into the same neuron: the wafer has one pattern per HICANN) is
discarded with a :class:`UserWarning` naming it, and counted per HICANN. marocco's
order is that of a hash map (unspecified); the twin's is the network's.

Named assumptions, not modelled:

- *periodic playback*: the wafer plays the pattern back continuously with pulse
  length 15 (slow-clock cycles) and ignores the PyNN ``times``; the twin applies the
  amplitudes once, at the given times (as NEST does);
- *pattern length*: marocco requires exactly 129 amplitudes; the twin accepts up to
  129 (a shorter step list fits the pattern memory) and refuses more;
- *amplitude units*: marocco writes the amplitudes unconverted into the floating-gate
  pattern; the twin takes them as nA (PyNN's unit), with no range, quantisation or
  fixed-pattern variation of the stimulus current (no published numbers).
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np

from twin.errors import UnsupportedError
from twin.hardware.spike_loss import QueueLoss
from twin.hardware.variation import NeuronSites
from twin.network import Network
from twin.stimuli import CurrentStimulus

__all__ = ["FG_STIMULUS_SIZE", "STIMULUS_RESOURCE", "StimulusReport", "limit_stimuli"]

#: Values of a HICANN's current stimulus pattern (``sthal::FGStimulus``; ``FG_MEM_SIZE``
#: of the old PyNN hardware module) [reference ``bss1_hardware.md`` §3.8].
FG_STIMULUS_SIZE: Final = 129
#: Name of the resource in loss reports: one stimulated neuron per HICANN.
STIMULUS_RESOURCE: Final = "current_stimulus_per_hicann"
_LISTED = 10  # dropped inputs named in the warning


@dataclass(frozen=True, slots=True)
class StimulusReport:
    """What the one-stimulus-per-HICANN rule discarded.

    Attributes
    ----------
    loss
        Per HICANN (-1: neuron not placed): (stimulus, neuron) pairs offered and
        discarded.
    dropped
        ``"<stimulus> -> <population>[<index>]"`` of every discarded input.
    """

    loss: QueueLoss
    dropped: tuple[str, ...]


def limit_stimuli(
    network: Network, sites: NeuronSites
) -> tuple[Network, StimulusReport | None]:
    """Keep one stimulated neuron per HICANN; check the pattern length.

    Parameters
    ----------
    network
        The mapped network.
    sites
        Where its neurons sit (global neuron order).

    Returns
    -------
    network
        The network without the discarded inputs (a stimulus left without target
        is removed).
    report
        What was discarded; ``None`` if the network has no stimulus.

    Raises
    ------
    UnsupportedError
        If a realised stimulus has more than :data:`FG_STIMULUS_SIZE` amplitudes.

    Warns
    -----
    UserWarning
        Naming the discarded inputs, if any.
    """
    if not network.stimuli:
        return network, None
    taken: set[int] = set()
    offered: dict[int, int] = {}
    lost: dict[int, int] = {}
    dropped: list[str] = []
    stimuli = []
    for stim in network.stimuli:
        chips = sites.hicann[network.offset(stim.population) + stim.index]
        keep = np.zeros(stim.size, dtype=bool)
        for k, (index, chip) in enumerate(zip(stim.index, chips, strict=True)):
            chip = int(chip)
            offered[chip] = offered.get(chip, 0) + 1
            if chip >= 0 and chip not in taken:
                taken.add(chip)
                keep[k] = True
            else:
                lost[chip] = lost.get(chip, 0) + 1
                dropped.append(f"{stim.name} -> {stim.population}[{int(index)}]")
        if keep.any():
            _check_length(stim.name, stim.times.size)
            stimuli.append(stim if keep.all() else _subset(stim, keep))
    if dropped:
        _warn(dropped)
    loss = QueueLoss(
        STIMULUS_RESOURCE, MappingProxyType(offered), MappingProxyType(lost)
    )
    return network.replace(stimuli=tuple(stimuli)), StimulusReport(loss, tuple(dropped))


def _subset(stim: CurrentStimulus, keep: np.ndarray) -> CurrentStimulus:
    """Return ``stim`` with the targets selected by ``keep`` only."""
    return dataclasses.replace(stim, index=stim.index[keep])


def _check_length(name: str, size: int) -> None:
    """Raise if a stimulus has more amplitudes than the wafer's pattern holds."""
    if size > FG_STIMULUS_SIZE:
        raise UnsupportedError(
            f"current stimulus {name!r} has {size} amplitude values; a HICANN's "
            f"current stimulus pattern holds {FG_STIMULUS_SIZE} (sthal::FGStimulus): "
            f"give a StepCurrentSource with at most {FG_STIMULUS_SIZE} steps"
        )


def _warn(dropped: list[str]) -> None:
    listed = ", ".join(dropped[:_LISTED])
    more = f" and {len(dropped) - _LISTED} more" if len(dropped) > _LISTED else ""
    warnings.warn(
        f"more than one current source per HICANN (the wafer stimulates one neuron "
        f"per HICANN); discarding input to {listed}{more}: place stimulated neurons "
        "on different HICANNs (twin.pynn.losses() counts them per HICANN)",
        UserWarning,
        stacklevel=3,
    )
