"""Every public function and method of ``twin.pynn`` has numpydoc sections.

Walked: the public functions of every module of the package, and the public methods of
its public classes defined in a ``twin.pynn`` module (those inherited from PyNN are
PyNN's to document; properties are documented as attributes and not walked). A
callable taking parameters besides ``self``/``cls`` needs a ``Parameters`` section;
one whose return annotation is not ``None`` (or, unannotated, whose body returns a
value) needs a ``Returns`` section. Sections are found by their numpydoc header: a
title line underlined with dashes.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import pkgutil
import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import twin.pynn

_NO_RESULT = {"None", "NoReturn", "Never", "typing.NoReturn"}


def _modules() -> list[Any]:
    names = [twin.pynn.__name__] + [
        m.name for m in pkgutil.iter_modules(twin.pynn.__path__, "twin.pynn.")
    ]
    return [importlib.import_module(n) for n in sorted(names)]


def _own(obj: Any) -> bool:
    return str(getattr(obj, "__module__", "")).startswith("twin.pynn")


def _methods(cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Public methods of ``cls`` defined in its ``twin.pynn`` classes, by owner."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not _own(klass):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(value, staticmethod | classmethod):
                value = value.__func__
            if inspect.isfunction(value):
                yield f"{klass.__qualname__}.{name}", value


def _public_callables() -> dict[tuple[str, str], Callable[..., Any]]:
    """(module, qualified name) -> function, for everything this test checks."""
    found: dict[tuple[str, str], Callable[..., Any]] = {}
    for module in _modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != (
                module.__name__
            ):
                continue
            if inspect.isfunction(obj):
                found[module.__name__, name] = obj
            elif inspect.isclass(obj):
                for qualname, method in _methods(obj):
                    found[method.__module__, qualname] = method
    return found


def sections(doc: str | None) -> set[str]:
    """Return the numpydoc section titles of ``doc`` (a title underlined by dashes).

    Examples
    --------
    >>> sorted(sections("Sum.\\n\\nParameters\\n----------\\nx\\n    A value.\\n"))
    ['Parameters']
    """
    lines = [line.strip() for line in inspect.cleandoc(doc or "").splitlines()]
    return {
        title
        for title, rule in itertools.pairwise(lines)
        if title and rule and set(rule) == {"-"} and len(rule) >= len(title)
    }


def takes_parameters(func: Callable[..., Any]) -> bool:
    """Whether ``func`` takes a parameter besides ``self``/``cls``."""
    names = list(inspect.signature(func).parameters)
    return bool([n for n in names if n not in ("self", "cls")])


def _returns_value(node: ast.AST) -> bool:
    """Whether the body of a function node returns a value (nested defs aside)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        value = child.value if isinstance(child, ast.Return) else None
        if value is not None and not (
            isinstance(value, ast.Constant) and value.value is None
        ):
            return True
        if _returns_value(child):
            return True
    return False


def returns_something(func: Callable[..., Any]) -> bool:
    """Whether ``func`` returns a value: by its annotation, else by its body."""
    annotation = inspect.signature(func).return_annotation
    if annotation is not inspect.Signature.empty:
        text = annotation if isinstance(annotation, str) else repr(annotation)
        return text not in _NO_RESULT and annotation is not None
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    return _returns_value(tree.body[0])


def missing_sections(func: Callable[..., Any]) -> list[str]:
    """Return the sections ``func``'s docstring lacks (``Parameters``, ``Returns``)."""
    have = sections(func.__doc__)
    need = []
    if takes_parameters(func):
        need.append("Parameters")
    if returns_something(func):
        need.append("Returns")
    return [s for s in need if s not in have]


def test_the_walk_finds_the_backends_public_callables():
    found = _public_callables()
    names = {q for _, q in found}
    # functions of several modules, own methods, and a method of a private base
    for expected in (
        "setup",
        "list_standard_models",
        "network_of",
        "Projection.coo",
        "Population.initialize",
        "_CurrentSource.inject_into",  # DCSource's and StepCurrentSource's
    ):
        assert expected in names
    # PyNN's built functions and inherited methods are PyNN's
    assert "create" not in names
    assert "Population.record" not in names
    assert all(m.startswith("twin.pynn") for m, _ in found)


def test_the_header_detection():
    def documented(a: int, b: int) -> int:
        """Add.

        Parameters
        ----------
        a, b
            Numbers.

        Returns
        -------
        int
            The sum.
        """
        return a + b

    def undocumented(self: Any, a: int) -> int:
        """Add. Parameters: a. Returns: int."""
        return a

    def nothing(self: Any) -> None:
        """Do nothing."""

    def unannotated(x):
        """Return it."""
        return x

    assert missing_sections(documented) == []
    assert missing_sections(undocumented) == ["Parameters", "Returns"]
    assert missing_sections(nothing) == []
    assert missing_sections(unannotated) == ["Parameters", "Returns"]


@pytest.mark.parametrize("key", sorted(_public_callables()), ids="::".join)
def test_public_callable_has_numpydoc_sections(key: tuple[str, str]):
    func = _public_callables()[key]
    assert missing_sections(func) == [], f"{key[0]}.{key[1]} lacks these sections"
