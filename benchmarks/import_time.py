"""4. Import time, and time to a first usable client, each in a fresh interpreter.

click and rich are blocked in the measured interpreter, as in a core-only install: httpx imports
its own CLI (and with it rich) when they are present, which would inflate its figure.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from typing import Any

CORE_ONLY = "import sys; sys.modules['click'] = None; sys.modules['rich'] = None\n"
CASES = {
    "httpx": "import httpx",
    "httpx_first_client": "import httpx; httpx.Client()",
    "unsend": "import unsend",
    "unsend_first_canceller": "import unsend; unsend.Canceller(unsend.QStash('token'))",
    # EventBridge imports botocore and builds its session when built (unsend[aws]).
    "unsend_first_eventbridge_canceller": (
        "import unsend; unsend.Canceller(unsend.EventBridgeScheduler('AKIDEXAMPLE', 'secret',"
        " region='us-east-1'))"
    ),
    "sdk_qstash": "import qstash",
    "sdk_courier": "import courier",
    "sdk_onesignal": "import onesignal",
}


def _once(statement: str) -> float:
    code = (
        CORE_ONLY
        + "import time\nstarted = time.perf_counter()\n"
        + statement
        + "\nprint(time.perf_counter() - started)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def measure(*, rounds: int) -> dict[str, Any]:
    milliseconds = {}
    for name, statement in CASES.items():
        _once(statement)  # warm the file system cache
        milliseconds[name] = round(
            statistics.median(_once(statement) for _ in range(rounds)) * 1000, 1
        )
    return {
        "milliseconds": milliseconds,
        "unsend_vs_httpx": round(milliseconds["unsend"] / milliseconds["httpx"], 2),
        "first_canceller_vs_first_httpx_client": round(
            milliseconds["unsend_first_canceller"] / milliseconds["httpx_first_client"], 2
        ),
        "eventbridge_canceller_adds_ms": round(
            milliseconds["unsend_first_eventbridge_canceller"]
            - milliseconds["unsend_first_canceller"],
            1,
        ),
    }
