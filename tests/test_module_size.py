"""No module of the twin or the experiments grows past 400 lines (one concept each)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The largest module, in lines: past it a module holds more than one concept.
MOST_LINES = 400


def _modules() -> list[Path]:
    return sorted(
        p for package in ("twin", "experiments") for p in (ROOT / package).rglob("*.py")
    )


def test_the_packages_have_modules():
    assert len(_modules()) > 50  # the walk finds the code it checks


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_at_most_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MOST_LINES, (
        f"{path.relative_to(ROOT)} has {lines} lines; split it into modules of one "
        f"concept each (at most {MOST_LINES})"
    )
