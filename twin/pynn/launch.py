"""Run a PyNN script that names its simulator on the twin: `python -m twin.pynn.launch`.

PyNN's example scripts take the simulator's name on the command line and import
``pyNN.<name>``. This launcher makes ``pyNN.twin`` an alias of :mod:`twin.pynn` and
runs the script unchanged::

    python -m twin.pynn.launch examples/connections.py twin

Everything after the script's path is passed to it as its own arguments.
"""

from __future__ import annotations

import runpy
import sys

import twin.pynn


def main(argv: list[str] | None = None) -> None:
    """Alias ``pyNN.twin`` and run the script ``argv[0]`` with ``argv[1:]``.

    Parameters
    ----------
    argv
        The script's path followed by its own arguments; ``None``: the command line
        (``sys.argv[1:]``). ``sys.argv`` is set to ``argv`` while the script runs as
        ``__main__``.

    Raises
    ------
    SystemExit
        With a usage message if ``argv`` is empty; whatever the script raises
        (including its own ``SystemExit``) propagates.
    """
    args = sys.argv[1:] if argv is None else argv
    if not args:
        raise SystemExit("usage: python -m twin.pynn.launch SCRIPT [ARGS...]")
    sys.modules["pyNN.twin"] = twin.pynn
    sys.argv = list(args)
    runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main()
