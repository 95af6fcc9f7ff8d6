"""Starting the service when the tray app finds none running.

The service is started detached (its own session, no terminal, output to its log file) so it
keeps watching after the tray app quits: the service is the product, the tray only a view.
"""

from __future__ import annotations

import os
import subprocess
import sys

# `ndrguard run` serves the local API itself; through the module, not the `ndrguard` script,
# so that the service runs on this very interpreter and package, wherever the script is.
SERVICE_COMMAND = [sys.executable, "-m", "ndrguard.service.cli.main", "run"]


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
