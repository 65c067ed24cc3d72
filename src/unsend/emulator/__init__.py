"""A local emulator of every provider unsend has (``pip install 'unsend[emulator]'``).

    python -m unsend.emulator --host 127.0.0.1 --port 8288

The provider routes answer as the providers document them; ``/_emulator/`` is the control API
(seed messages, advance the virtual clock, read ground truth, inject faults, reset).
"""

from ._app import Emulator, create_app, default_credentials
from ._client import EmulatorClient
from ._credentials import Credentials
from ._faults import Faults
from ._kit import Emulated, emulated_providers
from ._process import EmulatorProcess
from ._server import EmulatorServer, serve

__all__ = [
    "DEFAULT_CREDENTIALS",
    "Credentials",
    "Emulated",
    "Emulator",
    "EmulatorClient",
    "EmulatorProcess",
    "EmulatorServer",
    "Faults",
    "create_app",
    "default_credentials",
    "emulated_providers",
    "serve",
]


def __getattr__(name: str) -> Credentials:
    # Every emulated provider's development credentials, found when first asked for (the
    # providers are discovered then, not at import).
    if name == "DEFAULT_CREDENTIALS":
        value = default_credentials()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
