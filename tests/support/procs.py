"""Process and port helpers shared by the test controllers (Exim, Dovecot).

The controllers start real daemons. Three rules keep a test run from leaving anything behind or
touching anything but this machine:

- every address is loopback: `free_port` binds 127.0.0.1 (or ::1) only;
- every wait is bounded: `wait_until` takes a deadline and raises when it passes;
- every daemon is started in a session of its own, so that all of its children (Exim's delivery
  processes, Dovecot's imap sessions) can be found and killed together even after the leader
  died; every live controller is registered so that `atexit` stops it if a test run is
  interrupted before the fixtures' finalisers ran, and a watchdog process kills the sessions
  left over if the test process itself is killed.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

T = TypeVar("T")

LOOPBACK_V4 = "127.0.0.1"
LOOPBACK_V6 = "::1"


class HarnessError(RuntimeError):
    """A test daemon could not be started, did not answer in time, or failed a command.

    The message carries the tail of the daemon's log, because a bare "timed out" is useless when
    CI is the only place the failure happened.
    """


def free_port(host: str = LOOPBACK_V4) -> int:
    """Return a TCP port that is free on the loopback address `host` right now.

    The kernel picks it (bind to port 0), so parallel test runs do not collide on a fixed port.
    There is a short race between closing this socket and the daemon binding the port; the
    controllers retry a start on a new port when the bind fails.
    """
    if host not in (LOOPBACK_V4, LOOPBACK_V6) and not host.startswith("127."):
        raise ValueError(f"test daemons listen on loopback only, not {host!r}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_until(
    probe: Callable[[], T | None], *, timeout: float, interval: float = 0.01, what: str = ""
) -> T:
    """Call `probe` until it returns something other than None or False; bounded by `timeout`.

    Polling with a short interval is what makes the harness fast (a daemon is usually ready in
    tens of milliseconds) while the deadline keeps a broken daemon from hanging the run.
    """
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            result = probe()
        except OSError as e:  # connection refused while the daemon is still starting
            result = None
            last_error = e
        if result is not None and result is not False:
            return result
        if time.monotonic() >= deadline:
            extra = f" (last error: {last_error})" if last_error else ""
            raise HarnessError(f"timed out after {timeout:.1f}s waiting for {what}{extra}")
        time.sleep(interval)
        interval = min(interval * 1.5, 0.2)


def read_banner(host: str, port: int, *, timeout: float = 2.0) -> bytes:
    """Connect to `host`:`port` and return the first line the server sends (SMTP/IMAP greeting)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(1024)
            if not chunk:
                break
            data += chunk
        return data


def session_pids(sid: int) -> list[int]:
    """All live processes whose session id is `sid` (Linux /proc).

    The controllers start each daemon with start_new_session=True, so the daemon's pid is the
    session id of every process it forks, and they stay findable after the leader is killed
    (Dovecot's imap sessions survive their master's SIGKILL).
    """
    pids: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: fall back to the leader's process group below
        return pids
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        # fields[0] is the state, [1] ppid, [2] pgrp, [3] session.
        if len(fields) > 3 and int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def signal_session(sid: int, sig: int) -> list[int]:
    """Send `sig` to every process of session `sid` (and its process group); return the pids."""
    pids = session_pids(sid)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(sid, sig)
    return pids


def kill_session(sid: int, *, timeout: float = 5.0) -> None:
    """SIGKILL every process of session `sid` and wait (bounded) until none is left.

    A stopped (SIGSTOPped) process dies of SIGKILL too, so this also cleans up a frozen daemon.
    """
    deadline = time.monotonic() + timeout
    while True:
        if not signal_session(sid, signal.SIGKILL):
            return
        if time.monotonic() >= deadline:
            raise HarnessError(f"processes of session {sid} survived SIGKILL")
        time.sleep(0.02)


# The watchdog: a separate little process that holds the read end of a pipe from the test
# process. When the test process dies, however it dies (a CI timeout's SIGKILL included), the
# pipe reaches EOF and the watchdog kills every daemon session still registered, removes their
# temp dirs, then exits.
# It runs in a session of its own so that a signal to the test runner's process group does not
# take it down before it has done its job.
_WATCHDOG = r"""
import os, shutil, signal, sys, time
sids = {}
for line in sys.stdin:
    sid, _, path = line.rstrip("\n").partition("\t")
    if sid[:1] == "+":
        sids[int(sid[1:])] = path
    elif sid[:1] == "-":
        sids.pop(int(sid[1:]), None)
def members(sid):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = open("/proc/%s/stat" % name).read()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            if len(fields) > 3 and int(fields[3]) == sid and fields[0] != "Z":
                out.append(int(name))
    return out
for _ in range(50):
    left = [pid for sid in sids for pid in members(sid)]
    if not left:
        break
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.05)
for path in sids.values():
    if path:
        shutil.rmtree(path, ignore_errors=True)
"""

_watchdog: subprocess.Popen[bytes] | None = None


def watch(sid: int, workdir: Path | None = None) -> None:
    """Have the watchdog kill session `sid`, and remove `workdir`, if the test process dies
    without closing the controller."""
    global _watchdog
    if not Path("/proc").is_dir():
        return  # the watchdog finds processes through /proc
    if _watchdog is None or _watchdog.poll() is not None:
        _watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    _tell_watchdog(f"+{sid}\t{workdir or ''}")


def unwatch(sid: int) -> None:
    """The session `sid` was stopped properly; the watchdog can forget it."""
    _tell_watchdog(f"-{sid}")


def _tell_watchdog(line: str) -> None:
    if _watchdog is None or _watchdog.stdin is None:
        return
    with contextlib.suppress(OSError, ValueError):
        _watchdog.stdin.write(line.encode() + b"\n")
        _watchdog.stdin.flush()


def tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines of a log file, for error messages; empty when there is none."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class Closable(Protocol):
    """What the atexit safety net needs of a controller: stop everything, remove the temp dir."""

    def close(self) -> None: ...


# Strong references: a controller that a test dropped without closing must still be found.
_live: set[Closable] = set()


def register(controller: Closable) -> None:
    """Remember a started controller so that `atexit` stops it if no finaliser did."""
    _live.add(controller)


def unregister(controller: Closable) -> None:
    """Forget a controller that has been closed."""
    _live.discard(controller)


@atexit.register
def _stop_all() -> None:
    """Safety net: a KeyboardInterrupt or a crashed fixture must not leave daemons running."""
    for controller in list(_live):
        with contextlib.suppress(Exception):
            controller.close()
    if _watchdog is not None and _watchdog.stdin is not None:
        with contextlib.suppress(OSError):
            _watchdog.stdin.close()  # EOF: it kills what is left (nothing, normally) and exits
        with contextlib.suppress(subprocess.TimeoutExpired):
            _watchdog.wait(timeout=5)


def is_root() -> bool:
    """True when running as root (as CI does): the daemons then drop to their service users."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def chown_tree(root: Path, uid: int, gid: int) -> None:
    """Give a whole temp tree to the daemon's unprivileged user (only meaningful as root)."""
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)
