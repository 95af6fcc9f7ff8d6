"""Starting the service when the tray app finds none running.

The service is started detached (its own session, no terminal, output to its log file) so it
keeps watching after the tray app quits: the service is the product, the tray only a view.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# `ndrguard run` serves the local API itself; through the module, not the `ndrguard` script,
# so that the service runs on this very interpreter and package, wherever the script is.
SERVICE_COMMAND = [sys.executable, "-m", "ndrguard.service.cli.main", "run"]


# The application entry (and icon) that the notifications' desktop-entry hint names, written
# by the service's own `autostart desktop` command (service/autostart.py holds the contents).
DESKTOP_ENTRY = "ndrguard-tray.desktop"
DESKTOP_COMMAND = [sys.executable, "-m", "ndrguard.service.cli.main", "autostart", "desktop"]


def desktop_entry_path() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "applications" / DESKTOP_ENTRY


def ensure_desktop_entry() -> subprocess.Popen[bytes] | None:
    """On Linux, install the entry and icon once when they are missing, in the background:
    a desktop shows a notification with the app's name and icon only when the entry its
    hint names exists (a pip install puts none there). Never replaces one that is there."""
    if not sys.platform.startswith("linux") or desktop_entry_path().exists():
        return None
    return subprocess.Popen(DESKTOP_COMMAND, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def start_service(extra_args: list[str] | None = None) -> subprocess.Popen[bytes]:
    kwargs: dict[str, object] = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    return subprocess.Popen(
        [*SERVICE_COMMAND, *(extra_args or [])],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
        **kwargs,  # type: ignore[call-overload]
    )
