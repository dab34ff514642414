"""The store of compiled emulator programs a caller keeps between runs.

Compiling the emulator's loop takes seconds; a caller that runs networks of the same
shapes again (a sweep's units, a PyNN session's runs, a Dask worker's units) keeps a
:class:`CompiledStore` and passes it to :func:`twin.analog.simulate_batch`, which
finds a program compiled before for the same argument shapes and settings or adds
the new one.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from twin.errors import ConfigError

__all__ = ["KEEP_COMPILED", "CompiledStore"]

#: How many compiled programs a store keeps by default (the oldest go first).
KEEP_COMPILED = 16


class CompiledStore:
    """Compiled programs by key, at most ``keep`` of them, the oldest dropped first.

    Parameters
    ----------
    keep
        How many programs to keep (default :data:`KEEP_COMPILED`).

    Raises
    ------
    ConfigError
        If ``keep`` is below 1.

    Examples
    --------
    >>> store = CompiledStore(keep=2)
    >>> for k in "abc":
    ...     store.put(k, k.upper())
    >>> store.get("a") is None, store.get("c"), len(store)
    (True, 'C', 2)
    """

    __slots__ = ("_programs", "keep")

    def __init__(self, keep: int = KEEP_COMPILED) -> None:
        if keep < 1:
            raise ConfigError(f"keep = {keep}; a store keeps at least 1 program")
        self.keep = keep
        self._programs: dict[Hashable, Any] = {}

    def get(self, key: Hashable) -> Any | None:
        """Return the program stored under ``key``, or ``None``.

        Parameters
        ----------
        key
            The argument shapes and settings the program was compiled for.

        Returns
        -------
        object or None
            The compiled program.
        """
        return self._programs.get(key)

    def put(self, key: Hashable, program: Any) -> None:
        """Store ``program`` under ``key``, dropping the oldest beyond ``keep``.

        Parameters
        ----------
        key
            The argument shapes and settings the program was compiled for.
        program
            The compiled program.
        """
        self._programs.pop(key, None)
        while len(self._programs) >= self.keep:
            del self._programs[next(iter(self._programs))]
        self._programs[key] = program

    def __len__(self) -> int:
        return len(self._programs)
