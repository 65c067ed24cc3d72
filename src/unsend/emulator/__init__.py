"""A local emulator of QStash, OneSignal and Courier (``pip install 'unsend[emulator]'``).

    python -m unsend.emulator --host 127.0.0.1 --port 8288

The provider routes answer as the providers document them; ``/_emulator/`` is the control API
(seed messages, advance the virtual clock, read ground truth, inject faults, reset).
"""

from ._app import DEFAULT_CREDENTIALS, Credentials, Emulator, create_app
from ._client import EmulatorClient
from ._faults import Faults
from ._process import EmulatorProcess
from ._server import EmulatorServer, serve

__all__ = [
    "DEFAULT_CREDENTIALS",
    "Credentials",
    "Emulator",
    "EmulatorClient",
    "EmulatorProcess",
    "EmulatorServer",
    "Faults",
    "create_app",
    "serve",
]
