"""The LIF rate response at finite frequencies against a direct Fokker-Planck solve.

An independent method: the stationary and the first-order Fokker-Planck equations
in ``y = (V - mu) / sigma`` (``tau dP/dt = d/dy [y P + 1/2 dP/dy]``, absorbing at
threshold, the outflux reinjected at reset after ``tau_ref``) discretised by finite
volumes on a fine uniform grid (central fluxes, second order) and solved as one
sparse linear system per frequency, instead of integrated from threshold. The two
agree to ~1e-6 at 5-200 Hz; asserted: 1e-4.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from twin.theory.response import lif_response

NEURON = {"tau_m": 20.0, "tau_ref": 2.0, "theta": 20.0, "v_reset": 10.0}
CELLS_ABOVE_RESET = 2000  # grid cells between reset and threshold


def _fokker_planck(mu, sigma, lam, kind, p0=None):
    """Return ``(outflux, density)`` of the finite-volume system at ``lambda``.

    ``kind``: ``"stationary"`` (normalised, ``lambda = 0``), ``"mu"`` (unit
    ``mu_1 / sigma``) or ``"var"`` (unit ``var_1 / sigma^2``), the last two driven
    by the stationary density ``p0``.
    """
    y_th = (NEURON["theta"] - mu) / sigma
    y_r = (NEURON["v_reset"] - mu) / sigma
    step = (y_th - y_r) / CELLS_ABOVE_RESET
    below = int(np.ceil((y_r - min(y_r, 0.0) + 6.0) / step))
    y = y_r + step * np.arange(-below, CELLS_ABOVE_RESET + 1)  # y[-1] = threshold
    n, reset = y.size - 1, below  # unknowns p_0 .. p_{n-1}; p_n = 0
    mid = 0.5 * (y[:-1] + y[1:])  # interface i + 1/2, i = 0 .. n - 1
    left, right = -(mid / 2 - 1 / (2 * step)), -(mid / 2 + 1 / (2 * step))
    # flux q_{i+1/2} = left_i p_i + right_i p_{i+1} + drive_i
    drive = np.zeros(n)
    if kind == "mu":
        drive = 0.5 * (p0[:-1] + p0[1:])
    elif kind == "var":
        drive = -0.5 * np.diff(p0) / step
    flux = sp.lil_matrix((n, n), dtype=complex)
    for i in range(n):
        flux[i, i] = left[i]
        if i + 1 < n:
            flux[i, i + 1] = right[i]
    flux = flux.tocsr()
    previous = sp.vstack([sp.csr_matrix((1, n)), flux[:-1]])  # q_{i-1/2}
    outflux_row = flux[n - 1]
    reinjected = np.exp(-lam * NEURON["tau_ref"] / NEURON["tau_m"])
    inject = (
        sp.csr_matrix((np.full(1, reinjected), ([reset], [0])), shape=(n, 1))
        @ outflux_row
    )
    system = lam * step * sp.identity(n) + flux - previous - inject
    at_reset = np.arange(n) == reset
    rhs = (
        np.concatenate([[0.0], drive[:-1]]) - drive + reinjected * drive[-1] * at_reset
    )
    if kind == "stationary":
        norm = step * np.ones(n) + NEURON["tau_ref"] / NEURON["tau_m"] * (
            outflux_row.toarray().ravel()
        )
        system = sp.vstack([system[:-1], sp.csr_matrix(norm)])
        rhs = np.zeros(n)
        rhs[-1] = 1.0
    p = spsolve(system.tocsc(), rhs.astype(complex))
    outflux = (outflux_row @ p)[0] + drive[-1]
    return outflux, np.concatenate([p, [0.0]])


@pytest.mark.parametrize(("mu", "sigma"), [(15.0, 5.0), (25.0, 3.0)])
def test_response_matches_a_direct_fokker_planck_solve(mu, sigma):
    freq = np.array([5.0, 50.0, 200.0])
    tau = NEURON["tau_m"] * 1e-3  # s
    rate0, p0 = _fokker_planck(mu, sigma, 0.0, "stationary")
    p0 = p0.real
    ours = lif_response(mu, sigma, 2j * np.pi * freq, **NEURON)
    assert ours.rate == pytest.approx(rate0.real / tau, rel=1e-4)
    for k, f in enumerate(freq):
        lam = 2j * np.pi * f * tau
        r_mu, _ = _fokker_planck(mu, sigma, lam, "mu", p0)
        r_var, _ = _fokker_planck(mu, sigma, lam, "var", p0)
        assert ours.mu[k] == pytest.approx(r_mu / (tau * sigma), rel=1e-4)
        assert ours.sigma2[k] == pytest.approx(r_var / (tau * sigma**2), rel=1e-4)
