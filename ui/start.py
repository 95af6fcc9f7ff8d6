"""`ndrguard-tray`'s command line, read before Qt is imported: `--version` and
`--install-desktop-entry` answer at once, without loading PySide6 or needing a display."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence

from ndrguard import __version__


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ndrguard-tray", description="The ndrguard tray app.")
    parser.add_argument("--version", action="version", version=f"ndrguard-tray {__version__}")
    parser.add_argument(
        "--no-start-service",
        action="store_true",
        help="do not start the service when none is running",
    )
    parser.add_argument(
        "--quiet-hours",
        metavar="H-H",
        help="no pop-ups between these hours, e.g. 22-7 (told afterwards)",
    )
    parser.add_argument("--config", help="the config file (as for `ndrguard`)")
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="install ndrguard-tray.desktop and its icon for this user (the entry the "
        "notifications name), then exit",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.install_desktop_entry:
        # The service's own command writes the entry: the tray never reaches into the
        # service's modules except through the API client and protocol.
        from ndrguard.ui.launcher import DESKTOP_COMMAND

        return subprocess.run(DESKTOP_COMMAND, check=False).returncode
    from ndrguard.ui.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
