"""Cancelling across many worker processes: the engine-neutral pieces.

``cancel_chunk`` cancels one chunk of ids (or refs) in a worker and returns JSON-safe results
(``CancelResult.to_dict``), so any task queue can carry them; ``chunked`` splits a large
iterable lazily. ``unsend.fleet.celery`` wires both into Celery (``pip install
'unsend[celery]'``); Dramatiq, arq, taskiq or RQ need only a few lines around ``cancel_chunk``
(docs: "Scale out").

A worker reads its provider configuration from its own environment (``UNSEND_DSN``, or one
``UNSEND_<NAME>_DSN`` per provider for refs, plus ``UNSEND_RATE_LIMIT_STORAGE`` to share the
limit), never from the task's arguments: credentials do not travel through the broker.
"""

from __future__ import annotations

from ._chunks import CancelSource, cancel_chunk, chunked, configured_canceller

__all__ = ["CancelSource", "cancel_chunk", "chunked", "configured_canceller"]
