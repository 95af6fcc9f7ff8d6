"""The small interface every mail store offers the service, and the errors it may raise.

The scanner, the journal and the worker speak only this interface, so the same code moves mail
on an IMAP server and in a local Maildir, and its crash rules are tested once for both. It is
deliberately narrow: UIDs in one folder at a time, header and whole-message fetches that never
set \\Seen, a move that reports where each message went, and a way to look a message up again
by its header fingerprint after a crash.

Errors are typed and carry words for the user (Maestral's way): the worker shows `title` and
`message` as the account's state, and decides from the type whether to back off, stop or retry.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Event
from typing import Protocol

from ndrguard.errors import NdrguardError
from ndrguard.headers import Headers
from ndrguard.mail import normalise_newlines, parse
from ndrguard.recognisers import triage


class MailboxError(NdrguardError):
    """Something a user can meet while ndrguard works on their mail; carries words for them."""

    title = "Mailbox problem"


class ConnectionLost(MailboxError):
    """The server went away, hung or could not be reached; the worker backs off and retries.

    `cause` says which, because the right retry differs: after "no-answer" (a black hole, a
    link down, a hung server), "unreachable" or "slept" the next attempt is a cheap quick
    probe, since the network usually comes back by itself; after "closed", "reset" or
    "refused" the server itself is down or busy and the backoff grows.
    """

    title = "Connection lost"

    def __init__(self, message: str, cause: str = "unknown") -> None:
        super().__init__(message)
        self.cause = cause


class CannotConnect(ConnectionLost):
    """No IMAP session could be set up at all (a name that does not resolve, a port where
    nothing or the wrong protocol answers): the message names the likely fix."""

    title = "Cannot connect"


class AuthFailed(MailboxError):
    """The server refused the login; retrying will not help until the user acts."""

    title = "Login failed"


class CertificateRejected(MailboxError):
    """The server's TLS certificate did not verify; ndrguard will not talk to it."""

    title = "Certificate rejected"


class TlsMissing(MailboxError):
    """The account asks for STARTTLS and the server did not offer it. A relay in the middle
    that deletes STARTTLS from the capabilities would otherwise read the password."""

    title = "Encryption refused"


class FolderMissing(MailboxError):
    """A folder the service needs does not exist and could not be created."""

    title = "Folder missing"


class QuotaExceeded(MailboxError):
    """The server is out of space for the destination folder; nothing was moved."""

    title = "Mailbox full"


@dataclass(frozen=True, slots=True)
class FolderStatus:
    uidvalidity: int
    uidnext: int


@dataclass(frozen=True, slots=True)
class Claims:
    """The answer to `Mailbox.claim`: what this installation may move, what another holds,
    and what both tried to take at once (each side leaves those for its next pass)."""

    mine: frozenset[int]
    others: frozenset[int] = frozenset()
    contested: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Head:
    """A message's header block and, where the store knows it, when it arrived."""

    block: bytes
    # IMAP's INTERNALDATE: set by the server on delivery, unlike the headers, which the
    # sender writes. None where the store has no trustworthy date (see maildir_backend).
    arrived: datetime | None


class Mailbox(Protocol):
    """One account's mail store. Not thread-safe: one worker thread owns one Mailbox."""

    # Whether wait_for_change hears of changes as they happen (IMAP IDLE, file events) or
    # only finds them by looking again every poll interval (servers without IDLE).
    pushes: bool
    # Wall-clock time after which the worker should log in afresh (an OAuth access token
    # about to expire), or None.
    renew_at: float | None

    def status(self, folder: str) -> FolderStatus:
        """UIDVALIDITY and UIDNEXT of `folder` (raises FolderMissing when it does not exist)."""
        ...

    def uids(self, folder: str, above: int = 0) -> list[int]:
        """UIDs in `folder` greater than `above`, ascending; \\Deleted ones left out."""
        ...

    def candidates(self, folder: str, above: int = 0) -> list[int]:
        """A cheap superset of the bounces among `uids(folder, above)`: worth a full fetch."""
        ...

    def headers(self, folder: str, uids: Sequence[int]) -> Mapping[int, bytes]:
        """The header block of each message that still exists (no \\Seen set)."""
        ...

    def heads(self, folder: str, uids: Sequence[int]) -> Mapping[int, Head]:
        """The header block and arrival time of each message that still exists (no \\Seen).

        What a verdict is judged on: BATV tags expire, so a bounce found by a catch-up weeks
        later must be judged on the day it arrived, not on the day the service first saw it.
        """
        ...

    def fetch(self, folder: str, uids: Sequence[int]) -> Mapping[int, bytes]:
        """The whole message of each that still exists (no \\Seen set)."""
        ...

    def sizes(self, folder: str, uids: Sequence[int]) -> Mapping[int, int]:
        """The size in bytes of each message that still exists: what whole fetches are
        batched by (a batch of 500 bounces of 8.5 MB each would hold 4 GB at once)."""
        ...

    def folders(self) -> list[str]:
        """Every folder that can hold mail (selectable): where a lost message is looked for."""
        ...

    def search_header(self, folder: str, name: str, value: str) -> list[int]:
        """UIDs in `folder` whose header `name` contains `value` (a superset: the caller
        checks what it finds against its fingerprint and digest); \\Deleted ones left out."""
        ...

    def move(self, folder: str, uids: Sequence[int], dest: str) -> Mapping[int, int]:
        """Move `uids` to `dest`; return source UID -> destination UID for each one moved.

        A UID missing from the answer was not there (someone else moved it). Raises
        QuotaExceeded when `dest` is full, FolderMissing when it is absent.
        """
        ...

    def claim(self, folder: str, uids: Sequence[int], owner: str) -> Claims:
        """Mark `uids` as about to be moved by installation `owner`, on the server, so that
        another installation watching the same account leaves them alone (claims.py)."""
        ...

    def remove_copied(self, folder: str, uids: Sequence[int], dest: str) -> None:
        """Finish a COPY-based move that a crash interrupted: remove these originals only.

        Called by journal recovery once the copies were found in `dest`; never for anything
        the service did not copy itself.
        """
        ...

    def ensure_folder(self, name: str) -> None:
        """Create `name` if it does not exist."""
        ...

    def special_folder(self, use: str) -> str | None:
        """The folder marked with SPECIAL-USE `use` ("\\Sent", "\\Junk"), if any."""
        ...

    def wait_for_change(self, folder: str, timeout: float, stop: Event) -> bool:
        """Block until `folder` may have changed, `timeout` passed or `stop` is set (by the
        worker's halt, or its poke: "look again now").

        True means "look again"; False means nothing happened. Raises ConnectionLost when the
        link turned out dead while waiting.
        """
        ...

    def close(self) -> None: ...


# Whole messages are fetched in batches of at most this many bytes (by RFC822.SIZE); a larger
# message is fetched alone. With the copies imaplib and the parser make of what they read, a
# batch costs about three times this at its peak.
FETCH_BYTES = 16 * 1024 * 1024


def byte_batches(
    sizes: Mapping[int, int], uids: Sequence[int], limit: int = FETCH_BYTES
) -> list[list[int]]:
    """`uids` in order, cut into runs whose sizes add up to at most `limit` (a message larger
    than `limit` is a run of its own). UIDs without a size (expunged meanwhile) are left out."""
    out: list[list[int]] = []
    run: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid)
        if size is None:
            continue
        if run and total + size > limit:
            out.append(run)
            run, total = [], 0
        run.append(uid)
        total += size
    if run:
        out.append(run)
    return out


# How much of a message's body the candidate test reads besides its headers: the core's triage
# looks at the start of the body (report MIME types, a notice's opening sentence) when the
# headers say nothing, and a report's parts come within the first few kilobytes.
PEEK_BYTES = 16 * 1024


def looks_like_candidate(message_start: bytes) -> bool:
    """Whether a message is worth a full read and a verdict, from its headers and the first
    PEEK_BYTES of its body.

    The core's own triage decides, the one definition there is: a message it turns away is
    `other` by construction, so any looser test here would only cost reads and any stricter one
    would lose bounces.
    """
    return bool(triage.hints(parse(message_start)))


def header_block(raw: bytes) -> bytes:
    """The header section of a message, without the blank line that ends it."""
    m = re.search(rb"\r?\n\r?\n", raw)
    return raw[: m.start()] if m else raw


def fingerprint(header_bytes: bytes) -> str:
    """A stable name for a message across folders, servers and line-ending conventions.

    Servers hand out new UIDs on every move and after a UIDVALIDITY change, and not every
    bounce has a Message-ID, so the service recognises a message again by its headers: the
    header block with line endings and trailing blanks normalised, hashed.
    """
    lines = header_block(header_bytes).replace(b"\r\n", b"\n").split(b"\n")
    norm = b"\n".join(line.rstrip() for line in lines).strip()
    return hashlib.sha256(norm).hexdigest()[:32]


def content_digest(raw: bytes) -> str:
    """A name for one message's exact content, line endings aside (a server may store CRLF
    for a message delivered with LF). Two copies of one bounce with the same headers (a
    resend, a duplicate delivery) still differ here only if their bodies do; what it settles
    is that a message found by Message-ID after its folder was renumbered is the one judged.
    """
    return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()[:32]


def header_value(header_bytes: bytes, name: str) -> str | None:
    """The first `name:` header, unfolded, as text (undecoded: for storage and matching)."""
    value = Headers.parse(normalise_newlines(header_block(header_bytes))).raw(name)
    return None if value is None else value.decode("utf-8", "replace").strip()
