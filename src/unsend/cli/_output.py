"""How results are shown: JSON lines, or a table and a summary; progress on a terminal."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._result import CancelResult, CheckResult, MessageState, MessageStatus, Outcome

__all__ = [
    "MAX_ROWS",
    "TableRows",
    "as_json",
    "checks_table",
    "results_table",
    "status_table",
    "summary",
]

MAX_ROWS = 200
_STYLE = {
    Outcome.CANCELLED: "green",
    Outcome.ALREADY_CANCELLED: "green",
    Outcome.NOT_CANCELLABLE: "yellow",
    Outcome.NOT_FOUND: "yellow",
    Outcome.REQUESTED: "cyan",
    Outcome.FAILED: "red",
}


def as_json(result: CancelResult) -> str:
    """One JSON line: exactly ``CancelResult.to_dict()``, so ``from_dict`` reads it back."""
    return json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False)


class TableRows:
    """Which results the human table shows: every one when there are at most ``ALL_UP_TO``,
    else only those not cancelled (the first ``MAX_ROWS``), with how many more were hidden.

    Decided on the results themselves, however the ids came (arguments, a file, stdin).
    """

    ALL_UP_TO = 20

    def __init__(self) -> None:
        self.total = 0
        self.first: list[CancelResult] = []
        self.failures: list[CancelResult] = []
        self.failures_total = 0

    def add(self, result: CancelResult) -> None:
        self.total += 1
        if len(self.first) < self.ALL_UP_TO:
            self.first.append(result)
        if not result.cancelled:
            self.failures_total += 1
            if len(self.failures) < MAX_ROWS:
                self.failures.append(result)

    def rows(self) -> tuple[list[CancelResult], int]:
        """(results to show, results not cancelled that are not shown)."""
        if self.total <= self.ALL_UP_TO:
            return self.first, 0
        return self.failures, self.failures_total - len(self.failures)


def results_table(
    results: Sequence[CancelResult],
    title: str | None = None,
    *,
    width: int = 80,
    hidden: int = 0,
) -> Table:
    """The results as a table, with why each one that was not cancelled ended as it did.

    The "why" column is the provider's words or the error's text (already redacted), folded to
    what the console has room for; it is never dropped, so a failure is never a bare FAILED.
    """
    # Under 100 columns the tries and time columns give way, so "why" keeps room to be read.
    wide = width >= 100
    table = Table(title=title, show_lines=False)
    table.add_column("provider", min_width=9)
    table.add_column("message id", no_wrap=True, overflow="ellipsis", max_width=22 if wide else 16)
    table.add_column("outcome", min_width=17)
    if wide:
        table.add_column("tries", justify="right", min_width=5)
        table.add_column("time", justify="right", min_width=7)
    taken = 72 if wide else 56  # what the other columns and the borders take
    table.add_column(
        "why", overflow="fold", min_width=16, max_width=max(16, min(60, width - taken))
    )
    for result in results[:MAX_ROWS]:
        style = _STYLE[result.outcome]
        why = "" if result.cancelled and result.confirmation is None else _why(result)
        timing = [str(result.attempts), f"{result.elapsed:.3f} s"] if wide else []
        table.add_row(
            result.name if result.name == result.provider else f"{result.name} ({result.provider})",
            result.message_id,
            f"[{style}]{result.outcome.name}[/{style}]",
            *timing,
            escape(why),
        )
    hidden += max(len(results) - MAX_ROWS, 0)
    if hidden:
        table.caption = f"{hidden} more not cancelled, not shown (use --json for all)"
    return table


def _why(result: CancelResult) -> str:
    if result.error is not None:
        return f"{type(result.error).__name__}: {result.error.message}"
    return result.detail or ""


def summary(console: Console, counts: Counter[Outcome], total: int, seconds: float) -> None:
    parts = [f"{counts[o]} {o.name.lower()}" for o in Outcome if counts[o]]
    rate = f", {total / seconds:.0f}/s" if seconds > 0 else ""
    console.print(f"{total} message(s) in {seconds:.2f} s{rate}: {', '.join(parts) or 'none'}")


_STATE_STYLE = {
    MessageState.SCHEDULED: "cyan",
    MessageState.CANCELLED: "green",
    MessageState.SENT: "yellow",
    MessageState.FAILED: "red",
    MessageState.NOT_FOUND: "yellow",
    MessageState.UNKNOWN: "white",
}


def status_table(
    rows: Sequence[tuple[str, MessageStatus | Exception]], *, width: int = 80
) -> Table:
    """``unsend status``: each ref's state, the provider's own word, and anything it said."""
    table = Table(show_lines=False)
    table.add_column("ref", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("state", min_width=9)
    table.add_column("provider says", overflow="fold", max_width=16)
    table.add_column("detail", overflow="fold", min_width=16, max_width=max(16, width - 62))
    for ref, read in rows[:MAX_ROWS]:
        if isinstance(read, MessageStatus):
            style = _STATE_STYLE[read.state]
            state = f"[{style}]{read.state.name}[/{style}]"
            table.add_row(
                escape(ref), state, escape(read.provider_state or ""), escape(read.detail or "")
            )
        else:
            table.add_row(
                escape(ref), "[red]ERROR[/red]", "", escape(f"{type(read).__name__}: {read}")
            )
    return table


def checks_table(results: Sequence[CheckResult], *, width: int = 80) -> Table:
    """``unsend check``: each configured provider, whether it accepted, and what was asked."""
    table = Table(show_lines=False)
    table.add_column("name", no_wrap=True, max_width=24)
    table.add_column("result", min_width=8)
    table.add_column("detail", overflow="fold", min_width=20, max_width=max(20, width - 40))
    for result in results:
        name = (
            result.name if result.name == result.provider else f"{result.name} ({result.provider})"
        )
        verdict = "[green]ok[/green]" if result.ok else "[red]failed[/red]"
        table.add_row(escape(name), verdict, escape(result.detail))
    return table
