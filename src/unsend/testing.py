"""Helpers for users' own tests, and unsend's pytest plugin (registered under ``pytest11``).

``FakeClock`` makes retries instantaneous and observable.
"""

from __future__ import annotations

from ._clock import FakeClock

__all__ = ["FakeClock"]
