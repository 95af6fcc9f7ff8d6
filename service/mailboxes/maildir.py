"""A local Maildir++ as a Mailbox: for mail synced by mbsync or offlineimap, and for the demo.

Layout (Maildir++, as Dovecot, mbsync and offlineimap write it): the root's cur/new/tmp is the
INBOX, a folder "A/B" lives in the root's ".A.B". Maildir has no UIDs, so this backend numbers
each file the first time it sees it and keeps the numbers in the state database; the numbering
never restarts, so its UIDVALIDITY is a constant.

A move is one rename(2) into the destination's cur/ or new/, which is atomic on one filesystem:
after a crash a message is in exactly one of the two folders. mbsync's ",U=n" is dropped from
the name on the way, as mbsync asks of anyone who moves its files, so it uploads the moved
message instead of mistaking it for the one it knew.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ndrguard.service.mailboxes.base import (
    PEEK_BYTES,
    Claims,
    FolderMissing,
    FolderStatus,
    Head,
    MailboxError,
    header_block,
    header_value,
    looks_like_candidate,
)
from ndrguard.service.store.state import State

UIDVALIDITY = 1
_HEADER_READ = 64 * 1024  # enough for any header block a bounce has; the body is not needed
_MBSYNC_UID = re.compile(r",U=\d+")


class MaildirMailbox:
    """See the module docstring. `state` and `account` hold this backend's UID numbering."""

    def __init__(self, root: Path, state: State, account: str) -> None:
        if not (root / "cur").is_dir():
            raise FolderMissing(f"{root} is not a Maildir (it has no cur/ folder)")
        self.root = root
        self._state = state
        self._account = account
        self._changed = threading.Event()
        self._observer: Observer | None = None  # type: ignore[valid-type]
        self.pushes = True
        self.renew_at: float | None = None

    # -- paths and numbering ---------------------------------------------------------------

    def _dir(self, folder: str) -> Path:
        if folder.upper() == "INBOX":
            return self.root
        return self.root / ("." + folder.replace("/", "."))

    def _files(self, folder: str) -> dict[str, Path]:
        """Unique name (before ":2,") -> path, for every message file in `folder`."""
        base = self._dir(folder)
        if not (base / "cur").is_dir():
            raise FolderMissing(f"the folder {folder!r} does not exist in {self.root}")
        out: dict[str, Path] = {}
        for sub in ("new", "cur"):
            try:
                entries = os.scandir(base / sub)
            except FileNotFoundError:
                continue
            with entries:
                for entry in entries:
                    if not entry.name.startswith(".") and entry.is_file():
                        out[entry.name.split(":", 1)[0]] = Path(entry.path)
        return out

    def _numbered(self, folder: str) -> tuple[dict[int, Path], int]:
        """UID -> path for what is in `folder` now, numbering newcomers; and the next UID."""
        files = self._files(folder)
        known = self._state.maildir_uids(self._account, folder)
        fresh = sorted(
            (n for n in files if n not in known), key=lambda n: (_mtime(files[n]), n)
        )
        next_uid = max(
            self._state.maildir_next_uid(self._account, folder),
            max(known.values(), default=0) + 1,
        )
        if fresh:
            assigned = {name: next_uid + i for i, name in enumerate(fresh)}
            self._state.add_maildir_uids(self._account, folder, assigned)
            known.update(assigned)
            next_uid += len(fresh)
        return {known[n]: p for n, p in files.items()}, next_uid

    # -- Mailbox ---------------------------------------------------------------------------

    def status(self, folder: str) -> FolderStatus:
        _, next_uid = self._numbered(folder)
        return FolderStatus(UIDVALIDITY, next_uid)

    def uids(self, folder: str, above: int = 0) -> list[int]:
        by_uid, _ = self._numbered(folder)
        return sorted(u for u in by_uid if u > above)

    def candidates(self, folder: str, above: int = 0) -> list[int]:
        by_uid, _ = self._numbered(folder)
        return [
            uid
            for uid in sorted(u for u in by_uid if u > above)
            if (start := _read_start(by_uid[uid])) is not None and looks_like_candidate(start)
        ]

    def headers(self, folder: str, uids: Sequence[int]) -> Mapping[int, bytes]:
        by_uid, _ = self._numbered(folder)
        out = {}
        for uid in uids:
            if uid in by_uid and (head := _read_head(by_uid[uid])) is not None:
                out[uid] = head
        return out

    def heads(self, folder: str, uids: Sequence[int]) -> Mapping[int, Head]:
        """Headers without a date: a file's mtime is when mbsync or offlineimap copied it,
        which for a first sync is the day of the sync, not of the delivery. The verdict then
        falls back to the headers (deciding.arrival)."""
        return {uid: Head(block, None) for uid, block in self.headers(folder, uids).items()}

    def fetch(self, folder: str, uids: Sequence[int]) -> Mapping[int, bytes]:
        by_uid, _ = self._numbered(folder)
        out = {}
        for uid in uids:
            if uid in by_uid:
                try:
                    out[uid] = by_uid[uid].read_bytes()
                except FileNotFoundError:
                    continue  # moved away by another program just now
        return out

    def sizes(self, folder: str, uids: Sequence[int]) -> Mapping[int, int]:
        by_uid, _ = self._numbered(folder)
        out = {}
        for uid in uids:
            if uid in by_uid:
                try:
                    out[uid] = by_uid[uid].stat().st_size
                except FileNotFoundError:
                    continue
        return out

    def folders(self) -> list[str]:
        """INBOX and every Maildir++ subfolder (".A.B" is "A/B")."""
        found = ["INBOX"]
        for child in sorted(self.root.iterdir()):
            if child.name.startswith(".") and (child / "cur").is_dir():
                found.append(child.name[1:].replace(".", "/"))
        return found

    def search_header(self, folder: str, name: str, value: str) -> list[int]:
        """A read of each header block: a Maildir has no index to ask."""
        wanted = value.lower()
        return sorted(
            uid
            for uid, block in self.headers(folder, self.uids(folder)).items()
            if wanted in (header_value(block, name) or "").lower()
        )

    def move(self, folder: str, uids: Sequence[int], dest: str) -> Mapping[int, int]:
        by_uid, _ = self._numbered(folder)
        dest_dir = self._dir(dest)
        if not (dest_dir / "cur").is_dir():
            raise FolderMissing(f"the folder {dest!r} does not exist in {self.root}")
        moved: dict[int, int] = {}
        _, dest_next = self._numbered(dest)
        for uid in uids:
            src = by_uid.get(uid)
            if src is None:
                continue
            target = dest_dir / src.parent.name / _MBSYNC_UID.sub("", src.name)
            # The destination's number is written before the rename: a crash in between leaves
            # a number for a file that is not there, which is ignored, never a file without one.
            self._state.add_maildir_uids(
                self._account, dest, {target.name.split(":", 1)[0]: dest_next}
            )
            try:
                os.rename(src, target)
            except FileNotFoundError:
                continue
            except OSError as err:
                raise MailboxError(f"cannot move {src} to {dest}: {err.strerror}") from err
            self._state.drop_maildir_uids(self._account, folder, [src.name.split(":", 1)[0]])
            moved[uid] = dest_next
            dest_next += 1
        return moved

    def claim(self, folder: str, uids: Sequence[int], owner: str) -> Claims:
        """Nothing to mark: a move is one rename(2), and of two installations renaming one
        file only one succeeds (the other finds it gone and says so)."""
        return Claims(frozenset(uids))

    def remove_copied(self, folder: str, uids: Sequence[int], dest: str) -> None:
        """A rename cannot leave two copies, so this only runs if someone else copied the file:
        the original is removed only when a byte-identical file is in `dest`."""
        by_uid, _ = self._numbered(folder)
        copies = {p.read_bytes() for p in self._files(dest).values()}
        for uid in uids:
            path = by_uid.get(uid)
            if path is not None and path.read_bytes() in copies:
                path.unlink()
                self._state.drop_maildir_uids(self._account, folder, [path.name.split(":")[0]])

    def ensure_folder(self, name: str) -> None:
        base = self._dir(name)
        for sub in ("tmp", "new", "cur"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        (base / "maildirfolder").touch()

    def special_folder(self, use: str) -> str | None:
        """Maildir has no SPECIAL-USE flags; the usual names stand in for them."""
        names = {"\\Sent": ("Sent", "Sent Messages", "Sent Items"), "\\Junk": ("Junk", "Spam")}
        for name in names.get(use, ()):
            if (self._dir(name) / "cur").is_dir():
                return name
        return None

    def wait_for_change(self, folder: str, timeout: float, stop: threading.Event) -> bool:
        """Wait on watchdog events for the folder's new/ and cur/ (started on first use)."""
        if self._observer is None:
            self._watch(folder)
        deadline = timeout
        step = 0.2
        while deadline > 0 and not stop.is_set():
            if self._changed.wait(min(step, deadline)):
                self._changed.clear()
                return True
            deadline -= step
        return False

    def close(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    def _watch(self, folder: str) -> None:
        changed = self._changed

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in ("created", "moved", "deleted"):
                    changed.set()

        observer = Observer()
        for sub in ("new", "cur"):
            observer.schedule(Handler(), str(self._dir(folder) / sub), recursive=False)
        observer.daemon = True
        observer.start()
        self._observer = observer
        # Mail delivered after the last pass listed the folder but before the watch began
        # raised no event: one more pass finds it (else it waited for the poll timeout).
        changed.set()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _read_start(path: Path) -> bytes | None:
    """The headers and the first PEEK_BYTES of the body, as the candidate test reads them."""
    try:
        with path.open("rb") as f:
            return f.read(_HEADER_READ + PEEK_BYTES)
    except FileNotFoundError:
        return None


def _read_head(path: Path) -> bytes | None:
    try:
        with path.open("rb") as f:
            data = f.read(_HEADER_READ)
    except FileNotFoundError:
        return None
    return header_block(data)
