"""Reading messages from what a user points the CLI at: files, folders, mbox files, stdin.

A folder is walked recursively (Maildirs are folders of one-message files); a file that starts
with an mbox `From ` line and holds more than one message is split. Errors are yielded, not
raised, so one unreadable file never stops a run over thousands.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# An mbox separator: "From " + sender + a date. Requiring something date-like after the
# sender keeps a body line that starts with "From " from splitting a message in two.
_MBOX_SEPARATOR = re.compile(rb"^From \S+ +\S.*\d\d:\d\d(:\d\d)?.*$")
_SKIP_NAMES = {".DS_Store", "dovecot-uidlist", "dovecot-keywords", "dovecot.index",
               "dovecot.index.log", "dovecot.index.cache", "maildirfolder", "subscriptions"}


@dataclass(frozen=True, slots=True)
class Item:
    """One message, or the error that kept it from being read."""

    name: str  # file path, "path:N" for the N-th message of an mbox, or "-"
    data: bytes | None
    error: str | None = None


def read_all(paths: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Item]:
    for arg in paths:
        if arg == "-":
            stream = stdin or sys.stdin.buffer
            yield from _split_if_mbox("-", stream.read())
            continue
        path = Path(arg)
        if path.is_dir():
            yield from _walk(path)
        else:
            yield from _read_file(path)


def _walk(root: Path) -> Iterator[Item]:
    def fail(err: OSError) -> None:
        raise err

    try:
        for dirpath, dirnames, filenames in os.walk(root, onerror=fail):
            dirnames.sort()
            for name in sorted(filenames):
                if name in _SKIP_NAMES or name.startswith("dovecot"):
                    continue
                yield from _read_file(Path(dirpath) / name)
    except OSError as exc:
        yield Item(str(root), None, f"cannot read folder: {exc.strerror or exc}")


def _read_file(path: Path) -> Iterator[Item]:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        yield from _walk(path)
        return
    except OSError as exc:
        yield Item(str(path), None, f"cannot read: {exc.strerror or exc}")
        return
    yield from _split_if_mbox(str(path), data)


def _split_if_mbox(name: str, data: bytes) -> Iterator[Item]:
    if not data.startswith(b"From "):
        yield Item(name, data)
        return
    messages = list(split_mbox(data))
    if len(messages) == 1:
        yield Item(name, messages[0])
        return
    for i, msg in enumerate(messages, 1):
        yield Item(f"{name}:{i}", msg)


def split_mbox(data: bytes) -> Iterator[bytes]:
    """Messages of an mbox (mboxrd/mboxo): separator lines dropped, `>From ` unescaped."""
    current: list[bytes] = []
    for line in data.splitlines(keepends=True):
        if _MBOX_SEPARATOR.match(line.rstrip(b"\r\n")) and (not current or _blank(current[-1])):
            if current:
                yield _finish(current)
            current = []
            continue
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]
        current.append(line)
    if current:
        yield _finish(current)


def _blank(line: bytes) -> bool:
    return not line.strip()


def _finish(lines: list[bytes]) -> bytes:
    if lines and _blank(lines[-1]):
        lines = lines[:-1]  # the blank line before a separator belongs to the mbox
    return b"".join(lines)
