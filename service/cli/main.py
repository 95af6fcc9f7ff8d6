"""The `ndrguard` command line.

Each command lives in its own module and registers itself with `add_parser(subparsers)`;
this module only builds the parser and maps errors to exit codes, so that `ndrguard --help`
reads like a table of contents.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ndrguard import __version__
from ndrguard.service.cli import account as account_cli
from ndrguard.service.cli import autostart as autostart_cli
from ndrguard.service.cli import batv as batv_cli
from ndrguard.service.cli import classify as classify_cli
from ndrguard.service.cli import demo as demo_cli
from ndrguard.service.cli import run as run_cli
from ndrguard.service.cli import scan as scan_cli
from ndrguard.service.cli import status as status_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ndrguard",
        description="Find backscatter (bounces for mail you never sent) and keep it out of "
        "your inbox.",
    )
    parser.add_argument("--version", action="version", version=f"ndrguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    classify_cli.add_parser(sub)
    demo_cli.add_parser(sub)
    scan_cli.add_parser(sub)
    account_cli.add_parser(sub)
    status_cli.add_parser(sub)
    run_cli.add_parser(sub)
    batv_cli.add_parser(sub)
    autostart_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ndrguard classify ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
