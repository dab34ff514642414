"""Links of the site's pages to the repository's files, turned into links of the site.

The README and the pages of ``docs/`` link repository files by their paths
(``examples/random_network.ipynb``, ``../twin/tiers.py``). On the site the README is
read into ``docs/index.md``, so its paths start from the wrong folder, and a module has
an API page rather than a file. :func:`repo_links` rewrites each such link; the build
(``docs/conf.py``) applies it to every Markdown page and to the included README.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

__all__ = ["DOCS", "NOTEBOOK", "PACKAGES", "ROOT", "repo_links", "site_target"]

#: The site's sources and the repository.
DOCS: Final = Path(__file__).resolve().parents[1]
ROOT: Final = DOCS.parent
#: The seed page as a notebook; a build copies it to ``docs/notebooks/``.
NOTEBOOK: Final = ROOT / "examples" / "random_network.ipynb"
#: The packages whose modules have an API page (``docs/api/generated/<package>/``).
PACKAGES: Final = ("twin", "experiments")
#: A Markdown link (not an image): ``[text](target)``.
_LINK: Final = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^)\s]+)\)")


def site_target(path: Path, page_dir: Path) -> str | None:
    """Return the site's link for a repository file, relative to a page's folder.

    Parameters
    ----------
    path
        An existing file or folder of the repository (absolute).
    page_dir
        The folder of the page that links to it (absolute, inside ``docs/``).

    Returns
    -------
    str or None
        The notebook: its page on the site; a module or package of
        :data:`PACKAGES`: its API page; anything under ``docs/``: ``None`` (the link
        is right as it is); any other file: its path from the page (Sphinx copies
        it as a download).
    """
    rel = path.relative_to(ROOT)
    if path == NOTEBOOK:
        target = DOCS / "notebooks" / NOTEBOOK.name
    elif rel.parts[0] in PACKAGES and (path.is_dir() or path.suffix == ".py"):
        parts = rel.with_suffix("").parts if path.is_file() else rel.parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        target = DOCS / "api" / "generated" / parts[0] / (".".join(parts) + ".rst")
    elif rel.parts[0] == "docs":
        return None
    else:
        target = path
    return os.path.relpath(target, page_dir)


def repo_links(text: str, source_dir: Path, page_dir: Path) -> str:
    """Rewrite a page's relative links to repository files into links of the site.

    Parameters
    ----------
    text
        The Markdown source.
    source_dir
        The folder its relative links start from (the README's: the repository).
    page_dir
        The folder of the page it is read into.

    Returns
    -------
    str
        ``text`` with each link to an existing repository file outside ``docs/``
        replaced by :func:`site_target`'s link (without a ``#`` anchor, which only
        a page of ``docs/`` has); every other link and every image as it was.
    """

    def replace(match: re.Match[str]) -> str:
        label, target = match.groups()
        address = target.partition("#")[0]
        if not address or "://" in address or address.startswith(("/", "mailto:")):
            return match.group(0)
        path = (source_dir / address).resolve()
        if not path.exists() or ROOT not in path.parents:
            return match.group(0)
        new = site_target(path, page_dir)
        return match.group(0) if new is None else f"[{label}]({new})"

    return _LINK.sub(replace, text)
