"""The built-in adapters: pure functions of a provider's cancel contract, no sending."""

from ._courier import Courier
from ._onesignal import OneSignal
from ._qstash import QStash

__all__ = ["Courier", "OneSignal", "QStash"]
