"""``unsend demo``: the whole job on the built-in emulator, no credentials, no network.

1. Start the emulator in-process on a free loopback port.
2. Schedule messages at three providers through their own publish APIs, and at every other
   emulated provider through the emulator.
3. Let virtual time pass: the earliest message of each provider is delivered.
4. Cancel everything through configurations swapped one provider at a time (DSNs).
5. A round where the emulator answers 429 with Retry-After, and unsend waits it out.
6. Print the results and check each against the emulator's ground truth.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
from rich.console import Console

from .._config import from_config
from .._result import CancelResult, Outcome
from ..emulator import EmulatorServer
from ..testing._emulator import EmulatorFixture
from ._output import results_table

__all__ = ["run"]

# The three whose configurations are swapped one at a time, scheduled through their own publish
# APIs; every other provider the emulator has goes through one router.
PROVIDERS = ("qstash", "onesignal", "courier")
DELAYS = (30, 3600, 7200)  # seconds; the first is delivered when the demo lets time pass


def _schedule(emu: EmulatorFixture, provider: str, delay: int) -> str:
    """Schedule one message the way an application would, through the provider's own API."""
    c = emu.credentials
    with httpx.Client(base_url=emu.url, timeout=10) as http:
        if provider == "qstash":
            response = http.post(
                "/v2/publish/https://example.com/hooks/reminder",
                headers={
                    "Authorization": f"Bearer {c.qstash_token}",
                    "Upstash-Delay": f"{delay}s",
                    "Upstash-Label": "demo",
                },
                json={"reminder": "dentist"},
            )
            return str(response.raise_for_status().json()["messageId"])
        if provider == "onesignal":
            send_after = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat()
            response = http.post(
                "/notifications",
                headers={"Authorization": f"Key {c.onesignal_api_key}"},
                json={
                    "app_id": c.onesignal_app_id,
                    "contents": {"en": "Your appointment"},
                    "send_after": send_after,
                },
            )
            return str(response.raise_for_status().json()["id"])
        response = http.post(
            "/send",
            headers={"Authorization": f"Bearer {c.courier_token}"},
            json={
                "message": {
                    "to": {"user_id": "demo-user"},
                    "template": "drip-day-2",
                    "delay": {"duration": delay * 1000},
                }
            },
        )
        return str(response.raise_for_status().json()["requestId"])


def _dsn(emu: EmulatorFixture, provider: str, *, masked: bool = False) -> str:
    """The provider's DSN on the emulator; masked, what a person reads: credentials hidden,
    the base URL as written (not percent-encoded), so it reads whole at 80 columns."""
    if not masked:
        return emu.dsn(provider) + "&max_attempts=4"
    return f"{provider}://***@?base_url={emu.url}&max_attempts=4"


def run(console: Console) -> int:
    started = time.monotonic()
    console.rule("[bold]unsend demo[/bold]: one call to cancel, whichever provider sent it")
    with EmulatorServer() as server:
        emu = EmulatorFixture(server.url)
        console.print(f"emulator of {len(emu.names())} providers on {server.url}")
        scheduled = {p: [_schedule(emu, p, d) for d in DELAYS] for p in PROVIDERS}
        console.print(
            f"scheduled {len(DELAYS)} messages at each provider "
            f"(in {', '.join(f'{d} s' for d in DELAYS)})"
        )
        delivered = emu.advance(60)
        console.print(f"60 s of virtual time pass: {delivered} messages are delivered")

        results: list[CancelResult] = []
        for provider in PROVIDERS:
            console.print(f"config: [cyan]{_dsn(emu, provider, masked=True)}[/cyan]")
            ids = [*scheduled[provider], f"never-scheduled-{provider}"]
            with from_config(_dsn(emu, provider)) as canceller:
                results += canceller.cancel_many(ids, ordered=True)
                if provider == "courier":  # Courier says when a message was cancelled before
                    results.append(canceller.cancel(scheduled[provider][1]))

        console.print("the emulator now answers OneSignal with 429 and Retry-After: 1 once")
        emu.set_faults("onesignal", rate_limit_rate=1.0, retry_after=1, max_faults=1)
        late_id = _schedule(emu, "onesignal", 3600)
        with from_config(_dsn(emu, "onesignal")) as canceller:
            results.append(canceller.cancel(late_id))

        more = [name for name in emu.names() if name not in PROVIDERS]
        console.print(f"{len(more)} more, by ref through one router: " + ", ".join(more))
        refs = [f"{p}:{emu.seed(p, count=1)[0]}" for p in more]
        with emu.router() as router:
            results += router.cancel_many(refs, ordered=True)

        console.print(results_table(results, title="results", width=console.width))
        truth = {p: emu.states(p) for p in (*PROVIDERS, *more)}
        # A result disagrees when it claims what did not happen, or missed what did; REQUESTED
        # (accepted, nothing claimed) claims neither.
        wrong = [
            r
            for r in results
            if r.outcome is not Outcome.REQUESTED
            and r.cancelled != (truth[r.provider].get(r.message_id) == "cancelled")
        ]
        emu.close()
    seconds = time.monotonic() - started
    if wrong:
        console.print(f"[red]{len(wrong)} result(s) disagree with the emulator[/red]")
        return 1
    console.print(
        f"[green]every result agrees with the emulator's ground truth[/green] "
        f"({len(results)} cancels, {seconds:.1f} s)"
    )
    return 0
