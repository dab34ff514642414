"""Choosing the event delivery of a run: the pure-JAX reference or the native one."""

from __future__ import annotations

import warnings

import jax

from twin.errors import ConfigError

__all__ = ["DELIVERIES", "use_native"]

#: ``SimConfig.delivery`` values: auto (native on CPU when it builds), native, jax.
DELIVERIES = ("auto", "native", "jax")

_fallback_warned: list[str] = []


def use_native(delivery: str) -> bool:
    """Whether a run with ``SimConfig.delivery == delivery`` uses the native handlers.

    ``"auto"`` picks them on a CPU backend when the library can be built and loaded
    (once per process, :func:`twin.analog.native.register`), else (no compiler, a JAX
    without ``jax.ffi``, an unwritable cache) warns once and uses JAX from then on (no
    second build attempt in the process).

    Raises
    ------
    ConfigError
        If ``"native"`` is asked for on a non-CPU backend or cannot be built or
        loaded (e.g. an unwritable cache folder, a JAX without ``jax.ffi``), or
        ``delivery`` is unknown.
    """
    if delivery not in DELIVERIES:
        raise ConfigError(f"delivery {delivery!r}; use one of {', '.join(DELIVERIES)}")
    if delivery == "jax":
        return False
    backend = jax.default_backend()
    if backend != "cpu":
        if delivery == "native":
            raise ConfigError(
                f"delivery 'native' runs on CPUs only (backend: {backend}); "
                "use delivery='auto' or 'jax'"
            )
        return False
    from twin.analog import native

    if _fallback_warned and delivery == "auto":  # failed before: do not build again
        return False
    try:
        native.register()
    except (ConfigError, OSError, RuntimeError) as err:
        if delivery == "native":
            if isinstance(err, ConfigError):
                raise
            raise ConfigError(
                f"the native delivery could not be loaded ({err}); set "
                "TWIN_NATIVE_DIR to a writable folder of this machine, or use "
                "delivery='auto' or 'jax'"
            ) from err
        _fallback_warned.append(str(err))
        warnings.warn(
            f"native delivery unavailable, using pure JAX (slower): {err}",
            RuntimeWarning,
            stacklevel=2,
        )
        return False
    return True
