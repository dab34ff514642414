r"""Neuron-resolved self-consistency: each neuron driven by its own presynaptic rates.

:func:`twin.theory.network_rates.rates_over` closes the mean field at the level of
populations: every presynaptic neuron is taken to fire at its population's mean rate,
so a neuron's input sums are :math:`A_{i,x} = \sum_k (\sum_{j \in k} w_{ij}) \nu_k`.
With parameter and weight variation the neurons' rates spread widely (in the seed
network from below 1 Hz to above 60 Hz in one population), and a neuron's input is the
sum over *its* presynaptic neurons' rates,

.. math::

    \nu_i = \phi_i\Big(A_{i,x} = \sum_j w_{ij,x}\,\nu_j + A^\mathrm{ext}_{i,x},\;
    B_{i,x} = \sum_j w_{ij,x}^2\,\nu_j + B^\mathrm{ext}_{i,x}\Big),

with :math:`\phi_i` the neuron's effective-LIF rate (:mod:`twin.theory.conductance`)
and :math:`w_{ij,x}` the network's own synapses. The quenched spread of the
presynaptic rates adds input variance across neurons that the population closure
leaves out (the rate distribution of sparse networks: Amit & Brunel 1997, Network 8,
373; van Vreeswijk & Sompolinsky 1998, Neural Comput 10, 1321; Roxin et al. 2011,
J Neurosci 31, 16217); the transfer function being convex in the fluctuation-driven
regime, it raises the mean rate. Nothing is fitted: the fixed point uses the
network's synapses as they are.

The fixed point is found by damped iteration :math:`\nu \leftarrow (1-d)\nu +
d\,\phi(W\nu)` from the population closure's rate of every neuron (each neuron's
own rate with every presynaptic neuron at the closure's population rate; the closure
itself by the default cubature, :mod:`twin.theory.cubature`), every variant of a
batch at once. A neuron-resolved network whose neurons and inputs are all
equal has the population fixed point as its own (a test checks it). Cost: one
sparse product and one evaluation per neuron and iteration (typically 50-150
iterations): about 0.1-0.5 s per point of the seed network (2083 neurons), so this is
an option for tables of a few points, not for a plane.

Validity: each neuron's rate is still the effective-LIF diffusion rate with the
Fourcaud-Brunel shift (:mod:`twin.theory.conductance`), so the flags of the
population closure (``SLOW_SYNAPSES``, ``LARGE_PSPS``, stability) apply unchanged;
what this removes is the closure's neglect of the presynaptic rate spread, which
matters where the neurons' rates spread widely (parameter and weight variation).
Input correlations and non-Poisson spike trains remain outside the theory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import scipy.sparse as sparse

from twin.network import Network
from twin.theory.conductance import Drive, Neurons, neuron_rates
from twin.theory.connectivity import _RECEPTOR, Scales, _source_rates, inputs_of
from twin.theory.errors import TheoryInputError
from twin.theory.fixed_point import DEFAULT_STARTS
from twin.theory.network_rates import NetworkRates, rates_over
from twin.theory.validate import require

__all__ = [
    "DAMPING",
    "MAX_ITERATIONS",
    "TOLERANCE_HZ",
    "NeuronResolved",
    "Synapses",
    "resolve_neurons",
]

#: Weight of the new iterate in the damped iteration.
DAMPING: Final = 0.5
#: Iterations before a point is reported as not converged.
MAX_ITERATIONS: Final = 2000
#: Convergence: the largest residual ``|phi_i(nu) - nu_i|`` over the neurons, Hz.
TOLERANCE_HZ: Final = 1e-4


@dataclass(frozen=True, slots=True, eq=False)
class Synapses:
    """A network's synapses between its neurons, all populations joined.

    Attributes
    ----------
    cells
        Every neuron's parameters, population after population, ``(N,)`` each.
    first, second
        Per receptor (0 excitatory, 1 inhibitory): sparse ``(N, N)`` matrices of the
        summed weights ``w_ij`` (µS) and squared weights (µS²) from neuron ``j`` onto
        neuron ``i``.
    ext_first, ext_second
        The Poisson sources' ``sum w nu`` (µS Hz) and ``sum w^2 nu`` (µS² Hz),
        ``(N, 2)``.
    bounds
        Population ``k``'s neurons are ``bounds[k]:bounds[k + 1]``.
    names
        The populations, in order.
    """

    cells: Neurons
    first: tuple[sparse.csr_array, sparse.csr_array]
    second: tuple[sparse.csr_array, sparse.csr_array]
    ext_first: np.ndarray
    ext_second: np.ndarray
    bounds: np.ndarray
    names: tuple[str, ...]

    @classmethod
    def of(cls, network: Network, *, check: bool = True) -> Synapses:
        """Return the synapses of a network the stationary theory describes.

        ``check``: as :func:`twin.theory.connectivity.inputs_of`.

        Raises
        ------
        NotDescribableError
            As :func:`twin.theory.connectivity.inputs_of` (which checks the network).
        """
        inputs_of(network, check=check)  # the same checks as the population closure
        names = tuple(p.name for p in network.populations)
        bounds = np.cumsum([0, *(p.size for p in network.populations)])
        n = int(bounds[-1])
        ext = np.zeros((2, n, 2))
        parts: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {
            0: [],
            1: [],
        }
        for proj in network.projections:
            x = _RECEPTOR[proj.receptor]
            post = np.asarray(proj.post_idx) + bounds[names.index(proj.post)]
            w = np.asarray(proj.weight, float) * np.ones(post.size)
            if network.is_source(proj.pre):
                nu = _source_rates(network, proj)
                ext[0, :, x] += np.bincount(post, w * nu, n)
                ext[1, :, x] += np.bincount(post, w * w * nu, n)
                continue
            pre = np.asarray(proj.pre_idx) + bounds[names.index(proj.pre)]
            parts[x].append((post, pre, w))

        def matrix(x: int, power: int) -> sparse.csr_array:
            if not parts[x]:
                return sparse.csr_array((n, n))
            post, pre, w = (np.concatenate(c) for c in zip(*parts[x], strict=True))
            return sparse.csr_array((w**power, (post, pre)), shape=(n, n))  # sums dups

        fields = [f.name for f in dataclasses.fields(Neurons)]
        cells = [Neurons.of(p) for p in network.populations]
        joined = Neurons(
            *(np.concatenate([getattr(c, f) for c in cells]) for f in fields)
        )
        return cls(
            joined,
            (matrix(0, 1), matrix(1, 1)),
            (matrix(0, 2), matrix(1, 2)),
            ext[0],
            ext[1],
            bounds,
            names,
        )

    def drive(self, rates: np.ndarray, scales: Scales) -> Drive:
        """Return every neuron's drive for neuron rates ``(P, N)`` Hz of ``P`` variants.

        ``scales.shape == (P,)``; the drive has shape ``(P, N, 2)``.
        """
        first = np.stack([(m @ rates.T).T for m in self.first], axis=-1)
        second = np.stack([(m @ rates.T).T for m in self.second], axis=-1)
        return Drive(
            first * scales.first + self.ext_first * scales.ext_first,
            second * scales.second + self.ext_second * scales.ext_second,
        )


@dataclass(frozen=True, slots=True, eq=False)
class NeuronResolved:
    """The neuron-resolved fixed point of one variant.

    Attributes
    ----------
    population
        The population closure's result the iteration started from.
    neuron_rates
        Every neuron's rate, Hz, ``(N,)`` (population order; NaN where there is
        no single stable population fixed point to start from).
    iterations
        Damped iterations done.
    change
        The largest residual ``|phi_i(nu) - nu_i|`` at the last iteration, Hz.
    converged
        ``change <= TOLERANCE_HZ`` within the iterations allowed.
    bounds
        Population ``k``'s neurons are ``neuron_rates[bounds[k]:bounds[k + 1]]``.
    """

    population: NetworkRates
    neuron_rates: np.ndarray
    iterations: int
    change: float
    converged: bool
    bounds: np.ndarray

    @property
    def rates(self) -> np.ndarray:
        """Population rates (means over the neurons), Hz, ``(n_populations,)``.

        Raises
        ------
        TheoryInputError
            If the iteration did not converge (or had no fixed point to start from).
        """
        if not self.converged:
            raise TheoryInputError(
                f"neuron-resolved iteration not converged (largest change "
                f"{self.change:.3g} Hz after {self.iterations} iterations); use the "
                "population closure's rates or raise max_iterations"
            )
        return self.rates_or_nan()

    def rates_or_nan(self) -> np.ndarray:
        """Return the population rates, Hz, NaN where not converged."""
        if not self.converged:
            return np.full(self.bounds.size - 1, np.nan)
        return np.array(
            [
                self.neuron_rates[lo:hi].mean()
                for lo, hi in zip(self.bounds[:-1], self.bounds[1:], strict=True)
            ]
        )


def resolve_neurons(
    network: Network,
    g_scale: np.ndarray | float = 1.0,
    rate_scale: np.ndarray | float = 1.0,
    *,
    damping: float = DAMPING,
    max_iterations: int = MAX_ITERATIONS,
    starts: Sequence[float] = DEFAULT_STARTS,
    stability: bool = False,
    check_connectivity: bool = True,
) -> tuple[NeuronResolved, ...]:
    """Return the neuron-resolved stationary rates of a batch of variants.

    Parameters
    ----------
    network
        As :func:`twin.theory.network_rates.rates_of`.
    g_scale, rate_scale
        Inhibitory-weight and Poisson-rate factors, broadcast (as
        :func:`twin.theory.network_rates.rates_over`).
    damping
        Weight of the new iterate, in ``(0, 1]``.
    max_iterations
        Iterations before a variant is reported as not converged (``>= 1``).
    starts
        Start rates of the population closure, Hz.
    stability
        Also the linear stability of the population closure's fixed point
        (:func:`twin.theory.network_rates.rates_over`; its flags in
        :attr:`NeuronResolved.population`).
    check_connectivity
        As :func:`twin.theory.network_rates.rates_over`.

    Returns
    -------
    tuple of NeuronResolved
        One per variant, C order. A variant whose population closure has no single
        stable fixed point is not iterated (``converged`` False, rates NaN).

    Raises
    ------
    NotDescribableError
        As :func:`twin.theory.network_rates.rates_of`.
    TheoryInputError
        If ``damping`` is not in ``(0, 1]``, ``max_iterations < 1``, or a factor is
        invalid.
    """
    require("damping", damping, lambda x: (x > 0) & (x <= 1), "in (0, 1]", "use 0.5")
    if max_iterations < 1:
        raise TheoryInputError(f"max_iterations = {max_iterations!r}; give >= 1")
    closure = rates_over(
        network,
        g_scale,
        rate_scale,
        starts=starts,
        stability=stability,
        check_connectivity=check_connectivity,
    )
    g, r = np.broadcast_arrays(
        np.asarray(g_scale, float), np.asarray(rate_scale, float)
    )
    syn = Synapses.of(network, check=check_connectivity)
    ok = np.array([c.stationary.ok for c in closure])
    rates = np.zeros((len(closure), int(syn.bounds[-1])))
    active = np.flatnonzero(ok)
    scales = Scales.of(g.reshape(-1), r.reshape(-1))
    if active.size:  # start: every neuron's own rate under the closure's rates
        sizes = np.diff(syn.bounds)
        field = [
            np.repeat(closure[i].stationary.stable[0].rates, sizes) for i in active
        ]
        rates[active] = neuron_rates(
            syn.cells, syn.drive(np.array(field), scales.at(active))
        )
    change = np.where(ok, np.inf, np.nan)
    done = np.zeros(len(closure), int)
    for step in range(1, max_iterations + 1):
        if active.size == 0:
            break
        here = scales.at(active)
        new = neuron_rates(syn.cells, syn.drive(rates[active], here))
        delta = damping * (new - rates[active])
        rates[active] += delta
        change[active] = np.abs(delta).max(axis=-1) / damping
        done[active] = step
        active = active[change[active] > TOLERANCE_HZ]
    rates[~ok] = np.nan
    return tuple(
        NeuronResolved(
            closure[i],
            rates[i],
            int(done[i]),
            float(change[i]),
            bool(ok[i] and change[i] <= TOLERANCE_HZ),
            syn.bounds,
        )
        for i in range(len(closure))
    )
