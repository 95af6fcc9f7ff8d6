"""Exim: "This message was created automatically by mail delivery software."

Exim's bounce and warning texts (its default bounce_message_file / warn_message_file) open with
that sentence (or "...by the SMTP relay on HOST."), list each address indented two spaces with
the reason indented four, and end the list at "------ This is a copy of the message, including
all the headers. ------" (or "...of the body..." / "The body of the message is N characters
long"). A failure says "could not be delivered to one or more of its recipients" (Exim 3: "to
all of its recipients") and "The following address(es) failed:"; a warning says "has not yet
been delivered ... after more than N hours on the queue" and "The address(es) to which the
message has not yet been delivered". A third notice rejects "recipient addresses that were
incorrectly constructed". Every failure carries X-Failed-Recipients, which is also the only
place the address is written when the block names a pipe, a file or a bare local part.

Exim also answers a message it cannot deliver at all, before any recipient is tried, with a
"Mail failure - ..." message of its own (moan.c: "no recipient addresses", "too many
recipients", "malformed recipient address", "rejected by local scanning code"), which opens "A
message that you sent ..." and returns the copy after "------ This is a copy of your message".
It names no failed recipient (there was none to try, or the address could not be parsed): it is
a failure all the same, whose recipients, if any, are those of the returned copy.

Mail.ru and MX Logic send Exim's text too; MX Logic's own module reuses `read_blocks`.
"""

from __future__ import annotations

import re

from ndrguard.headers import addresses
from ndrguard.mail import Mail
from ndrguard.recognisers import filters
from ndrguard.recognisers.common import (
    dedupe,
    from_mail_system,
    make_report,
    returned_recipients,
)
from ndrguard.recognisers.text import before, first_address_in, recipient_of_kind
from ndrguard.report import Kind, Recipient, Report

NAME = "exim"

_OPENINGS = (
    "This message was created automatically by mail delivery software",
    "This message was created automatically by the SMTP relay on",
    "could not be delivered to one or more of its",
    "could not be delivered to all of its recipients",
    "has not yet been delivered to one or more of its",
    "recipient addresses that were\nincorrectly constructed",
    "recipient addresses that were incorrectly constructed",
)
_DELAY = "has not yet been delivered to"
_MOAN_SUBJECT = "Mail failure - "
_MOAN_OPENING = "A message that you sent"
# Where the address list starts: the last line before it ends with one of these.
_LIST_START = re.compile(
    r"(?:address\(es\) failed|address(?:es)? failed|not yet been delivered (?:is|are)|"
    r"incorrectly constructed)\s*:[ \t]*\n",
    re.IGNORECASE,
)
_COPY = (
    "------ This is a copy of",
    "----- This is a copy of",
    "------ The body of the message is",
    "Included is a copy of the message header",
    "No action is required on your part",
    "This address has been ignored",
)
_BLOCK_HEAD = re.compile(r"^ {1,3}(\S.*)$")
_BLOCK_MORE = re.compile(r"^(?: {4,}|\t)\s*(\S.*)$")


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    text = mail.text()
    failed_header = mail.headers.get("x-failed-recipients")
    subject = filters.subject(mail)
    moan = subject.startswith(_MOAN_SUBJECT) and _MOAN_OPENING in text
    if not failed_header and not moan and not any(o in text for o in _OPENINGS):
        return None
    kind = Kind.DELAY if _DELAY in text or subject.startswith("Warning: message") else Kind.FAILURE
    recipients = read_blocks(text, failed_header, kind)
    if not recipients:
        return _moan(mail, subject) if moan else None
    return make_report(
        mail, kind, NAME, f"Exim {kind} notice, {len(recipients)} recipient(s)", recipients
    )


def _moan(mail: Mail, subject: str) -> Report:
    """Exim's "Mail failure - ..." notice (see the module docstring)."""
    what = subject[len(_MOAN_SUBJECT) :].strip() or "undeliverable"
    recipients = [recipient_of_kind(a, Kind.FAILURE, what) for a in returned_recipients(mail)[:50]]
    return make_report(mail, Kind.FAILURE, NAME, f"Exim 'Mail failure': {what}", recipients)


def read_blocks(text: str, failed_header: str | None, kind: Kind) -> list[Recipient]:
    """Recipients from Exim's indented address blocks, checked against X-Failed-Recipients."""
    start = _LIST_START.search(text)
    region = before(text[start.end() :] if start else text, *_COPY)
    blocks = _blocks(region) if start else []
    listed = addresses(failed_header) if failed_header else []
    out: list[Recipient] = []
    if listed:
        for i, address in enumerate(listed):
            words = _words_for(address, blocks, i, len(listed))
            out.append(recipient_of_kind(address, kind, words))
    else:
        for head, lines in blocks:
            found = first_address_in(head)
            if found:
                out.append(recipient_of_kind(found, kind, _join(head, found, lines)))
    return dedupe(out)


def _blocks(region: str) -> list[tuple[str, list[str]]]:
    """(head line, reason lines) for each two-space-indented address block."""
    blocks: list[tuple[str, list[str]]] = []
    for line in region.split("\n"):
        more = _BLOCK_MORE.match(line)
        if more and blocks:
            blocks[-1][1].append(more.group(1))
            continue
        head = _BLOCK_HEAD.match(line)
        if head:
            blocks.append((head.group(1).strip(), []))
        elif line.strip() and blocks:
            break  # back at the margin: the list is over
    return blocks


def _words_for(address: str, blocks: list[tuple[str, list[str]]], i: int, count: int) -> str | None:
    """The reason written for `address`: its own block, else the block in the same place."""
    lower = address.lower()
    local = lower.split("@", 1)[0]
    for head, words in blocks:
        head_lower = head.lower()
        if lower in head_lower or head_lower.rstrip(":") == local:
            return _join(head, address, words)
    if len(blocks) == count:
        head, words = blocks[i]
        return _join(head, None, words)
    if blocks:
        return _join(blocks[0][0], None, blocks[0][1])
    return None


def _join(head: str, address: str | None, words: list[str]) -> str | None:
    """The reason: what follows the address on its own line, then the indented lines."""
    rest = ""
    if address and address.lower() in head.lower():
        rest = head[head.lower().find(address.lower()) + len(address) :].lstrip(">:").strip()
    joined = " ".join([rest, *words]).strip()
    return joined or None
