"""The documentation site's rewriting of links to repository files (docs/_ext).

The build (``make docs``) fails on a link it cannot resolve; these tests check the
rewriting rule itself on links the pages do not hold yet: the README's paths start
from the repository, a page of ``docs/`` links a module by its file.
"""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "repo_links", ROOT / "docs" / "_ext" / "repo_links.py"
)
assert _spec is not None
assert _spec.loader is not None
links = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(links)
DOCS = ROOT / "docs"


def test_the_readme_links_the_notebook_to_its_page_on_the_site() -> None:
    text = "[notebook](examples/random_network.ipynb)"
    out = links.repo_links(text, ROOT, DOCS)
    assert out == "[notebook](notebooks/random_network.ipynb)"
    assert links.NOTEBOOK.is_file()


def test_modules_and_packages_link_to_their_api_pages() -> None:
    text = "[a](twin/tiers.py) [b](twin/wafer/__init__.py) [c](experiments/runs/)"
    out = links.repo_links(text, ROOT, DOCS)
    assert out == (
        "[a](api/generated/twin/twin.tiers.rst) "
        "[b](api/generated/twin/twin.wafer.rst) "
        "[c](api/generated/experiments/experiments.runs.rst)"
    )
    # From a page in a sub-folder of docs/, with a path from that folder.
    page = DOCS / "hardware_tier"
    out = links.repo_links("[m](../../twin/tiers.py#L3)", page, page)
    assert out == "[m](../api/generated/twin/twin.tiers.rst)"


def test_other_repository_files_keep_a_path_to_the_same_file() -> None:
    out = links.repo_links("[x](examples/brunel_pynn.py)", ROOT, DOCS)
    target = out[out.index("(") + 1 : -1]
    assert (DOCS / target).resolve() == ROOT / "examples" / "brunel_pynn.py"


def test_pages_images_addresses_and_missing_files_are_left_as_they_are() -> None:
    text = (
        "[t](docs/theory.md) ![i](docs/theory_plane.png) [w](https://x.org/a.py) "
        "[s](#set-up) [m](no/such/file.py) `x[0](1)`"
    )
    assert links.repo_links(text, ROOT, DOCS) == text
