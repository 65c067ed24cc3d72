"""10. What OpenTelemetry costs a cancel.

Three measurements, from the most to the least precise:

- the telemetry calls one cancel makes, timed alone, in fresh interpreters: opentelemetry not
  importable (a core install), the API with no SDK (the no-op case), the SDK recording;
- sequential cancels in one interpreter with the API and no SDK, unsend's telemetry switched on
  and off between batches, the order alternating per round (the headline ratio: the same
  process, so only unsend's telemetry path differs);
- sequential cancels in fresh interpreters per variant, for scale. Between two fresh
  interpreters of the same variant, loopback HTTP on a shared machine varies by about 5%, more
  than the difference measured, so these medians say the order of magnitude only.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from typing import Any

from unsend.testing import EmulatorFixture

WITHOUT = "import sys; sys.modules['opentelemetry'] = None\n"
SDK = (
    "from opentelemetry import metrics, trace\n"
    "from opentelemetry.sdk.metrics import MeterProvider\n"
    "from opentelemetry.sdk.metrics.export import InMemoryMetricReader\n"
    "from opentelemetry.sdk.trace import TracerProvider\n"
    "from opentelemetry.sdk.trace.export import SimpleSpanProcessor\n"
    "from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter\n"
    "tp = TracerProvider(); tp.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))\n"
    "trace.set_tracer_provider(tp)\n"
    "metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))\n"
)
VARIANTS = {"without_otel": WITHOUT, "otel_api_no_sdk": "", "otel_sdk_recording": SDK}
RUN = """
import json, sys, time
from unsend.testing import EmulatorFixture
emu = EmulatorFixture(sys.argv[1])
ids = json.loads(sys.stdin.read())
with emu.canceller(sys.argv[3]) as canceller:
    for message_id in ids[:50]:
        canceller.cancel(message_id)  # warm-up: connections, first imports
    started = time.perf_counter()
    for message_id in ids[50:]:
        canceller.cancel(message_id)
    print((time.perf_counter() - started) / (len(ids) - 50) * 1e6)
"""


def _once(url: str, provider: str, prelude: str, calls: int) -> float:
    emu = EmulatorFixture(url)
    ids = emu.seed(provider, count=calls + 50)
    emu.close()
    import json

    done = subprocess.run(
        [sys.executable, "-c", prelude + RUN, url, "-", provider],
        input=json.dumps(ids),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


# The telemetry calls a cancel makes, alone: the end-to-end difference is below the noise of
# loopback HTTP on a shared machine, so this says precisely what the no-op path adds.
CALLS = """
import timeit
from unsend import _telemetry
from unsend._result import CancelResult, Outcome
result = CancelResult("courier", "1-x", Outcome.CANCELLED, status_code=200)
def one():
    with _telemetry.traced("cancel", "courier", "1-x", ref="courier:1-x") as span:
        span.finished(result)
    _telemetry.count_result(result)
one()
number = int(sys.argv[1])
print(min(timeit.repeat(one, number=number, repeat=5)) / number * 1e6)
"""


def _calls_alone(prelude: str, number: int) -> float:
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + prelude + CALLS, str(number)],
        capture_output=True,
        text=True,
        check=True,
    )
    return round(float(done.stdout), 2)


AB = """
import json, statistics, sys, time
from unsend import _telemetry
from unsend.testing import EmulatorFixture
emu = EmulatorFixture(sys.argv[1])
batches = json.loads(sys.stdin.read())
on = _telemetry._get()
assert on is not None, "the A/B needs opentelemetry-api"
spent = {"on": [], "off": []}
with emu.canceller(sys.argv[3]) as canceller:
    for message_id in batches[0]:
        canceller.cancel(message_id)  # warm-up
    for index, ids in enumerate(batches[1:]):
        mode = ("on", "off")[index % 2] if index // 2 % 2 else ("off", "on")[index % 2]
        _telemetry._instruments = on if mode == "on" else None
        started = time.perf_counter()
        for message_id in ids:
            canceller.cancel(message_id)
        spent[mode].append((time.perf_counter() - started) / len(ids) * 1e6)
print(json.dumps({k: statistics.median(v) for k, v in spent.items()}))
"""


def _in_process(url: str, provider: str, batches: int, per_batch: int) -> dict[str, float]:
    import json

    emu = EmulatorFixture(url)
    ids = [emu.seed(provider, count=per_batch) for _ in range(batches * 2 + 1)]
    emu.close()
    done = subprocess.run(
        [sys.executable, "-c", AB, url, "-", provider],
        input=json.dumps(ids),
        capture_output=True,
        text=True,
        check=True,
    )
    return {k: round(v, 1) for k, v in json.loads(done.stdout).items()}


def measure(url: str, *, calls: int, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {
        "telemetry_calls_microseconds": {
            name: _calls_alone(prelude, number=calls * 10) for name, prelude in VARIANTS.items()
        }
    }
    for provider in ("qstash", "courier"):
        samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(rounds):
            for name, prelude in VARIANTS.items():
                samples[name].append(_once(url, provider, prelude, calls))
        micros = {name: round(statistics.median(v), 1) for name, v in samples.items()}
        ab = _in_process(url, provider, batches=6 * rounds, per_batch=min(300, calls))
        results[provider] = {
            "microseconds_per_cancel": micros,
            "in_process_microseconds": ab,
            "api_no_sdk_vs_without": round(ab["on"] / ab["off"], 3),
            "sdk_recording_vs_without": round(
                micros["otel_sdk_recording"] / micros["without_otel"], 3
            ),
        }
    return results
