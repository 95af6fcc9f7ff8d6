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
    """Messages of an mbox (mboxrd/mboxo): separator lines dropped, `>From ` unescaped.

    A separator is a `From ` line of the mbox form at the start, after a blank line or right
    after another separator. Only the lines that start with `From ` are looked at (found by
    one search over the bytes), not every line: a folder of one-message files that each begin
    with a `From ` line (what many tools save) is read at the speed of the disk.
    """
    cut = 0  # where the current message starts
    after_separator = 0  # where the last accepted separator line ended
    for pos in _from_lines(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        if not _MBOX_SEPARATOR.match(data[pos:end].rstrip(b"\r\n")):
            continue
        if pos not in (0, after_separator) and not _after_blank_line(data, pos):
            continue
        if pos > cut:
            yield _finish_bytes(data[cut:pos])
        cut = after_separator = end
    if len(data) > cut:
        yield _finish_bytes(data[cut:])


def _from_lines(data: bytes) -> Iterator[int]:
    """Where each line that starts with `From ` starts (bytes.find: a regular expression
    anchored at line starts tries every position of the text)."""
    if data.startswith(b"From "):
        yield 0
    pos = data.find(b"\nFrom ")
    while pos >= 0:
        yield pos + 1
        pos = data.find(b"\nFrom ", pos + 1)
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def _after_blank_line(data: bytes, pos: int) -> bool:
    """The line before `pos` (a line start) holds only whitespace."""
    start = data.rfind(b"\n", 0, pos - 1) + 1
    return not data[start:pos].strip()


def _finish_bytes(message: bytes) -> bytes:
    """One message: `>From ` unescaped, the blank line before the next separator dropped."""
    if b">From " in message:
        message = _ESCAPED_FROM.sub(rb"\1", message)
    last = message.rfind(b"\n", 0, len(message) - 1) + 1
    if message and not message[last:].strip():
        message = message[:last]
    return message
