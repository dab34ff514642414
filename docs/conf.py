"""Sphinx configuration of the twin's documentation site.

Built by ``make docs`` (``sphinx-build -j auto -W --keep-going -b html docs DIR``):
the README's guides and the pages of ``docs/`` (MyST Markdown), the notebook
``examples/random_network.ipynb`` executed by myst-nb, and the API reference of the
packages ``twin`` and ``experiments``, whose pages ``sphinx.ext.apidoc`` writes at
build time into ``docs/api/generated/`` (git-ignored, never committed).
"""

from __future__ import annotations

import os
import shutil
import sys
import types
import typing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
from repo_links import DOCS, NOTEBOOK, ROOT, repo_links

sys.path.insert(0, str(ROOT))
#: The notebook's results at a build of the site: emptied first, so a build never meets
#: points stored by other code (which the store refuses).
NOTEBOOK_OUT = ROOT / "build" / "docs" / "notebook"
# The notebook's kernel inherits this environment: a short run (1000 ms, NEST at the
# two displayed points only; ``TWIN_NOTEBOOK_T_STOP=10000 TWIN_NOTEBOOK_NEST=all make
# docs`` renders the seed's full run), its results in NOTEBOOK_OUT, one XLA CPU
# device per core.
os.environ.setdefault("TWIN_NOTEBOOK_T_STOP", "1000")
os.environ.setdefault("TWIN_NOTEBOOK_NEST", "shown")
os.environ.setdefault(  # relative to where it runs, docs/notebooks/
    "TWIN_NOTEBOOK_OUT", os.path.relpath(NOTEBOOK_OUT, DOCS / "notebooks")
)
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count() or 1}"
)

project = "BSS-1 wafer twin"
author = "The BSS-1 wafer twin authors"
copyright = "2026, the BSS-1 wafer twin authors"

extensions = [
    "myst_nb",
    "sphinx.ext.apidoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]

exclude_patterns = ["_build", "**/.ipynb_checkpoints", "api/generated/**/modules.rst"]
html_theme = "furo"
html_title = "BSS-1 wafer twin"

# -- MyST and the notebook ----------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
#: Pages of docs/ that are a command's output without a title of their own (the
#: toctree needs one): docname -> the title given them on the site.
UNTITLED = {"microcircuit/compare": "The microcircuit: the comparison run's compare.md"}
suppress_warnings = [
    # "More than one target found" for a type name two modules define (``Segment``
    # in experiments.brunel.io and twin.pynn.emulation), where an annotation under
    # TYPE_CHECKING stays a bare name; the link is left out, the page is right.
    "ref.python",
]
#: The notebook runs at every build; a cell error fails it (a warning under ``-W``).
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 3600  # per cell, s: room for the full run (NEST at 16 points)
nb_execution_show_tb = True
nb_merge_streams = True
#: The notebook's Markdown outputs (the claims' text and table) with MyST's tables.
nb_render_markdown_format = "myst"

# -- The API reference: one page per module, written at build time ------------------
_APIDOC_EXCLUDE = ["**/__main__.py"]
apidoc_modules = [
    {
        "path": str(ROOT / package),
        "destination": f"api/generated/{package}",
        "exclude_patterns": [str(ROOT / p) for p in _APIDOC_EXCLUDE],
        "separate_modules": True,
        "module_first": True,
        "include_private": False,
        "max_depth": 1,
        "automodule_options": ["members", "show-inheritance"],
    }
    for package in ("twin", "experiments")
]
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    # Document what a module defines; what its package re-exports is documented once,
    # where it is defined (no duplicate object descriptions).
    "ignore-module-all": True,
}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


# -- Hooks ---------------------------------------------------------------------------
def _read_page(app: Any, docname: str, source: list[str]) -> None:
    """Title an untitled page, rewrite its repository links (``source-read``)."""
    if docname in UNTITLED:
        source[0] = f"# {UNTITLED[docname]}\n\n" + source[0]
    if Path(app.env.doc2path(docname)).suffix == ".md":
        page_dir = (DOCS / docname).parent
        source[0] = repo_links(source[0], page_dir, page_dir)


def _read_include(app: Any, path: Path, docname: str, content: list[str]) -> None:
    """Rewrite an included file's repository links (``include-read``).

    The one included file is the README, read into ``docs/index.md``: its links are
    made relative to ``docs/``.
    """
    included = (DOCS / path).resolve()
    if included.suffix == ".md":
        content[0] = repo_links(content[0], included.parent, DOCS)


def _alias_signature(
    app: Any, what: str, name: str, obj: object, options: Any, sig: Any, ret: Any
) -> tuple[None, None] | None:
    """Give a type alias (``tuple[float, ...]``) no signature.

    Autodoc takes an alias of a generic type for a class and numpydoc returns an empty
    signature for it, which Sphinx 9 cannot store for an object without one (an
    IndexError, reported as a warning). A pair that is not of strings is ignored by
    Sphinx; this ``autodoc-process-signature`` handler runs before numpydoc's
    (priority 400 < 500).
    """
    alias = isinstance(obj, types.GenericAlias | types.UnionType)
    if sig is None and (alias or typing.get_origin(obj) is not None):
        return (None, None)
    return None


def _prepare_notebook(app: Any) -> None:
    """Copy the notebook into the site's sources if it changed, empty its results.

    A ``builder-inited`` handler. The results folder is emptied only where it is
    :data:`NOTEBOOK_OUT` (not a folder given by ``TWIN_NOTEBOOK_OUT``).
    """
    out = DOCS / "notebooks" / os.environ["TWIN_NOTEBOOK_OUT"]
    if out.resolve() == NOTEBOOK_OUT.resolve():
        shutil.rmtree(NOTEBOOK_OUT, ignore_errors=True)
    target = DOCS / "notebooks" / NOTEBOOK.name
    if not target.exists() or target.read_bytes() != NOTEBOOK.read_bytes():
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(NOTEBOOK, target)


def setup(app: Any) -> dict[str, Any]:
    """Connect the hooks above."""
    app.connect("source-read", _read_page)
    app.connect("include-read", _read_include)
    app.connect("autodoc-process-signature", _alias_signature, priority=400)
    app.connect("builder-inited", _prepare_notebook)
    return {"parallel_read_safe": True}
