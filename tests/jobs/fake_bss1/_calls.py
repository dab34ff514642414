"""The recording stand-in's log: one JSON line per call or attribute set, in order.

The log file is named by the environment variable ``FAKE_BSS1_LOG``. Arguments are
logged as scalars, or summarised (a list's length, an array's shape, a stand-in's
name), so the log stays small.
"""

import json
import os


def short(value):
    """Return a JSON-ready summary of an argument."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Stub):
        return value._name
    if isinstance(value, (list, tuple)):
        return f"<{len(value)} items>"
    if hasattr(value, "shape"):
        return f"<array {tuple(value.shape)}>"
    return getattr(value, "_name", f"<{type(value).__name__}>")


def record(name, *args, **kwargs):
    """Append one call to the log."""
    entry = [name, [short(a) for a in args], {k: short(v) for k, v in kwargs.items()}]
    with open(os.environ["FAKE_BSS1_LOG"], "a") as fh:
        fh.write(json.dumps(entry) + "\n")


class Stub:
    """Anything of the BSS-1 API: attributes are stubs, calls and sets are logged."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Stub(f"{self._name}.{attr}")

    def __setattr__(self, attr, value):
        record(f"{self._name}.{attr} =", value)

    def __call__(self, *args, **kwargs):
        record(self._name, *args, **kwargs)
        return Stub(f"{self._name}()")
