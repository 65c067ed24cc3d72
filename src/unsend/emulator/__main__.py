"""``python -m unsend.emulator [--host H] [--port P] [--seed N]``"""

from __future__ import annotations

import argparse
import sys

from ._app import development_banner
from ._server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m unsend.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default: loopback)")
    parser.add_argument("--port", type=int, default=8288)
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault generator")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--quiet", action="store_true", help="no banner (for programs)")
    args = parser.parse_args(argv)
    if not args.quiet:
        print(development_banner(f"http://{args.host}:{args.port}"), file=sys.stderr)
    serve(args.host, args.port, seed=args.seed, log_level=args.log_level)


if __name__ == "__main__":
    main()
