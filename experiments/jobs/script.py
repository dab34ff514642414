"""A user's PyNN script as a job script: the backend chosen on the command line.

The rule: the script binds its PyNN backend once, at its top level, with one
statement of the form ``import pyNN.nest as sim`` (any ``pyNN.<backend>``,
``twin.pynn`` or ``pyhmf``, any name). That statement is replaced by a function that
imports the backend named by ``run.py``'s first argument and removes that argument,
so the script sees its own arguments as before:

* ``brainscales``: ``pyhmf``, whose ``setup`` is given a marocco configured as the
  demos' ``set_hardware_settings`` does (neuron size, defect map, calibration, wafer,
  voltage transform) that maps the network itself (no pre-made mapping exists for a
  user's network); the script's own ``setup`` arguments are not passed on (the
  wafer runs in continuous time);
* ``nest``: ``pyNN.nest``, with the script's ``setup`` as written;
* ``twin``: ``twin.pynn`` at the fidelity of the environment variable
  ``TWIN_FIDELITY`` (default ``hardware``) and the job's neuron size, writing the
  session's synapse and spike losses to ``twin_losses.json`` at exit: the
  prediction ``twin job prepare`` runs.

Scripts that cannot be wrapped are refused (:class:`JobError`, naming the line):
none or several backend imports, a backend bound by ``from pyNN.nest import ...``
or without ``as NAME``, a backend import inside a function or block, a relative
import, or an import of a module that is a file beside the script (the platform
runs a single file).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any, Final

from experiments.jobs.errors import JobError

__all__ = ["BACKEND_MODULES", "FIDELITY_VARIABLE", "LOSSES_FILE", "wrap_script"]

#: The environment variable naming the twin's fidelity for ``python run.py twin``.
FIDELITY_VARIABLE: Final = "TWIN_FIDELITY"
#: The file ``python run.py twin`` writes at exit: the twin's synapse and spike losses.
LOSSES_FILE: Final = "twin_losses.json"
#: Modules a script may bind as its backend (PyNN's simulators, the twin's, BSS-1's).
BACKEND_MODULES: Final = frozenset(
    {"pyNN.nest", "pyNN.neuron", "pyNN.brian2", "pyNN.mock", "pyNN.spiNNaker",
     "twin.pynn", "pyhmf"}
)  # fmt: skip

_HEADER: Final = '''\
# --- twin job: the PyNN backend is the first argument of run.py -----------------
def _twin_job_backend(marocco_settings):
    import os
    import sys

    name = sys.argv[1] if len(sys.argv) > 1 else "brainscales"
    del sys.argv[1:2]
    if name == "nest":
        import pyNN.nest as backend

        return backend
    if name == "twin":
        import twin.pynn as backend
        from twin.routing import MappingConfig

        setup = backend.setup
        fidelity = os.environ.get("{fidelity}", "hardware")
        size = MappingConfig(neuron_size=marocco_settings["neuron_size"])
        losses_path = os.path.abspath("{losses}")  # where run.py started, not at exit

        def twin_setup(*args, **kwargs):
            kwargs.setdefault("fidelity", fidelity)
            kwargs.setdefault("mapping", size)
            return setup(*args, **kwargs)

        def write_losses():  # the twin's synapse and spike losses, at exit
            import json

            found = backend.mapping()
            out = {{"fidelity": fidelity}}
            if found is not None:
                out["synapses_requested"] = sum(found.loss.requested.values())
                out["synapses_lost"] = sum(found.loss.lost.values())
            out["spike_loss"] = {{
                name: {{"offered_spikes": q.total_offered,
                       "dropped_spikes": q.total_dropped}}
                for name, q in backend.losses().items()
            }}
            with open(losses_path, "w") as fh:
                json.dump(out, fh, indent=1)

        import atexit

        atexit.register(write_losses)
        backend.setup = twin_setup
        return backend
    if name != "brainscales":
        raise SystemExit("run.py: backend %r; use brainscales, nest or twin" % name)
    import pyhmf as backend
    import pymarocco.results  # noqa: F401  (the demos import it: patches the runtime)
    import pysthal
    from pyhalco_hicann_v2 import Wafer
    from pymarocco import Defects, PyMarocco
    from pymarocco_runtime import Runtime

    setup = backend.setup

    def wafer_setup(*args, **kwargs):
        c = marocco_settings
        marocco = PyMarocco()
        marocco.neuron_placement.default_neuron_size(c["neuron_size"])
        marocco.defects.backend = Defects.Backend.XML
        marocco.default_wafer = Wafer(int(c["wafer_module"]))
        marocco.calib_backend = PyMarocco.CalibBackend.Binary
        marocco.calib_path = c["calib_path"]
        marocco.defects.path = c["defects_path"]
        if not c["bigcap"]:
            marocco.param_trafo.use_big_capacitors = False
        if c["slow"]:
            marocco.param_trafo.i_gl_speedup = pysthal.SpeedUp.SLOW
        marocco.param_trafo.set_trafo_with_bio_to_hw_ratio(
            c["max_bio_voltage"], c["min_bio_voltage"],
            c["max_hw_voltage"], c["min_hw_voltage"])
        marocco.backend = PyMarocco.Hardware
        runtime = Runtime(marocco.default_wafer)
        return setup(marocco=marocco, marocco_runtime=runtime)

    backend.setup = wafer_setup
    return backend


{name} = _twin_job_backend(__import__("json").loads(r"""{settings}"""))
# --- end of the twin job's backend choice ------------------------------------------
'''


def _is_backend(module: str) -> bool:
    """Return whether ``module`` is a PyNN backend module a script may bind."""
    return module in BACKEND_MODULES


def _refuse(path: Path, node: ast.AST | None, why: str) -> JobError:
    """Return the refusal of ``path`` (at ``node``'s line) with the rule's remedy."""
    line = getattr(node, "lineno", None)
    where = f"{path}:{line}" if line is not None else str(path)
    return JobError(
        f"{where}: {why}; a job script binds its backend once at the top level as "
        "`import pyNN.nest as sim` and imports no file of its own folder"
    )


def _backend_import(path: Path, tree: ast.Module) -> ast.Import:
    """Return the script's one top-level backend import.

    Raises
    ------
    JobError
        If the script has none, several, an unaliased one, a ``from`` import of a
        backend, or one below the top level.
    """
    found: list[ast.Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _is_backend(node.module or ""):
            raise _refuse(path, node, f"`from {node.module} import ...` binds names "
                          "of one backend")  # fmt: skip
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _is_backend(alias.name):
                    continue
                if alias.asname is None or len(node.names) > 1:
                    raise _refuse(path, node, f"`import {alias.name}` is not of the "
                                  "form `import MODULE as NAME` alone")  # fmt: skip
                if node not in tree.body:
                    raise _refuse(path, node, "the backend import is inside a "
                                  "function or block")  # fmt: skip
                found.append(node)
    if len(found) != 1:
        lines = ", ".join(str(n.lineno) for n in found) or "none"
        raise _refuse(path, None, f"{len(found)} backend imports (lines: {lines})")
    return found[0]


def _check_single_file(path: Path, tree: ast.Module) -> None:
    """Refuse relative imports and imports of modules lying beside the script."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise _refuse(path, node, "a relative import")
        names = (
            [a.name for a in node.names] if isinstance(node, ast.Import)
            else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        )  # fmt: skip
        for name in names:
            top = path.parent / name.split(".")[0]
            if top.with_suffix(".py").exists() or (top / "__init__.py").exists():
                raise _refuse(path, node, f"it imports {name!r}, a file beside the "
                              "script that the platform would not have")  # fmt: skip


def wrap_script(path: Path, marocco_settings: dict[str, Any]) -> str:
    """Return ``run.py`` for a user's PyNN script (the backend from the command line).

    Parameters
    ----------
    path
        The script.
    marocco_settings
        The marocco settings of the wafer backend
        (:meth:`experiments.jobs.config.HardwareJob.marocco_settings`).

    Returns
    -------
    str
        The script with its backend import replaced (see the module's rule).

    Raises
    ------
    JobError
        If the script cannot be read or parsed, or breaks the rule.
    """
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as err:
        raise JobError(
            f"cannot read {str(path)!r} as a Python script ({err}); give a PyNN script"
        ) from None
    node = _backend_import(path, tree)
    _check_single_file(path, tree)
    lines = source.splitlines(keepends=True)
    start, stop = node.lineno - 1, node.end_lineno or node.lineno
    header = _HEADER.format(
        fidelity=FIDELITY_VARIABLE,
        losses=LOSSES_FILE,
        name=node.names[0].asname,
        settings=json.dumps(marocco_settings, sort_keys=True),
    )
    return "".join(lines[:start]) + header + "".join(lines[stop:])
