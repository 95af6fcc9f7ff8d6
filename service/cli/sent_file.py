"""The Sent index for `ndrguard classify --sent`: from a list, a Maildir or an mbox.

A user who runs the CLI over saved bounces has their Sent mail in one of three forms: a text
file of Message-IDs (one per line, as `ndrguard` or a script exported them), a Maildir synced
by mbsync/offlineimap, or an mbox exported by a mail client. Only the Message-ID header of each
message is read.
"""

from __future__ import annotations

from pathlib import Path

from ndrguard.errors import NdrguardError
from ndrguard.headers import Headers, message_ids
from ndrguard.mail import normalise_newlines, split_head
from ndrguard.sent_index import FrozenSentIndex
from ndrguard.service.cli.sources import read_all


class SentFileError(NdrguardError):
    """The --sent path cannot be used; the message says why, for the user."""

    title = "Sent mail unreadable"


def load_sent(path: Path) -> FrozenSentIndex:
    if not path.exists():
        raise SentFileError(f"{path}: no such file or folder")
    if path.is_file() and not _looks_like_mail(path):
        return FrozenSentIndex(_ids_from_list(path))
    ids: list[str] = []
    for item in read_all([str(path)]):
        if item.data is None:
            raise SentFileError(f"{item.name}: {item.error}")
        head, _ = split_head(normalise_newlines(item.data[:65536]))
        ids.extend(message_ids(Headers.parse(head).get("message-id")))
    return FrozenSentIndex(ids)


def _looks_like_mail(path: Path) -> bool:
    with path.open("rb") as f:
        start = f.read(4096)
    if start.startswith(b"From "):
        return True
    head, _ = split_head(normalise_newlines(start))
    return "message-id" in Headers.parse(head) and b"\n\n" in normalise_newlines(start)


def _ids_from_list(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SentFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.extend(message_ids(line) or [line])
    return out
