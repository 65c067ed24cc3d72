"""The layers of docs/development.md, checked on every module's imports (TYPE_CHECKING and
function-level imports included): a module may import only from the layers its own may use."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

VALUES = {
    "_errors", "_ids", "_ref", "_result", "_wire", "_redact", "_secret", "_record",
    "_open_enum", "_version",
}  # fmt: skip
# QStash's package holds a module of each of the layers its operations span.
LAYER_OF_QSTASH = {
    "_values": "values",
    "_adapter": "adapters",
    "_actions": "adapters",
    "_plans": "engine",
    "_follow": "engine",
    "_canceller": "client",
}
LAYER_OF_TOP = {
    **dict.fromkeys(VALUES, "values"),
    "_provider": "contracts",
    "_protocols": "contracts",
    "_logging": "observability",
    "_telemetry": "observability",
    "_client": "client",
    "_config": "routing",
    "_registry": "routing",
    "_router": "routing",
}
LAYER_OF_PACKAGE = {
    "providers": "adapters",
    "_engine": "engine",
    "cli": "edge",
    "testing": "edge",
    "fleet": "edge",
    "emulator": "emulator",
}
BELOW_CLIENT = {"values", "contracts", "observability", "engine"}
MAY_IMPORT = {
    "values": {"values"},
    "contracts": {"values", "contracts"},
    "observability": {"values", "observability"},
    "adapters": {"values", "contracts", "adapters"},
    "engine": {"values", "contracts", "observability", "engine"},
    "client": BELOW_CLIENT | {"client"},
    "routing": BELOW_CLIENT | {"client", "adapters", "routing"},
    "face": BELOW_CLIENT | {"client", "adapters", "routing", "face"},
    "edge": BELOW_CLIENT | {"client", "adapters", "routing", "face", "edge", "emulator"},
    "emulator": {"values", "emulator"},
}


def layer(module: str) -> str:
    parts = module.split(".")
    if parts in (["unsend"], ["unsend", "qstash"]):
        return "face"
    if parts[1] == "qstash":
        return LAYER_OF_QSTASH[parts[2]]
    if parts[1] in LAYER_OF_PACKAGE:
        return LAYER_OF_PACKAGE[parts[1]]
    return LAYER_OF_TOP[parts[1]]


def module_of(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, source: str | None = None) -> set[str]:
    """The unsend modules ``path`` imports (its text, or ``source`` read as if it were its
    text), each resolved to the module imported, not the name."""
    module = module_of(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            if base.split(".")[0] != "unsend":
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                as_path = SRC / candidate.replace(".", "/")
                is_module = as_path.with_suffix(".py").exists() or as_path.is_dir()
                found.add(candidate if is_module else base)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "unsend"}
    return found


def forbidden(path: Path, source: str | None = None) -> dict[str, str]:
    mine = layer(module_of(path))
    return {m: layer(m) for m in imported(path, source) if layer(m) not in MAY_IMPORT[mine]}


MODULES = sorted(SRC.joinpath("unsend").rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert len(MODULES) > 50
    for path in MODULES:
        layer(module_of(path))  # a KeyError names a module no layer claims


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_of(p))
def test_a_module_imports_only_what_its_layer_may(path: Path) -> None:
    assert not forbidden(path), f"{module_of(path)} imports {forbidden(path)}"


@pytest.mark.parametrize(
    ("module", "source", "caught"),
    [
        ("_wire.py", "from .providers._record import parse\n", "unsend.providers._record"),
        ("_engine/call.py", "    from .._client import Canceller\n", "unsend._client"),
        ("_registry.py", "from .testing import _recording\n", "unsend.testing._recording"),
        ("emulator/_app.py", "import unsend._engine.transport\n", "unsend._engine.transport"),
    ],
)
def test_the_check_catches_the_imports_that_broke_the_layers(
    module: str, source: str, caught: str
) -> None:
    path = SRC / "unsend" / module
    assert caught in forbidden(path, source.strip() + "\n")
