"""``unsend demo``: the whole job on the built-in emulator, no credentials, no network.

1. Start the emulator in-process on a free loopback port.
2. Schedule messages through their own publish APIs at every provider whose emulation says how
   (``Emulated.schedule``), and seed one at every other emulated provider.
3. Let virtual time pass: the earliest message of each provider is delivered.
4. Cancel everything through configurations swapped one provider at a time (DSNs), each
   provider's second message twice; the others by ref through one router.
5. A round where the emulator answers 429 with Retry-After, and unsend waits it out.
6. Print the results and check each against the emulator's ground truth.
"""

from __future__ import annotations

import time

import httpx
from rich.console import Console

from .._config import from_config
from .._errors import ConfigError
from .._registry import provider_spec
from .._result import CancelResult, Outcome
from .._router import Router
from ..emulator import EmulatorServer, emulated_providers
from ..testing._emulator import EmulatorFixture
from ._output import results_table

__all__ = ["run"]

DELAYS = (30, 3600, 7200)  # seconds; the first is delivered when the demo lets time pass


def _schedule(emu: EmulatorFixture, provider: str, delay: int) -> str:
    """Schedule one message the way an application would, through the provider's own API."""
    emulation = emulated_providers()[provider]
    assert emulation.schedule is not None
    with httpx.Client(base_url=emu.url, timeout=10) as http:
        return emulation.schedule(http, emu.credentials.of(provider), delay)


def _dsn(emu: EmulatorFixture, provider: str, *, masked: bool = False) -> str:
    """The provider's DSN on the emulator; masked, what a person reads: credentials hidden,
    the base URL as written (not percent-encoded), so it reads whole at 80 columns."""
    if not masked:
        return emu.dsn(provider) + "&max_attempts=4"
    return f"{provider}://***@?base_url={emu.url}&max_attempts=4"


def _buildable(emu: EmulatorFixture, names: list[str]) -> tuple[list[str], dict[str, str]]:
    """The providers this install can build; the others with why (an extra not installed:
    EventBridge Scheduler needs botocore, ``unsend[aws]``)."""
    built, missing = [], {}
    for name in names:
        try:
            options = {k: v for k, v in emu.config(name).items() if k != "provider"}
            provider_spec(name).build(options)
        except ConfigError as error:
            missing[name] = error.message
        else:
            built.append(name)
    return built, missing


def _disagrees(result: CancelResult, state: str | None, first: bool) -> bool:
    """A result claims what did not happen, or (on a message's first cancel) missed what did;
    REQUESTED (accepted, nothing claimed) claims neither. A repeat cancel may well find the
    message gone (QStash forgets what it cancelled): only its claims are checked."""
    if result.outcome is Outcome.REQUESTED:
        return False
    if result.cancelled:
        return state != "cancelled"
    return first and state == "cancelled"


def run(console: Console) -> int:
    started = time.monotonic()
    console.rule("[bold]unsend demo[/bold]: one call to cancel, whichever provider sent it")
    with EmulatorServer() as server:
        emu = EmulatorFixture(server.url)
        names = emu.names()
        shown = [n for n in names if emulated_providers()[n].schedule is not None]
        console.print(f"emulator of {len(names)} providers on {server.url}")
        scheduled = {p: [_schedule(emu, p, d) for d in DELAYS] for p in shown}
        console.print(
            f"scheduled {len(DELAYS)} messages at {len(shown)} providers through their own APIs "
            f"(in {', '.join(f'{d} s' for d in DELAYS)})"
        )
        delivered = emu.advance(60)
        console.print(f"60 s of virtual time pass: {delivered} messages are delivered")

        results: list[CancelResult] = []
        again: list[CancelResult] = []
        for provider in shown:
            console.print(f"config: [cyan]{_dsn(emu, provider, masked=True)}[/cyan]")
            never = emulated_providers()[provider].new_id()  # valid, and never scheduled
            ids = [*scheduled[provider], never]
            with from_config(_dsn(emu, provider)) as canceller:
                results += canceller.cancel_many(ids, ordered=True)
                # Cancelled a second time: each provider says so in its own way.
                again.append(canceller.cancel(scheduled[provider][1]))

        if shown:
            busy = shown[len(shown) // 2]
            console.print(f"the emulator now answers {busy} with 429 and Retry-After: 1 once")
            emu.set_faults(busy, rate_limit_rate=1.0, retry_after=1, max_faults=1)
            late_id = _schedule(emu, busy, 3600)
            with from_config(_dsn(emu, busy)) as canceller:
                results.append(canceller.cancel(late_id))

        more, missing = _buildable(emu, [name for name in names if name not in shown])
        console.print(f"{len(more)} more, by ref through one router: " + ", ".join(more))
        for name, why in missing.items():
            console.print(f"[yellow]{name} left out[/yellow]: {why}")
        refs = [f"{p}:{emu.seed(p, count=1)[0]}" for p in more]
        with Router({name: emu.config(name) for name in more}) as router:
            results += router.cancel_many(refs, ordered=True)

        console.print(results_table([*results, *again], title="results", width=console.width))
        truth = {p: emu.states(p) for p in names}
        wrong = [
            r
            for r, first in [*((r, True) for r in results), *((r, False) for r in again)]
            if _disagrees(r, truth[r.provider].get(r.message_id), first)
        ]
        emu.close()
    seconds = time.monotonic() - started
    if wrong:
        console.print(f"[red]{len(wrong)} result(s) disagree with the emulator[/red]")
        return 1
    console.print(
        f"[green]every result agrees with the emulator's ground truth[/green] "
        f"({len(results) + len(again)} cancels, {seconds:.1f} s)"
    )
    return 0
