"""The Celery app the tests' real worker runs: Redis broker and backend, unsend's task."""

from __future__ import annotations

import os

from celery import Celery

app = Celery(
    "unsend-tests",
    broker=os.environ.get("UNSEND_TEST_BROKER", "redis://127.0.0.1:6379/0"),
    backend=os.environ.get("UNSEND_TEST_BROKER", "redis://127.0.0.1:6379/0"),
    include=["unsend.fleet.celery"],
)
app.conf.update(
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    result_expires=600,
    worker_hijack_root_logger=False,
)
