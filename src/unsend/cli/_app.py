"""The click commands: ``unsend cancel``, ``status``, ``check``, ``emulator``, ``demo``."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import closing
from typing import Any, BinaryIO

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from .. import __version__
from .._client import Canceller
from .._config import from_config, read_toml
from .._errors import AuthenticationError, ConfigError, UnsendError
from .._result import MessageStatus, Outcome
from .._router import Router
from ._exit import CONFIG_ERROR, INTERRUPTED, OK, code_for, worse
from ._idfile import IdSource, scan
from ._output import TableRows, as_json, results_table, status_table, summary

__all__ = ["cli"]

EPILOG = """\b
Exit codes:
  0  every message is stopped (cancelled, or already cancelled)
  1  some were too late, not found, or not valid ids
  2  usage or configuration error (credentials refused included)
  3  errors: rate limited, unavailable, network (retry later)
  4  accepted only: the provider took the cancel and does not say
     whether anything was waiting (Knock); nothing worse happened
  130  interrupted (Ctrl-C): every line printed is whole
"""


def _fail(message: str) -> None:
    from rich.markup import escape  # the text may hold brackets: extras, ids, DSNs

    Console(stderr=True).print(f"[red]error:[/red] {escape(message)}", highlight=False)
    sys.exit(CONFIG_ERROR)


def _canceller(
    dsn: str | None, config_path: str | None, storage: str | None, max_rate: float | None
) -> Canceller | Router:
    """One provider's canceller; or, for a configuration of several, a router taking refs.

    With shared storage, --max-rate is the fleet's limit: it goes into every provider's
    configuration, where the shared gate enforces it across processes.
    """
    import os

    from .._config import env_config
    from .._router import environment_configs, toml_configs

    fleet: dict[str, Any] = {}
    if storage is not None and max_rate is not None:
        fleet["max_rate"] = max_rate

    def with_fleet(configs: Mapping[str, Any]) -> dict[str, Any]:
        return {name: {**config, **fleet} for name, config in configs.items()}

    try:
        if dsn is not None:
            return from_config({"dsn": dsn, **fleet}, rate_limit_storage=storage)
        if config_path is not None:
            table = read_toml(config_path)
            if isinstance(table.get("providers"), dict):
                configs = with_fleet(toml_configs(config_path))
                return Router(configs, rate_limit_storage=storage)
            return from_config({**table, **fleet}, rate_limit_storage=storage)
        several = environment_configs("UNSEND_", os.environ)
        if several is not None:
            configs, default = several
            return Router(with_fleet(configs), default=default, rate_limit_storage=storage)
        config = {**env_config("UNSEND_", os.environ), **fleet}
        return from_config(config, rate_limit_storage=storage)
    except ConfigError as exc:
        _fail(
            f"{exc}\n(pass --dsn, --config, or set UNSEND_DSN or UNSEND_<NAME>_DSN; "
            "see unsend cancel --help)"
        )
        raise  # unreachable: _fail exits


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unsend")
def cli() -> None:
    """Cancel scheduled messages at any provider unsend has, through one command."""


def _epilog() -> str:
    from .._registry import provider_names

    return EPILOG + f"\n\b\nProviders (DSN schemes): {', '.join(provider_names())}\n"


@cli.command(epilog=_epilog())
@click.argument("ids", nargs=-1)
@click.option(
    "--from-file",
    "source",
    type=click.File("rb"),
    help="Read ids, one per line, UTF-8 (- for stdin).",
)
@click.option(
    "--dsn", help="Provider DSN, e.g. qstash://TOKEN@us-east-1 (else --config or UNSEND_*)."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="TOML file: standalone, or [tool.unsend] of a pyproject. With [providers.NAME] "
    "tables (or UNSEND_<NAME>_DSN variables) the ids are refs: NAME:ID.",
)
@click.option("--concurrency", type=click.IntRange(1, 1000), default=32, show_default=True)
@click.option(
    "--max-rate", type=click.FloatRange(min=0, min_open=True), help="Requests per second at most."
)
@click.option(
    "--rate-limit-storage",
    "storage",
    help="Share --max-rate and 429 pauses with every process using this storage "
    "(a limits URI: redis://host:6379/0).",
)
@click.option("--ordered", is_flag=True, help="Report in input order.")
@click.option(
    "--confirm",
    is_flag=True,
    help="Read each message back after its cancel and report what the provider then says.",
)
@click.option("--json", "as_json_lines", is_flag=True, help="One JSON object per result on stdout.")
def cancel(
    ids: tuple[str, ...],
    source: BinaryIO | None,
    dsn: str | None,
    config_path: str | None,
    concurrency: int,
    max_rate: float | None,
    storage: str | None,
    ordered: bool,
    confirm: bool,
    as_json_lines: bool,
) -> None:
    """Cancel the messages IDS (and those read with --from-file).

    With several providers configured, each id is a ref, NAME:ID (push:b2f7...).
    """
    if not ids and source is None:
        _fail("give message ids as arguments or with --from-file (- reads stdin)")
    in_file: int | None = 0
    if source is not None:
        bad, in_file = scan(source)
        if bad is not None:
            _fail(str(bad))
    canceller = _canceller(dsn, config_path, storage, max_rate)
    id_source = IdSource(ids, source)
    out = Console(highlight=False)
    err = Console(stderr=True)
    counts: Counter[Outcome] = Counter()
    table = TableRows()
    code = OK
    refused: UnsendError | None = None
    interrupted = False
    started = time.monotonic()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("cancelling"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=as_json_lines or not err.is_terminal,
    )
    with canceller, progress:
        total = None if in_file is None else len(ids) + in_file
        task = progress.add_task("cancel", total=total)
        local_rate = None if storage is not None else max_rate  # else the fleet's, in config
        try:
            stream = canceller.cancel_many(
                id_source,
                concurrency=concurrency,
                ordered=ordered,
                max_rate=local_rate,
                confirm=confirm,
            )
        except ConfigError as error:  # --confirm with a provider that documents no read
            _fail(str(error))
        try:
            with closing(stream):
                for result in stream:
                    counts[result.outcome] += 1
                    routed = not isinstance(canceller, Router) or result.name in canceller.names
                    code = worse(code, code_for(result, routed=routed))
                    progress.advance(task)
                    if as_json_lines:
                        # One write per line: an interrupt never leaves half a JSON object.
                        sys.stdout.write(as_json(result) + "\n")
                        sys.stdout.flush()
                    else:
                        table.add(result)
                    if isinstance(result.error, AuthenticationError | ConfigError) and routed:
                        # Every other id would be refused the same way: send no more of them.
                        # (A ref naming nothing configured is only that ref's failure.)
                        refused = result.error
                        break
        except KeyboardInterrupt:
            interrupted = True
    if not as_json_lines:
        shown, hidden = table.rows()
        if shown:
            out.print(results_table(shown, width=out.width, hidden=hidden))
        summary(out, counts, sum(counts.values()), time.monotonic() - started)
    if interrupted:
        err.print("interrupted: the ids not reported above were not all sent", highlight=False)
        sys.exit(INTERRUPTED)
    if refused is not None:
        _fail(f"{refused}; stopped there: the remaining ids were not sent")
    if id_source.error is not None:
        _fail(f"{id_source.error}; the ids before it were processed, the rest were not read")
    sys.exit(code)


@cli.command(epilog=_epilog())
@click.option("--dsn", help="Provider DSN (else --config or UNSEND_*), as for unsend cancel.")
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="TOML file, as for cancel."
)
@click.option("--json", "as_json_lines", is_flag=True, help="One JSON object per provider.")
def check(dsn: str | None, config_path: str | None, as_json_lines: bool) -> None:
    """Check the configuration and credentials of every configured provider, through one
    read-only request each: nothing is cancelled.

    Exit 0 when every provider accepted them; 2 when one refused them (or documents no
    read-only request); 3 when one could not be reached or answered an error.
    """
    import json

    from ._exit import code_for_error
    from ._output import checks_table

    checker = _canceller(dsn, config_path, None, None)
    with checker:
        found = checker.check()
    results = found if isinstance(found, dict) else {found.name: found}
    code = OK
    for result in results.values():
        if result.error is not None:
            code = worse(code, code_for_error(result.error))
        if as_json_lines:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    if not as_json_lines:
        out = Console(highlight=False)
        out.print(checks_table(list(results.values()), width=out.width))
    sys.exit(code)


@cli.command(epilog=_epilog())
@click.argument("refs", nargs=-1, required=True)
@click.option("--dsn", help="Provider DSN (else --config or UNSEND_*), as for unsend cancel.")
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="TOML file, as for cancel."
)
@click.option("--json", "as_json_lines", is_flag=True, help="One JSON object per message.")
def status(
    refs: tuple[str, ...], dsn: str | None, config_path: str | None, as_json_lines: bool
) -> None:
    """Read where each message stands (REFS: ids, or NAME:ID refs with several providers).

    Exit 0 when every message was read, 1 when a provider does not know one, else as cancel.
    """
    import json

    from ._exit import code_for_status

    reader = _canceller(dsn, config_path, None, None)
    out = Console(highlight=False)
    rows: list[tuple[str, MessageStatus | Exception]] = []
    code = OK
    with reader:
        for ref in refs:
            read: MessageStatus | Exception
            try:
                read = reader.status(ref)
            except UnsendError as error:
                read = error
            code = worse(code, code_for_status(read))
            if as_json_lines:
                if isinstance(read, MessageStatus):
                    line = read.to_dict()
                else:
                    line = {
                        "ref": ref,
                        "error": {"type": type(read).__name__, "message": str(read)},
                    }
                sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            rows.append((ref, read))
    if not as_json_lines:
        out.print(status_table(rows, width=out.width))
    sys.exit(code)


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Bind address (loopback by default)."
)
@click.option("--port", default=8288, show_default=True, type=click.IntRange(0, 65535))
@click.option("--seed", default=0, show_default=True, help="Seed of the fault generator.")
def emulator(host: str, port: int, seed: int) -> None:
    """Run the local emulator of every provider unsend has."""
    try:
        from ..emulator import serve
        from ..emulator._app import development_banner
    except ImportError:
        _fail("the emulator needs its extra: pip install 'unsend[emulator]'")
    click.echo(development_banner(f"http://{host}:{port}"), err=True)
    serve(host, port, seed=seed)


@cli.command()
def demo() -> None:
    """Schedule and cancel messages at every provider on the built-in emulator."""
    try:
        from ._demo import run
    except ImportError:
        _fail("the demo needs the emulator extra: pip install 'unsend[cli,emulator]'")
    sys.exit(run(Console(highlight=False)))
