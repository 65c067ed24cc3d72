"""The ``unsend`` command (``pip install 'unsend[cli]'``): cancel, emulator, demo."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    try:
        from ._app import cli
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        print(
            f"the unsend command needs the cli extra: pip install 'unsend[cli]' ({exc})",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    cli.main(args=argv, prog_name="unsend")
