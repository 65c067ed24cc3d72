"""OpenTelemetry, native: a span per cancel with its HTTP child and retries, metrics beside it.

The SDK is configured once for the whole process (OpenTelemetry allows one global provider);
each test reads what its own cancels exported, through in-memory exporters.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import unsend
from unsend.testing import EmulatorFixture

_EXPORTER = InMemorySpanExporter()
_READER = InMemoryMetricReader()
_TRACER_PROVIDER = TracerProvider()


@pytest.fixture(scope="module", autouse=True)
def _sdk() -> Iterator[None]:
    """Providers of the tests' own, given to unsend as an instrumentation is given them: the
    process's global providers stay free for the docs' examples."""
    tracer_provider = _TRACER_PROVIDER
    tracer_provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
    meter_provider = MeterProvider(metric_readers=[_READER])
    unsend.configure_telemetry(tracer_provider=tracer_provider, meter_provider=meter_provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=tracer_provider)
    yield
    HTTPXClientInstrumentor().uninstrument()
    unsend.configure_telemetry()
    meter_provider.shutdown()
    tracer_provider.shutdown()


@pytest.fixture
def spans() -> InMemorySpanExporter:
    _EXPORTER.clear()
    return _EXPORTER


def _points(name: str) -> list[Any]:
    data = _READER.get_metrics_data()
    found = []
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    found.extend(metric.data.data_points)
    return found


def _count(name: str, **labels: str) -> float:
    wanted = {f"unsend.{k.replace('_', '.')}": v for k, v in labels.items()}
    return sum(
        p.value if hasattr(p, "value") else p.count
        for p in _points(name)
        if all(p.attributes.get(k) == v for k, v in wanted.items())
    )


def _cancel_spans(spans: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.name.startswith("cancel ")]


def test_a_cancel_is_a_span_with_its_outcome_its_retry_and_its_http_child(
    unsend_emulator: EmulatorFixture, spans: InMemorySpanExporter
) -> None:
    (message_id,) = unsend_emulator.seed("courier")
    unsend_emulator.set_faults("courier", rate_limit_rate=1.0, max_faults=1, retry_after=1)
    cancelled_before = _count("unsend.cancels", provider="courier", outcome="CANCELLED")
    retries_before = _count("unsend.retries", provider="courier", retry_reason="HTTP 429")
    with unsend_emulator.canceller("courier", clock=unsend_emulator.clock()) as canceller:
        result = canceller.cancel(message_id)
    assert (result.cancelled, result.attempts) == (True, 2)

    (span,) = _cancel_spans(spans)
    assert span.name == "cancel courier"
    assert span.kind is trace.SpanKind.CLIENT
    attributes = dict(span.attributes or {})
    assert attributes["unsend.provider"] == "courier"
    assert attributes["unsend.outcome"] == "CANCELLED"
    assert attributes["unsend.attempts"] == 2
    assert attributes["http.response.status_code"] == 200
    assert attributes["messaging.message.id"] == message_id
    (retry,) = span.events
    assert retry.name == "retry"
    assert (retry.attributes or {})["unsend.retry.reason"] == "HTTP 429"
    assert (retry.attributes or {})["unsend.retry.wait"] == 1.0
    children = [
        s.attributes or {}
        for s in spans.get_finished_spans()
        if s.parent is not None and s.parent.span_id == span.context.span_id
    ]
    # The 429 and the 200, each the HTTP client span under the cancel (the emulator clock's own
    # requests, which advance its time, are children too: they are not counted here).
    sent = [
        a.get("http.response.status_code", a.get("http.status_code"))
        for a in children
        if str(a.get("url.full", a.get("http.url"))).endswith(f"/messages/{message_id}/cancel")
    ]
    assert sent == [429, 200]

    assert _count("unsend.cancels", provider="courier", outcome="CANCELLED") == (
        cancelled_before + 1
    )
    assert _count("unsend.retries", provider="courier", retry_reason="HTTP 429") == (
        retries_before + 1
    )
    assert any(
        p.attributes.get("unsend.provider") == "courier" for p in _points("unsend.cancel.duration")
    )


def test_a_failed_cancel_is_an_error_span_and_counted_as_failed(
    unsend_emulator: EmulatorFixture, spans: InMemorySpanExporter
) -> None:
    (message_id,) = unsend_emulator.seed("twilio")
    unsend_emulator.set_faults("twilio", server_error_rate=1.0)
    failed_before = _count("unsend.cancels", provider="twilio", outcome="FAILED")
    retry = unsend.RetryPolicy(max_attempts=1)
    canceller = unsend_emulator.canceller("twilio", retry=retry)
    with canceller, pytest.raises(unsend.ProviderUnavailable):
        canceller.cancel(message_id)
    (span,) = _cancel_spans(spans)
    assert span.status.status_code is trace.StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "ProviderUnavailable"
    assert _count("unsend.cancels", provider="twilio", outcome="FAILED") == failed_before + 1


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_cancel_many_parents_every_cancel_under_the_callers_span_with_its_http_child(
    unsend_emulator: EmulatorFixture, spans: InMemorySpanExporter, kind: str
) -> None:
    """The default transport (httpx, sync threads or async pools) is what httpx's
    instrumentation sees: each cancel of a fan-out has its HTTP span as a child."""
    ids = unsend_emulator.seed("qstash", count=3)
    tracer = _TRACER_PROVIDER.get_tracer("test")

    async def many() -> set[unsend.Outcome]:
        async with unsend.AsyncCanceller(unsend_emulator.provider("qstash")) as canceller:
            return {r.outcome async for r in canceller.cancel_many(ids, concurrency=2)}

    with tracer.start_as_current_span("job") as job:
        if kind == "sync":
            with unsend_emulator.canceller("qstash") as canceller:
                outcomes = {r.outcome for r in canceller.cancel_many(ids, concurrency=2)}
        else:
            outcomes = asyncio.run(many())
    assert outcomes == {unsend.Outcome.CANCELLED}
    cancels = _cancel_spans(spans)
    assert len(cancels) == 3
    assert {s.parent.span_id for s in cancels if s.parent} == {job.get_span_context().span_id}
    assert {(s.attributes or {})["unsend.outcome"] for s in cancels} == {"CANCELLED"}
    finished = spans.get_finished_spans()
    for cancel in cancels:
        children = [s for s in finished if s.parent and s.parent.span_id == cancel.context.span_id]
        assert [c.kind for c in children] == [trace.SpanKind.CLIENT], cancel.name


def test_a_routed_cancel_carries_the_routers_ref(
    unsend_emulator: EmulatorFixture, spans: InMemorySpanExporter
) -> None:
    one, two = unsend_emulator.seed("resend", count=2)

    async def run() -> None:
        async with unsend.AsyncRouter({"mail": unsend_emulator.dsn("resend")}) as router:
            await router.cancel(f"mail:{one}")
            [_ async for _ in router.cancel_many([f"mail:{two}"])]

    asyncio.run(run())
    refs = sorted((s.attributes or {})["unsend.ref"] for s in _cancel_spans(spans))
    assert refs == sorted([f"mail:{one}", f"mail:{two}"])


def test_bulk_and_schedule_operations_have_spans_of_their_own(
    unsend_emulator: EmulatorFixture, spans: InMemorySpanExporter
) -> None:
    ids = unsend_emulator.seed("qstash", count=2)
    with unsend_emulator.canceller("qstash") as canceller:
        result = canceller.cancel_ids(ids)
    (span,) = [s for s in spans.get_finished_spans() if s.name == "cancel_ids qstash"]
    assert (span.attributes or {})["unsend.cancelled_count"] == result.cancelled == 2
    assert [
        s.name
        for s in spans.get_finished_spans()
        if s.parent is not None and s.parent.span_id == span.context.span_id
    ] != []


def test_without_opentelemetry_nothing_is_imported_and_cancels_still_work(
    unsend_emulator: EmulatorFixture,
) -> None:
    (message_id,) = unsend_emulator.seed("courier")
    code = f"""
import sys
sys.modules["opentelemetry"] = None  # not installed
import unsend
from unsend.testing import EmulatorFixture
emu = EmulatorFixture({unsend_emulator.url!r})
with emu.canceller("courier") as canceller:
    print(canceller.cancel({message_id!r}).outcome.name)
unsend.configure_telemetry()  # back to the global providers: allowed, a no-op
try:
    unsend.configure_telemetry(meter_provider=object())
except unsend.ConfigError as error:
    print(error)
print(sorted(n for n, m in sys.modules.items() if n.startswith("opentelemetry") and m))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "CANCELLED",
        "telemetry needs opentelemetry-api: pip install 'unsend[otel]'",
        "[]",
    ]


def test_import_unsend_does_not_import_opentelemetry() -> None:
    code = "import sys, unsend; print(any(n.startswith('opentelemetry') for n in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_with_httpx_instrumented_a_sync_cancel_keeps_its_deadline_and_its_http_span(
    spans: InMemorySpanExporter,
) -> None:
    """httpx's instrumentation patches httpx's own transport class; unsend's sync pools keep the
    whole-attempt deadline under it (a server dripping its headers forever) and still report
    the HTTP span."""
    from tests.hostile.run import timed_cancel
    from tests.hostile.server import HostileServer, drip

    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"p" * 400
    with HostileServer(lambda request: drip(head, 0.05)) as server:
        provider = unsend.OneSignal("app-id-1234", "api-key-1234", base_url=server.url)
        policy = unsend.RetryPolicy(deadline=1.0, max_attempts=1)
        elapsed, outcome = timed_cancel("sync", provider, retry=policy)
    assert isinstance(outcome, unsend.TransportError), repr(outcome)
    # Real time is the point: the drip takes 20 s; 1 s of slack is what a loaded machine adds.
    assert elapsed <= 2.0, f"{elapsed:.2f} s"
    (cancel,) = _cancel_spans(spans)
    children = [
        s
        for s in spans.get_finished_spans()
        if s.parent is not None and s.parent.span_id == cancel.context.span_id
    ]
    assert [c.kind for c in children] == [trace.SpanKind.CLIENT]
