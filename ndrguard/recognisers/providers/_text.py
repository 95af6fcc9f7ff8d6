"""Text tools the provider recognisers share.

Most providers write their bounce as a fixed English (or localised) template: a lead-in line,
the failed addresses, the remote server's words, then a marker line before the returned
message. These helpers cut such a template apart; what the markers are stays in each
provider's own module.
"""

from __future__ import annotations

import re

from ndrguard.headers import first_address
from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import (
    clean_line,
    sender_is_daemon,
    status_from_reply,
    status_in,
)
from ndrguard.report import Recipient

ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# An SMTP reply code where a diagnostic starts: "550 ...", "#550 ...", "'550-...".
_LEADING_REPLY = re.compile(r"^[\s#'\"(]*([245][0-5]\d)(?:[ :-]|$)")
_ACTIONS = {"5": "failed", "4": "delayed", "2": "delivered"}






def template_text(mail: Mail, *markers: str) -> str | None:
    """The text of a provider's template when a mail system sent it with all of `markers`.

    None as well when the message's RFC 3464 part names recipients: that part says more than
    the template, and the DSN reader after these recognisers reads it.
    """
    if not sender_is_daemon(mail):
        return None
    text = mail.text()
    if not all(marker in text for marker in markers) or dsn.has_recipients(mail):
        return None
    return text


def from_domain(mail: Mail) -> str:
    """The lower-cased domain of the From address, or "" when there is none."""
    addr = first_address(mail.headers.get("from")) or ""
    return addr.rpartition("@")[2].lower()


def section(text: str, start: str, ends: tuple[str, ...] = ()) -> str | None:
    """The text after the first `start` up to the nearest of `ends`; None without `start`."""
    i = text.find(start)
    if i < 0:
        return None
    body = text[i + len(start) :]
    cut = len(body)
    for end in ends:
        j = body.find(end)
        if 0 <= j < cut:
            cut = j
    return body[:cut]


def first_of(text: str, phrases: tuple[str, ...]) -> str | None:
    """The first of `phrases` that occurs in `text`."""
    for phrase in phrases:
        if phrase in text:
            return phrase
    return None


def status_of(diagnostic: str | None) -> str | None:
    """Enhanced status code in a diagnostic, else the class of its leading SMTP reply."""
    if not diagnostic:
        return None
    found = status_in(diagnostic)
    if found:
        return found
    reply = _LEADING_REPLY.match(diagnostic)
    return status_from_reply(reply.group(1)) if reply else None


def recipient(
    address: str,
    diagnostic: str | None,
    *,
    action: str | None = None,
    status: str | None = None,
    remote_mta: str | None = None,
) -> Recipient:
    """A Recipient whose status and action come from its diagnostic unless given."""
    line = clean_line(diagnostic)
    status = status or status_of(line)
    if action is None:
        action = _ACTIONS.get(status[0], "failed") if status else "failed"
    return Recipient(
        address=address.strip("<>\"' "),
        action=action,
        status=status,
        diagnostic=line,
        remote_mta=remote_mta,
    )


def indented_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(address, lines under it) for each line holding just an address (qmail/Exim layout).

    An address line may be indented, quoted, bracketed or end in a colon; any text after the
    colon is kept as the first line of its block.
    """
    blocks: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        m = _ADDRESS_LINE.match(line)
        if m:
            rest = (m.group(2) or "").strip()
            blocks.append((m.group(1), [rest] if rest else []))
        elif blocks and line.strip():
            blocks[-1][1].append(line.strip())
    return blocks


_ADDRESS_LINE = re.compile(
    r"^[ \t]*[\"<]*(" + ADDRESS.pattern + r")[\">]*[ \t]*(?::[ \t]*(.*)|()[ \t]*$)"
)
