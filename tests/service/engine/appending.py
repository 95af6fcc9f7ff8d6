"""Thousands of messages into the test Dovecot quickly, with the UID each one got.

The whole-corpus tests put some 2,000 messages into a mailbox. One APPEND per round trip would
spend most of a CI minute waiting on the network; LITERAL+ (RFC 7888) lets the client send each
literal without waiting for the server's "+", and a window of commands in flight lets the
server set the pace. Each tagged OK carries APPENDUID (RFC 4315), so the caller knows which UID
holds which file and can name the file when the service does something else with it.

The bytes go as given: a test that wants CRLF converts them itself (the prefilter test sends
LF, CRLF and CR-only forms of the same message on purpose).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import BinaryIO

from tests.support.dovecot import Account, Dovecot

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def imap_date(stamp: datetime) -> str:
    """An IMAP date-time (RFC 3501 `date-time`) for APPEND's INTERNALDATE argument."""
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    offset = stamp.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return (
        f"{stamp.day:02d}-{_MONTHS[stamp.month - 1]}-{stamp.year:04d} "
        f"{stamp.hour:02d}:{stamp.minute:02d}:{stamp.second:02d} "
        f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
    )


def append_many(
    server: Dovecot,
    login: Account,
    messages: Sequence[bytes],
    *,
    folder: str = "INBOX",
    arrived: Sequence[datetime | None] | None = None,
    window: int = 100,
) -> list[int]:
    """APPEND `messages` (as given) to `folder`, creating it; the UID of each, in order.

    `arrived[i]` becomes message i's INTERNALDATE (when a real server delivered it), so that
    the service judges a BATV tag's age on the same day a saved file is judged on.
    """
    sock = socket.create_connection((server.host, server.imap_port), timeout=120)
    reader = sock.makefile("rb")
    uids: list[int] = []
    try:
        reader.readline()  # greeting
        sock.sendall(f'L LOGIN "{login.user}" "{login.password}"\r\n'.encode())
        _tagged(reader, b"L")
        sock.sendall(f'C CREATE "{folder}"\r\n'.encode())
        _tagged(reader, b"C", allow_no=True)  # NO [ALREADYEXISTS] is fine
        sent = 0
        while len(uids) < len(messages):
            while sent < len(messages) and sent - len(uids) < window:
                raw = messages[sent]
                when = arrived[sent] if arrived is not None else None
                date = f' "{imap_date(when)}"' if when is not None else ""
                sock.sendall(b'A%d APPEND "%s"%s {%d+}\r\n%s\r\n'
                             % (sent, folder.encode(), date.encode(), len(raw), raw))  # fmt: skip
                sent += 1
            line = _tagged(reader, b"A%d" % len(uids))
            found = re.search(rb"\[APPENDUID \d+ (\d+)\]", line)
            if found is None:
                raise AssertionError(f"no APPENDUID in the server's answer: {line!r}")
            uids.append(int(found.group(1)))
        sock.sendall(b"Z LOGOUT\r\n")
        return uids
    finally:
        reader.close()
        sock.close()


def _tagged(reader: BinaryIO, tag: bytes, *, allow_no: bool = False) -> bytes:
    """The tagged answer `tag`; anything but OK (or NO, when allowed) fails the test."""
    while True:
        line = reader.readline()
        if not line:
            raise ConnectionError(f"the server closed the connection before {tag!r}")
        if line.startswith(tag + b" "):
            if line.startswith(tag + b" OK") or (allow_no and line.startswith(tag + b" NO")):
                return line
            raise AssertionError(f"the server refused {tag!r}: {line!r}")
