"""OpenTelemetry spans and metrics, native: ``pip install 'unsend[otel]'`` (opentelemetry-api).

One span per operation (``cancel qstash``, ``cancel_matching qstash`` ...), current while it
runs so the transport's HTTP span (httpx instrumentation) is its child; each retry is an event on
it. Metrics on the same API: ``unsend.cancels`` (by provider and outcome),
``unsend.cancel.duration`` (seconds), ``unsend.retries`` (by provider and reason) and
``unsend.gate.wait`` (seconds a cancel waited for the fleet's shared gate).

Without opentelemetry-api every function here is a no-op after one check; with the API and no
SDK configured, the API's own no-op objects answer, and nothing is attached to the context (a
span the SDK does not record is attached only when it has a valid context to propagate).
Attributes never hold a credential: the texts they come from are redacted already.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from ._version import __version__

if TYPE_CHECKING:
    from ._result import CancelResult

__all__ = [
    "Traced",
    "configure_telemetry",
    "count_result",
    "current_context",
    "gate_waited",
    "httpx_instrumented",
    "retried",
    "traced",
    "traced_sync_transport",
]

PROVIDER: Final = "unsend.provider"
OUTCOME: Final = "unsend.outcome"
REASON: Final = "unsend.retry.reason"


class _Instruments:
    """The tracer and the four instruments, made once, on first use."""

    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        from opentelemetry import context, metrics, trace

        self.trace = trace
        self.context = context
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        self.error_status = trace.Status(trace.StatusCode.ERROR)
        self.client_kind = trace.SpanKind.CLIENT
        self.tracer = trace.get_tracer("unsend", __version__, tracer_provider=tracer_provider)
        meter = metrics.get_meter("unsend", __version__, meter_provider=meter_provider)
        self.cancels = meter.create_counter(
            "unsend.cancels", unit="{cancel}", description="Finished cancels, by outcome"
        )
        self.duration = meter.create_histogram(
            "unsend.cancel.duration", unit="s", description="How long each cancel took"
        )
        self.retries = meter.create_counter(
            "unsend.retries", unit="{retry}", description="Retries, by provider and reason"
        )
        self.gate_wait = meter.create_histogram(
            "unsend.gate.wait", unit="s", description="Waits for the fleet's shared gate"
        )


_instruments: _Instruments | None = None
_checked = False


def _get() -> _Instruments | None:
    global _instruments, _checked
    if not _checked:
        try:
            _instruments = _Instruments()
        except ImportError:
            _instruments = None
        _checked = True
    return _instruments


def configure_telemetry(*, tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Send unsend's spans and metrics to these providers instead of OpenTelemetry's global ones
    (as an instrumentation's ``instrument(tracer_provider=..., meter_provider=...)`` does);
    ``configure_telemetry()`` goes back to the global providers. Without opentelemetry-api
    installed, providers given here are a ``ConfigError``."""
    global _instruments, _checked
    try:
        _instruments = _Instruments(tracer_provider, meter_provider)
    except ImportError:
        if tracer_provider is not None or meter_provider is not None:
            from ._errors import ConfigError

            raise ConfigError(
                "telemetry needs opentelemetry-api: pip install 'unsend[otel]'"
            ) from None
        _instruments = None
    _checked = True


def httpx_instrumented() -> bool:
    """Whether OpenTelemetry's httpx instrumentation is on (never imports it)."""
    module = sys.modules.get("opentelemetry.instrumentation.httpx")
    return module is not None and bool(
        module.HTTPXClientInstrumentor().is_instrumented_by_opentelemetry
    )


def traced_sync_transport(transport: Any) -> Any:
    """``transport`` inside the instrumentation's public ``SyncOpenTelemetryTransport``,
    reporting to the providers unsend reports to."""
    from opentelemetry.instrumentation.httpx import SyncOpenTelemetryTransport

    otel = _get()
    return SyncOpenTelemetryTransport(
        transport,
        tracer_provider=None if otel is None else otel.tracer_provider,
        meter_provider=None if otel is None else otel.meter_provider,
    )


def current_context() -> object | None:
    """The caller's context, to parent the spans of work done elsewhere (a fan-out's loop)."""
    otel = _get()
    return None if otel is None else otel.context.get_current()


class Traced:
    """One operation's span, current between ``__enter__`` and ``__exit__``."""

    __slots__ = ("_span", "_token")

    def __init__(self, span: Any) -> None:
        self._span = span
        self._token: object = None

    def __enter__(self) -> Traced:
        otel = _instruments
        if otel is not None and self._span.get_span_context().is_valid:
            self._token = otel.context.attach(otel.trace.set_span_in_context(self._span))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None and self._span.is_recording():
            self._failed(error)
        if self._token is not None and _instruments is not None:
            _instruments.context.detach(self._token)
        self._span.end()

    def _failed(self, error: BaseException) -> None:
        assert _instruments is not None
        self._span.set_attribute("error.type", type(error).__name__)
        status = getattr(error, "status_code", None)
        if isinstance(status, int):
            self._span.set_attribute("http.response.status_code", status)
        self._span.set_status(_instruments.error_status)

    def set(self, **attributes: str | int | float | bool | None) -> None:
        """Attributes named ``unsend.<key>``; None values are left out."""
        if self._span.is_recording():
            for key, value in attributes.items():
                if value is not None:
                    self._span.set_attribute(f"unsend.{key}", value)

    def finished(self, result: CancelResult) -> None:
        """What a cancel came to: its outcome, attempts and last HTTP status."""
        span = self._span
        if not span.is_recording():
            return
        span.set_attribute(OUTCOME, result.outcome.name)
        span.set_attribute("unsend.cancelled", result.cancelled)
        span.set_attribute("unsend.attempts", result.attempts)
        if result.status_code is not None:
            span.set_attribute("http.response.status_code", result.status_code)
        if result.error is not None:
            self._failed(result.error)


class _Untraced(Traced):
    def __init__(self) -> None:
        super().__init__(None)

    def __enter__(self) -> Traced:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def set(self, **attributes: str | int | float | bool | None) -> None:
        return None

    def finished(self, result: CancelResult) -> None:
        return None


_UNTRACED: Final = _Untraced()


def traced(
    operation: str,
    provider: str,
    message_id: str | None = None,
    *,
    ref: str | None = None,
    parent: object | None = None,
) -> Traced:
    """A span for ``operation`` at ``provider`` (use as ``with traced(...) as span:``)."""
    otel = _get()
    if otel is None:
        return _UNTRACED
    attributes: dict[str, str] = {PROVIDER: provider, "unsend.operation": operation}
    if message_id is not None:
        attributes["messaging.message.id"] = message_id
    if ref is not None:
        attributes["unsend.ref"] = ref
    span = otel.tracer.start_span(
        f"{operation} {provider}",
        context=parent,  # type: ignore[arg-type]
        kind=otel.client_kind,
        attributes=attributes,
    )
    return Traced(span)


def retried(attempt: int, status_code: int | None, reason: str, wait: float, provider: str) -> None:
    """A retry: an event on the current span and one on the retries counter."""
    otel = _get()
    if otel is None:
        return
    span = otel.trace.get_current_span()
    if span.is_recording():
        event: dict[str, str | int | float] = {
            "unsend.attempt": attempt,
            REASON: reason,
            "unsend.retry.wait": wait,
        }
        if status_code is not None:
            event["http.response.status_code"] = status_code
        span.add_event("retry", event)
    otel.retries.add(1, {PROVIDER: provider, REASON: reason})


def count_result(result: CancelResult) -> None:
    """A finished cancel in the metrics: counted by outcome, its duration recorded."""
    otel = _get()
    if otel is None:
        return
    labels = {PROVIDER: result.provider, OUTCOME: result.outcome.name}
    otel.cancels.add(1, labels)
    otel.duration.record(result.elapsed, labels)


def gate_waited(provider: str, seconds: float) -> None:
    otel = _get()
    if otel is not None:
        otel.gate_wait.record(seconds, {PROVIDER: provider})
