"""The standard models the twin emulates, and clear errors for the ones it does not.

The twin's ``Network`` speaks PyNN's names and units (:mod:`twin.cells`), so every
translation is the identity: the native name is the PyNN name. Hardware units belong
to :mod:`twin.hardware`, not to this table.

Supported: the wafer's neuron models ``IF_cond_exp`` and ``EIF_cond_exp_isfa_ista``
(BrainScaleS-1 neurons are conductance based AdEx circuits), the current-based
``IF_curr_exp`` and ``IF_curr_alpha`` and the alpha-conductance ``IF_cond_alpha`` and
``EIF_cond_alpha_isfa_ista`` (on the ideal tier only: the wafer has neither),
``SpikeSourcePoisson``,
``SpikeSourceArray``, ``StaticSynapse`` and ``TsodyksMarkramSynapse`` (short-term
plasticity, NEST's ``tsodyks_synapse``; :mod:`twin.analog.short_term`), and the
current sources ``DCSource`` and
``StepCurrentSource`` (:mod:`twin.pynn.electrodes`). Every other standard model of PyNN
raises :class:`twin.errors.UnsupportedError` naming it and the supported ones.
"""

from __future__ import annotations

from typing import Any

from pyNN.standardmodels import build_translations, cells, synapses

from twin.errors import UnsupportedError
from twin.pynn.electrodes import DCSource, StepCurrentSource
from twin.pynn.simulator import state

__all__ = [
    "SUPPORTED_CELLS",
    "DCSource",
    "EIF_cond_alpha_isfa_ista",
    "EIF_cond_exp_isfa_ista",
    "IF_cond_alpha",
    "IF_cond_exp",
    "IF_curr_alpha",
    "IF_curr_exp",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "StaticSynapse",
    "StepCurrentSource",
    "TsodyksMarkramSynapse",
    "unsupported",
]


def _identity(model: Any) -> Any:
    """Identity translations for every default parameter of a PyNN model class."""
    return build_translations(*((p, p) for p in model.default_parameters))


class IF_cond_exp(cells.IF_cond_exp):
    """Leaky integrate-and-fire neuron with exponential conductances (PyNN)."""

    translations = _identity(cells.IF_cond_exp)


class EIF_cond_exp_isfa_ista(cells.EIF_cond_exp_isfa_ista):
    """Adaptive exponential integrate-and-fire neuron (AdEx; PyNN)."""

    translations = _identity(cells.EIF_cond_exp_isfa_ista)


class IF_curr_exp(cells.IF_curr_exp):
    """LIF neuron with exponential synaptic currents (PyNN; NEST's iaf_psc_exp).

    Weights are currents, nA; inhibitory ones negative (PyNN's rule). Emulated on
    the ideal tier, integrated exactly as NEST does (:mod:`twin.analog.psc`).
    """

    translations = _identity(cells.IF_curr_exp)


class IF_curr_alpha(cells.IF_curr_alpha):
    """LIF neuron with alpha-shaped synaptic currents (PyNN; NEST's iaf_psc_alpha).

    Weights are the currents' peaks, nA; inhibitory ones negative. Emulated on the
    ideal tier, integrated exactly as NEST does (:mod:`twin.analog.psc`).
    """

    translations = _identity(cells.IF_curr_alpha)


class IF_cond_alpha(cells.IF_cond_alpha):
    """LIF neuron with alpha-shaped conductances (PyNN; NEST's iaf_cond_alpha).

    Emulated on the ideal tier: the conductances exact at RK4's stage times.
    """

    translations = _identity(cells.IF_cond_alpha)


class EIF_cond_alpha_isfa_ista(cells.EIF_cond_alpha_isfa_ista):
    """AdEx neuron with alpha-shaped conductances (PyNN; NEST's aeif_cond_alpha).

    Emulated on the ideal tier: the conductances exact at RK4's stage times.
    """

    translations = _identity(cells.EIF_cond_alpha_isfa_ista)


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    """Poisson spike source (PyNN): ``rate`` Hz from ``start`` for ``duration`` ms.

    The parameters as PyNN defines them: each cell fires at ``rate`` from ``start``
    to ``start + duration`` (NEST's ``poisson_generator`` with ``stop = start +
    duration``, as ``pyNN.nest`` sets it), its spikes stamped in ``(start + dt,
    start + duration + dt]`` (:class:`twin.sources.PoissonSource`); the default
    duration (1e10 ms) outlasts any run. ``start`` and ``start + duration`` must lie
    on the step grid (NEST refuses other times). Times count from the last
    ``reset``; a rate, start or duration changed after a run acts from the next run.
    """

    translations = _identity(cells.SpikeSourcePoisson)


class SpikeSourceArray(cells.SpikeSourceArray):
    """Spike source emitting given times (PyNN)."""

    translations = _identity(cells.SpikeSourceArray)


class StaticSynapse(synapses.StaticSynapse):
    """Synapse with a fixed weight (µS; onto current-based cells nA) and delay (ms)."""

    translations = _identity(synapses.StaticSynapse)

    def _get_minimum_delay(self) -> float:
        return state.min_delay


class TsodyksMarkramSynapse(synapses.TsodyksMarkramSynapse):
    """Synapse with Tsodyks–Markram short-term depression and facilitation (PyNN).

    Weight (µS; onto current-based cells nA) and delay (ms) as ``StaticSynapse``;
    ``U`` (utilisation, (0, 1]), ``tau_rec`` and ``tau_facil`` (ms) per connection.
    The emulator runs NEST's ``tsodyks_synapse``, the model ``pyNN.nest`` maps it
    to, with ``tau_psc`` the target cell's ``tau_syn_E`` or ``tau_syn_I`` (its value
    at the run; ``pyNN.nest`` copies it when connecting, so a ``tau_syn`` changed
    after ``Projection`` differs there). The synapses' state carries over from one
    ``run`` to the next and starts from rest after ``reset``.
    """

    translations = _identity(synapses.TsodyksMarkramSynapse)

    def _get_minimum_delay(self) -> float:
        return state.min_delay


#: Cell types the twin emulates, by name.
SUPPORTED_CELLS = (
    "IF_cond_exp",
    "EIF_cond_exp_isfa_ista",
    "IF_curr_exp",
    "IF_curr_alpha",
    "IF_cond_alpha",
    "EIF_cond_alpha_isfa_ista",
    "SpikeSourcePoisson",
    "SpikeSourceArray",
)


def unsupported(model: str, kind: str, instead: str) -> type:
    """Return a stand-in class for a PyNN model the twin does not emulate.

    Instantiating it raises :class:`twin.errors.UnsupportedError` naming the model
    and what the twin supports.

    Parameters
    ----------
    model
        The PyNN class name the stand-in takes (e.g. ``"IF_curr_exp"``).
    kind
        Why the twin does not emulate it, for the message and the class docstring.
    instead
        What the twin supports instead, for the message.

    Returns
    -------
    type
        A class named ``model`` whose constructor raises
        :class:`twin.errors.UnsupportedError`.
    """

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        raise UnsupportedError(
            f"{model} is not available on the BrainScaleS-1 twin ({kind}); the twin "
            f"supports {instead}"
        )

    return type(model, (), {"__init__": __init__, "__doc__": f"Not emulated: {kind}."})


_CELLS_INSTEAD = ", ".join(SUPPORTED_CELLS)
_UNSUPPORTED = {
    **dict.fromkeys(
        (
            "IF_curr_delta",
            "IF_facets_hardware1",
            "HH_cond_exp",
            "IF_cond_exp_gsfa_grr",
            "Izhikevich",
            "GIF_cond_exp",
            "SpikeSourceGamma",
            "SpikeSourceInhGamma",
            "SpikeSourcePoissonRefractory",
        ),
        (
            "a cell type the wafer's conductance-based AdEx circuits do not run",
            _CELLS_INSTEAD,
        ),
    ),
    **dict.fromkeys(
        (
            "STDPMechanism",
            "ElectricalSynapse",
            "MultiplicativeWeightDependence",
            "AdditiveWeightDependence",
            "GutigWeightDependence",
            "SpikePairRule",
            "Vogels2011Rule",
            "AdditivePotentiationMultiplicativeDepression",
            "SimpleStochasticSynapse",
            "StochasticTsodyksMarkramSynapse",
            "MultiQuantalSynapse",
        ),
        (
            "a long-term plastic, stochastic or electrical synapse",
            "StaticSynapse and TsodyksMarkramSynapse",
        ),
    ),
    **dict.fromkeys(
        (
            "PointNeuron",
            "AdExp",
            "LIF",
            "AlphaPSR",
            "BetaPSR",
            "ExpPSR",
            "CondAlphaPostSynapticResponse",
            "CondBetaPostSynapticResponse",
            "CondExpPostSynapticResponse",
            "CurrExpPostSynapticResponse",
        ),
        (
            "a composed neuron model (several receptor types per cell)",
            f"the standard cell types {_CELLS_INSTEAD}",
        ),
    ),
    **dict.fromkeys(
        ("ACSource", "NoisyCurrentSource"),
        (
            "a current source the twin does not emulate (the wafer plays back a "
            "step-wise current pattern only)",
            "DCSource and StepCurrentSource (on the hardware tier StepCurrentSource "
            "only), and a constant current per neuron through i_offset",
        ),
    ),
}

globals().update({name: unsupported(name, *why) for name, why in _UNSUPPORTED.items()})
__all__ += sorted(_UNSUPPORTED)
