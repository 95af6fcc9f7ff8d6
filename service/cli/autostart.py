"""`ndrguard autostart enable|disable|status|desktop`: run ndrguard at login
(service/autostart.py)."""

from __future__ import annotations

import argparse
import json
import os

from ndrguard.service import autostart
from ndrguard.service.cli import common as cli_common


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "autostart",
        help="start the service (or the tray app) at login",
        description="Write (or remove) the file that starts ndrguard at login: a systemd user "
        "unit or an XDG autostart entry on Linux, a LaunchAgent on macOS, a Startup-folder "
        "command on Windows. On Linux, enable (and `desktop`) also install the application "
        "entry ndrguard-tray.desktop and its icon, which the tray's notifications name.",
    )
    p.add_argument("action", choices=("enable", "disable", "status", "desktop"))
    p.add_argument("--tray", action="store_true", help="the tray app instead of the service")
    p.add_argument("--json", action="store_true", help="with status: the files as JSON")
    p.add_argument(
        "--no-notify",
        action="store_true",
        help="only write or remove the file; do not call systemctl or launchctl",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    program = "tray" if args.tray else "service"
    if args.action == "status" and args.json:
        found = [{"path": str(e.path), "installed": e.path.exists()}
                 for e in autostart.entries(program)]  # fmt: skip
        print(json.dumps({"version": 1, "program": program, "entries": found}))
        return 0
    if args.action == "status":
        for entry in autostart.entries(program):
            state = "installed" if entry.path.exists() else "not installed"
            print(f"{program}: {entry.path} ({state})")
        return 0
    try:
        if args.action == "desktop":
            lines = autostart.install_desktop_files() or ["no desktop entry on this platform"]
        elif args.action == "enable":
            home = os.environ.get("NDRGUARD_HOME")
            lines = autostart.enable(
                program, os.path.abspath(home) if home else None, tell_system=not args.no_notify
            )
        else:
            lines = autostart.disable(program, tell_system=not args.no_notify)
    except autostart.AutostartError as err:
        return cli_common.fail(err)
    print("\n".join(lines))
    return 0
