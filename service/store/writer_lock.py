"""One writer per state: an exclusive OS lock beside the state database.

SQLite keeps two writers from corrupting the file, not from doing the same work twice: a
`scan` beside a `run` on one home judged 563 messages twice, moved 15 twice and counted 2,131
for 2,000. So whatever changes the state or the mail (`run`, `scan`, and `restore`,
`mark-legitimate`, `rejudge` when no service runs; with one running they go through its API)
first takes this lock, and a second writer is refused with the first one's name and pid.

The lock is the kernel's (flock on POSIX, a byte-range lock on Windows), so it dies with its
process: a SIGKILLed service never leaves a stale lock behind, and no pid file has to be
trusted. The holder's pid, command and start time are written into the lock file only so that
the refusal can name it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import IO

from ndrguard.service.store.state import StateError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

# On Windows the locked byte lies past the holder's description, which others must read.
_WINDOWS_LOCK_OFFSET = 1 << 20


class WriterBusy(StateError):
    """Another ndrguard process is writing to this state; the message names it."""

    title = "Another ndrguard is running"


def lock_path(state_file: Path) -> Path:
    return state_file.with_name(state_file.name + ".lock")


class WriterLock:
    """Held from `acquire()` until `release()` or the process ends."""

    def __init__(self, state_file: Path, command: str) -> None:
        self.path = lock_path(state_file)
        self.command = command
        self._file: IO[bytes] | None = None

    def acquire(self) -> WriterLock:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        f = os.fdopen(fd, "r+b")
        if not _try_lock(f):
            holder = _describe(f.read(4096))
            f.close()
            raise WriterBusy(
                f"{holder} is already working on {self.path.parent} (the lock {self.path.name} "
                f"is held); `ndrguard {self.command}` was not started, so that no message is "
                "judged or moved twice. Wait for it to finish, or stop it first."
            )
        f.seek(0)
        f.truncate()
        f.write(json.dumps(
            {"pid": os.getpid(), "command": self.command, "since": time.time()}
        ).encode())  # fmt: skip
        f.flush()
        self._file = f
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the lock
            self._file = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _try_lock(f: IO[bytes]) -> bool:
    try:
        if sys.platform == "win32":
            f.seek(_WINDOWS_LOCK_OFFSET)
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            f.seek(0)
        else:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.seek(0)
        return False
    return True


def _describe(text: bytes) -> str:
    """'`ndrguard run` (pid 1234, since 18:02:11)' from the lock file's contents."""
    try:
        holder = json.loads(text.decode("utf-8"))
        since = time.strftime("%H:%M:%S", time.localtime(float(holder["since"])))
        return f"`ndrguard {holder['command']}` (pid {int(holder['pid'])}, since {since})"
    except (ValueError, KeyError, TypeError):
        return "another ndrguard process"
