"""What a synapse driver's short-term plasticity can be: modes, U_SE levels, classes.

Every synapse driver of the wafer has one STP setting for both its rows: STP off
(static), depression or facilitation (``stp_mode``), and a 3-bit capacitor setting
``stp_cap`` (0..7) that sets the utilisation U_SE of every synapse it drives
[bss1_hardware.md §2.6, §3.6; halbe ``SynapseDriver.h``; marocco
``SynapseDriverRequirements.h``]. A synapse therefore needs a driver of its *driver
class*: static, or (mode, capacitor setting). The mapper counts drivers per class
(:mod:`twin.routing.synapses`); the hardware tier realises the parameters
(:mod:`twin.hardware.stp`). Both read the rules here.

- **Mode.** A driver does depression *or* facilitation. marocco maps a
  ``TsodyksMarkramMechanism`` with ``tau_facil == 0`` to depression, one with
  ``tau_rec == 0`` to facilitation, and refuses one with both
  [marocco ``routing/STPMode.cpp``]. PyNN's (and :class:`twin.stp.TsodyksMarkram`'s)
  ``tau_rec`` is always > 0, so a facilitating synapse always has both; the twin's
  rule (:func:`stp_mode`, a named assumption): **facilitating when
  ``tau_facil > tau_rec``** (the slower process dominates a spike train), depressing
  otherwise. Synapses with both time constants are counted by the hardware tier.
- **U_SE levels.** calibtic's default ``STPUtilizationCalibration``: U_SE rises
  linearly with the capacitor setting from 0.25 (cap 0) to 0.4 (cap 7), "S. Billaudelle
  measured a range of 0.25 - 0.4"; a requested U is mapped to the nearest level (ties
  upwards), below 0.25 to cap 0, above 0.4 to cap 7 (``getCap``)
  [calibtic ``src/HMF/STPUtilizationCalibration.cpp``; ess ``syndriver.cpp``].
"""

from __future__ import annotations

from typing import Final

import numpy as np

from twin.stp import TsodyksMarkram

__all__ = [
    "DEPRESSING",
    "FACILITATING",
    "MODE_NAMES",
    "N_CAP_SETTINGS",
    "N_DRIVER_CLASSES",
    "STATIC",
    "U_SE_LEVELS",
    "class_cap",
    "class_mode",
    "driver_classes",
    "stp_mode",
    "u_se_cap",
]

#: Driver modes (codes): STP off, depression, facilitation.
STATIC: Final = 0
DEPRESSING: Final = 1
FACILITATING: Final = 2
#: Mode code -> name.
MODE_NAMES: Final = ("static", "depressing", "facilitating")
#: Capacitor settings of a driver's U_SE (3 bits) [halbe SynapseDriver.h; ess].
N_CAP_SETTINGS: Final = 8
#: U_SE of each capacitor setting: calibtic's default, 0.25 + cap * 0.15 / 7.
U_SE_LEVELS: Final = 0.25 + np.arange(N_CAP_SETTINGS) * (0.4 - 0.25) / 7
U_SE_LEVELS.setflags(write=False)
#: Driver classes: 0 static; ``1 + (mode - 1) * 8 + cap`` for a mode and capacitor
#: setting (1..16); ``16 + mode`` for a mode whose setting is chosen after mapping
#: (17, 18; ``MappingConfig.stp_classes = "mode"``).
N_DRIVER_CLASSES: Final = 3 + 2 * N_CAP_SETTINGS
_MODE_ONLY: Final = 2 * N_CAP_SETTINGS


def stp_mode(tau_rec: np.ndarray, tau_facil: np.ndarray) -> np.ndarray:
    """Return the driver mode of each plastic synapse (the module's mode rule).

    Parameters
    ----------
    tau_rec, tau_facil
        Requested time constants, ms, shape ``(n,)`` (``tau_rec > 0``).

    Returns
    -------
    numpy.ndarray
        :data:`FACILITATING` where ``tau_facil > tau_rec``, else :data:`DEPRESSING`;
        shape ``(n,)``, int64.

    Examples
    --------
    >>> stp_mode(np.array([800.0, 100.0, 100.0]), np.array([0.0, 1000.0, 50.0]))
    array([1, 2, 1])
    """
    rec = np.asarray(tau_rec, dtype=np.float64)
    fac = np.asarray(tau_facil, dtype=np.float64)
    return np.where(fac > rec, FACILITATING, DEPRESSING).astype(np.int64)


def u_se_cap(u: np.ndarray) -> np.ndarray:
    """Return the capacitor setting (0..7) that realises each requested U.

    The nearest level of :data:`U_SE_LEVELS` (ties to the larger), clipped to the
    range: calibtic's ``STPUtilizationCalibration::getCap``.

    Parameters
    ----------
    u
        Requested utilisations, shape ``(n,)``.

    Returns
    -------
    numpy.ndarray
        Capacitor settings, shape ``(n,)``, int64.

    Examples
    --------
    >>> u_se_cap(np.array([0.04, 0.25, 0.3, 0.5]))
    array([0, 0, 2, 7])
    """
    step = U_SE_LEVELS[1] - U_SE_LEVELS[0]
    x = (np.asarray(u, dtype=np.float64) - U_SE_LEVELS[0]) / step
    return np.clip(np.floor(x + 0.5), 0, N_CAP_SETTINGS - 1).astype(np.int64)


def driver_classes(
    stp: TsodyksMarkram | None, n: int, per_u: bool = True
) -> np.ndarray:
    """Return the driver class each of ``n`` synapses needs.

    Class 0 is static (``stp is None``); a plastic synapse's class is
    ``1 + (mode - 1) * 8 + cap`` for its :func:`stp_mode` and :func:`u_se_cap`, or,
    with ``per_u=False`` (drivers separated by mode only, as marocco does), ``16 +
    mode``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, int64, in ``0 .. N_DRIVER_CLASSES - 1``.
    """
    if stp is None:
        return np.zeros(n, dtype=np.int64)
    mode = stp_mode(stp.tau_rec, stp.tau_facil)
    if not per_u:
        return _MODE_ONLY + mode
    return 1 + (mode - 1) * N_CAP_SETTINGS + u_se_cap(stp.U)


def class_mode(cls: np.ndarray) -> np.ndarray:
    """Return the mode code of each driver class (inverse of :func:`driver_classes`).

    Examples
    --------
    >>> class_mode(np.array([0, 1, 8, 9, 16, 17, 18]))
    array([0, 1, 1, 2, 2, 1, 2])
    """
    c = np.asarray(cls, dtype=np.int64)
    per_u = np.where(c > _MODE_ONLY, c - _MODE_ONLY, 1 + (c - 1) // N_CAP_SETTINGS)
    return np.where(c == 0, STATIC, per_u)


def class_cap(cls: np.ndarray) -> np.ndarray:
    """Return the capacitor setting of each driver class (-1: static or mode only).

    Examples
    --------
    >>> class_cap(np.array([0, 1, 8, 9, 16, 17, 18]))
    array([-1,  0,  7,  0,  7, -1, -1])
    """
    c = np.asarray(cls, dtype=np.int64)
    return np.where((c == 0) | (c > _MODE_ONLY), -1, (c - 1) % N_CAP_SETTINGS)
