"""``cancel_chunk`` and ``chunked``: what a worker of any task queue runs."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from .._client import Canceller
from .._config import env_config, from_config
from .._router import Router, environment_configs

__all__ = ["CancelSource", "cancel_chunk", "chunked", "configured_canceller"]

CancelSource = Canceller | Router


def chunked(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """Lists of at most ``size`` items, read lazily from ``items``."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"chunk size must be an integer >= 1, got {size!r}")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def configured_canceller(environ: Mapping[str, str] | None = None) -> CancelSource:
    """The worker's canceller from its environment: a router taking refs when one
    ``UNSEND_<NAME>_DSN`` per provider is set (``UNSEND_DSN`` then serves bare ids only), else
    ``UNSEND_DSN`` / ``UNSEND_PROVIDER``."""
    env = os.environ if environ is None else environ
    storage = env.get("UNSEND_RATE_LIMIT_STORAGE") or None
    several = environment_configs("UNSEND_", env)
    if several is not None:
        configs, default = several
        return Router(configs, default=default, rate_limit_storage=storage)
    return from_config(env_config("UNSEND_", env))


def cancel_chunk(
    items: Iterable[str],
    *,
    canceller: CancelSource | None = None,
    concurrency: int = 32,
    confirm: bool = False,
) -> list[dict[str, Any]]:
    """Cancel every id (or ref) of one chunk; one ``CancelResult.to_dict()`` per item, in order.

    Without ``canceller`` one is built from the environment for this chunk and closed after.
    Nothing raises for one item: a failure is that item's result. Running a chunk twice (a
    redelivered task) cancels nothing twice: the provider answers the second time with
    ``ALREADY_CANCELLED`` (Courier) or ``NOT_FOUND`` (QStash, which forgets a cancelled message).
    ``confirm=True`` reads each message back after its cancel (docs: "Checking and confirming").
    """
    own = canceller is None
    source = configured_canceller() if canceller is None else canceller
    try:
        stream = source.cancel_many(
            list(items), concurrency=concurrency, ordered=True, confirm=confirm
        )
        return [result.to_dict() for result in stream]
    finally:
        if own:
            source.close()
