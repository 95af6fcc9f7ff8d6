"""Pure helpers for the IMAP backend: UID sets, COPYUID, server words to error types.

Kept free of sockets (imapclient's split) so that the parsing every move depends on is tested
on bytes alone, and the connection class stays thin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ndrguard.service.mailboxes.base import (
    AuthFailed,
    FolderMissing,
    MailboxError,
    QuotaExceeded,
)

_COPYUID = re.compile(rb"COPYUID\s+(\d+)\s+([0-9:,]+)\s+([0-9:,]+)", re.IGNORECASE)


def expand_uid_set(text: bytes | str) -> list[int]:
    """`1:3,7` -> [1, 2, 3, 7], in the order written (RFC 4315 pairs them by position)."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition(":")
        a, b = int(lo), int(hi or lo)
        out += range(a, b + 1) if a <= b else range(a, b - 1, -1)
    return out


def parse_copyuid(responses: Iterable[bytes | str]) -> tuple[int | None, dict[int, int]]:
    """The destination UIDVALIDITY and source -> destination UIDs of COPYUID codes.

    Accepts what imaplib keeps: the bare code data of untagged `OK [COPYUID ...]` lines (a MOVE
    reports one per batch, sometimes several) or the text of a tagged COPY answer.
    """
    validity: int | None = None
    mapping: dict[int, int] = {}
    for item in responses:
        raw = item.encode() if isinstance(item, str) else item
        if b"COPYUID" not in raw.upper():  # imaplib keeps only the code's data
            raw = b"COPYUID " + raw
        for m in _COPYUID.finditer(raw):
            validity = int(m.group(1))
            src, dst = expand_uid_set(m.group(2)), expand_uid_set(m.group(3))
            mapping.update(zip(src, dst, strict=False))
    return validity, mapping


def uid_set(uids: Iterable[int]) -> str:
    """[1, 2, 3, 7] -> "1:3,7": a UID set as short as the runs in it allow."""
    runs: list[list[int]] = []
    for uid in sorted(set(uids)):
        if runs and uid == runs[-1][1] + 1:
            runs[-1][1] = uid
        else:
            runs.append([uid, uid])
    return ",".join(f"{a}:{b}" if a != b else str(a) for a, b in runs)


def batches(uids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    """UIDs in lists of at most `size`: longer command lines get `BAD Too long argument`."""
    for start in range(0, len(uids), size):
        yield list(uids[start : start + size])


def classify_no(text: str) -> type[MailboxError]:
    """The error type for a server's NO/BAD answer, from its response code or words."""
    upper = text.upper()
    if "OVERQUOTA" in upper or "QUOTA" in upper:
        return QuotaExceeded
    if "TRYCREATE" in upper or "NONEXISTENT" in upper or "MAILBOX DOESN'T EXIST" in upper:
        return FolderMissing
    if "AUTHENTICATIONFAILED" in upper or "AUTHORIZATIONFAILED" in upper:
        return AuthFailed
    return MailboxError
