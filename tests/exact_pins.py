"""Pinned readings: every field of a JSON form gone, null or odd, and a file that pins what each
reading gives (``UNSEND_UPDATE_EXACT=1`` rewrites it; read the diff)."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

UPDATE = os.environ.get("UNSEND_UPDATE_EXACT") == "1"
GONE = object()
ODD: dict[str, object] = {
    "null": None,
    "text": "x",
    "zero": 0,
    "negative": -1,
    "a fraction": 1.5,
    "true": True,
    "a list": ["x"],
    "an object": {"x": 1},
    "not finite": float("nan"),
    "huge": 10**400,
}


def variants(data: Any) -> Iterator[tuple[str, Any]]:
    """``data`` with each field (at any depth) gone, then set to each ``ODD`` value."""
    for path in _paths(data):
        where = ".".join(path)
        yield f"{where} gone", _varied(data, path, GONE)
        for shown, value in ODD.items():
            yield f"{where} {shown}", _varied(data, path, value)


def _paths(data: Any, at: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(data, dict):
        for key in data:
            yield (*at, key)
            yield from _paths(data[key], (*at, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _paths(item, (*at, str(index)))


def _varied(data: Any, path: tuple[str, ...], value: object) -> Any:
    out = copy.deepcopy(data)
    parent = out
    for key in path[:-1]:
        parent = parent[int(key)] if isinstance(parent, list) else parent[key]
    if value is GONE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


def check_pinned(pinned: Path, readings: dict[str, Any]) -> None:
    """``readings`` (JSON-safe once dumped) equal what ``pinned`` holds, key by key."""
    actual = json.loads(json.dumps(readings, sort_keys=True, default=str))
    if UPDATE:
        pinned.parent.mkdir(exist_ok=True)
        pinned.write_text(json.dumps(actual, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    expected = json.loads(pinned.read_text())
    differing = {k: (expected.get(k), v) for k, v in actual.items() if expected.get(k) != v}
    assert differing == {}
    assert set(actual) == set(expected)
