"""unsend reads and writes no private attribute of a dependency (httpx, httpcore, aiohttp ...).

Every ``something._name`` in the package must name an attribute unsend itself defines: a
function, class or module of its own, or an attribute one of its classes assigns or declares.
A private name read off anything else is a dependency's internals, which a release may move.
"""

from __future__ import annotations

import ast
from pathlib import Path

import unsend

SRC = Path(unsend.__file__).parent


def _private(name: str) -> bool:
    """``_x`` but not ``__x__`` nor enum's documented ``_sunder_`` protocol (``_name_``)."""
    return name.startswith("_") and not name.endswith("_")


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text()) for path in sorted(SRC.rglob("*.py"))}


def _defined(trees: dict[Path, ast.Module]) -> set[str]:
    """Every private name unsend defines: modules, functions, classes, attributes it assigns
    (``self._x = ...``, class-level ``_x: T``, ``__slots__``), keyword arguments of its own."""
    names = {path.stem for path in trees} | {p.name for p in SRC.rglob("*") if p.is_dir()}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}:
                    names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _private(node.value) and node.value.isidentifier():
                    names.add(node.value)  # __slots__ entries, getattr(self, "_x")
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[-1])
    return {name for name in names if _private(name)}


def test_every_private_attribute_read_is_one_unsend_defines() -> None:
    trees = _trees()
    defined = _defined(trees)
    foreign = sorted(
        f"{path.relative_to(SRC)}:{node.lineno}: .{node.attr}"
        for path, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in defined
    )
    assert foreign == []


def test_the_check_sees_a_dependencys_private_attribute() -> None:
    """The test above would catch what unsend once did (``transport._pool._network_backend``,
    ``response._content``): those names are defined nowhere in unsend."""
    defined = _defined(_trees())
    assert {"_network_backend", "_content", "_uri_reference"}.isdisjoint(defined)
