"""Tier names are switched on in twin/tiers.py only.

Elsewhere code asks a :class:`twin.tiers.Tier` (or :func:`twin.tiers.behaviour`) what
it does, or uses the names' constants; no comparison with a tier-name literal and no
parsing of the ablation prefix outside ``twin/tiers.py``.
"""

import ast
from pathlib import Path

from twin.tiers import ABLATION_PREFIX, FIDELITIES

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {ROOT / "twin" / "tiers.py"}


def _is_name(node):
    """A string literal that is a tier name or an ablation tier's name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in FIDELITIES or node.value.startswith(ABLATION_PREFIX)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_name(e) for e in node.elts)
    return False


def _prefix_parsed(node):
    """``x.startswith(ABLATION_PREFIX)`` or ``x.startswith("hardware-no-")``."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("startswith", "removeprefix")
        and node.args
    ):
        return False
    arg = node.args[0]
    return (isinstance(arg, ast.Name) and arg.id == "ABLATION_PREFIX") or (
        isinstance(arg, ast.Constant) and arg.value == ABLATION_PREFIX
    )


def tier_switches(source, filename="<source>"):
    """Return ``line: code`` of every tier-name comparison or prefix parse."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        compared = isinstance(node, ast.Compare) and any(
            _is_name(n) for n in (node.left, *node.comparators)
        )
        if compared or _prefix_parsed(node):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_scan_finds_what_it_looks_for():
    source = (
        'a = t == "hardware"\n'
        'b = "ideal" in names\n'
        'c = f in ("mapped", "x")\n'
        "d = n.startswith(ABLATION_PREFIX)\n"
        'e = n.startswith("hardware-no-")\n'
        'f = t == "hardware-no-weights"\n'
        'g = t == HARDWARE and "x" in y and d.get("ideal")\n'
    )
    assert [s.split(":")[0] for s in tier_switches(source)] == list("123456")


def test_no_tier_name_is_compared_outside_twin_tiers():
    bad = [
        f"{path.relative_to(ROOT)}:{hit}"
        for folder in ("twin", "experiments")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in ALLOWED
        for hit in tier_switches(path.read_text(), str(path))
    ]
    assert bad == []
