"""JAX's foreign function interface (``jax.ffi``), imported only when it is used.

The native delivery needs ``jax.ffi`` (``ffi_call``, ``register_ffi_target``,
``pycapsule``, ``include_dir``), public from JAX 0.5.0 on (before, parts of it lived
in ``jax.extend.ffi``); ``setup.cfg`` declares that floor, :data:`JAX_FLOOR`. The rest
of the emulator needs no FFI: it imports without one, ``delivery="auto"`` then warns
once and runs the pure-JAX delivery, and ``delivery="native"`` is a ``ConfigError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import jax

from twin.errors import ConfigError

__all__ = ["JAX_FLOOR", "ffi"]

#: The oldest JAX (and jaxlib) the package supports: the first with ``jax.ffi``
#: (JAX changelog, 0.5.0: "The jax.extend.ffi submodule was moved to jax.ffi").
JAX_FLOOR = "0.5.0"


def ffi() -> ModuleType:
    """Return the ``jax.ffi`` module.

    Returns
    -------
    module
        ``jax.ffi``.

    Raises
    ------
    ConfigError
        If this JAX has no ``jax.ffi`` (older than :data:`JAX_FLOOR`, or a build
        without it); the pure-JAX delivery needs none.
    """
    try:
        return importlib.import_module("jax.ffi")
    except ImportError as err:
        raise ConfigError(
            f"the native delivery needs jax.ffi (JAX >= {JAX_FLOOR}), which JAX "
            f"{jax.__version__} lacks ({err}); install jax>={JAX_FLOOR}, or use "
            "SimConfig(delivery='jax')"
        ) from err
