"""`ndrguard autostart enable|disable|status`: run ndrguard at login (see service/autostart.py)."""

from __future__ import annotations

import argparse
import os

from ndrguard.service import autostart


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "autostart",
        help="start the service (or the tray app) at login",
        description="Write (or remove) the file that starts ndrguard at login: a systemd user "
        "unit or an XDG autostart entry on Linux, a LaunchAgent on macOS, a Startup-folder "
        "command on Windows.",
    )
    p.add_argument("action", choices=("enable", "disable", "status"))
    p.add_argument("--tray", action="store_true", help="the tray app instead of the service")
    p.add_argument(
        "--no-notify",
        action="store_true",
        help="only write the file; do not call systemctl or launchctl",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    program = "tray" if args.tray else "service"
    if args.action == "status":
        for entry in autostart.entries(program):
            state = "installed" if entry.path.exists() else "not installed"
            print(f"{program}: {entry.path} ({state})")
        return 0
    if args.action == "enable":
        lines = autostart.enable(
            program, os.environ.get("NDRGUARD_HOME"), tell_system=not args.no_notify
        )
    else:
        lines = autostart.disable(program)
    print("\n".join(lines))
    return 0
