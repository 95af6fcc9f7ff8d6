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
    null_sender,
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


def from_mail_system(mail: Mail) -> bool:
    """The report travels as notifications do: a daemon's From address or a null sender."""
    return sender_is_daemon(mail) or null_sender(mail)


def has_dsn_recipients(mail: Mail) -> bool:
    """The message's own RFC 3464 part names recipients, so the DSN reader should answer.

    The provider text readers run before the DSN reader (so that the MTAs' looser text readers
    do not claim a provider's template first); they step aside when a DSN part can speak.
    """
    for part in dsn.status_parts(mail):
        text = part.decoded(mail.limits.decoded_bytes).decode("utf-8", "replace")
        if dsn.recipients_from(dsn.parse_fields(text)[1]):
            return True
    return False


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


# Words that products write in place of a status code, and the code they stand for.
_WORDS = (
    ("retry timeout exceeded", ".4.7"),
    ("after multiple retries", ".4.7"),
    ("message expired", ".4.7"),
    ("user unknown", ".1.1"),
    ("unknown user", ".1.1"),
    ("no such user", ".1.1"),
    ("recipient not found", ".1.1"),
    ("address not found", ".1.1"),
    ("mailbox full", ".2.2"),
    ("quota exceeded", ".2.2"),
    ("size limit exceeded", ".3.4"),
    ("message too large", ".3.4"),
    ("host not found", ".1.2"),
    ("domain not found", ".1.2"),
    ("no smtp service", ".1.2"),
    ("host not reachable", ".4.1"),
)


def status_from_words(text: str, permanent: bool = True) -> str:
    """The status a product's own words stand for; X.0.0 when none is known."""
    low = text.lower()
    detail = next((code for words, code in _WORDS if words in low), ".0.0")
    return ("5" if permanent else "4") + detail


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
