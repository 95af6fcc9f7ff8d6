"""Reading the text of a notice: the helpers every MTA and provider recogniser shares.

Most mail software writes its notice as a fixed template: a lead-in line, the failed addresses,
the remote server's words, then a marker line before the returned message. These helpers cut
such a template apart; which markers a program writes stays in that program's own module.

Two ways of turning a line into a `Recipient` are kept apart by name because they answer
different questions: `recipient_of_kind` for MTA layouts, where the kind of the whole report
(failure, delay) is known and gives the action and the fallback status; and
`recipient_from_words` for provider templates, where each recipient's own diagnostic decides
its status and action.

Every rule asks two questions before it reads a body: did a mail system send this (null
envelope sender or a daemon address), and does the text carry the software's fixed phrases?
Both must hold, because the phrases alone ("could not be delivered") turn up in ordinary mail
that quotes or discusses a bounce (`marked_text`, `template_text`).
"""

from __future__ import annotations

import re

from ndrguard.headers import ADDRESS as _HEADER_ADDRESS
from ndrguard.headers import first_address
from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import (
    DIAGNOSTIC_REPLY,
    clean_line,
    from_mail_system,
    sender_is_daemon,
    status_from_reply,
    status_in,
)
from ndrguard.report import Kind, Recipient

# ---------------------------------------------------------------- MTA layouts
_ACTION = {Kind.FAILURE: "failed", Kind.DELAY: "delayed", Kind.DELIVERED: "delivered"}
_DEFAULT_STATUS = {Kind.FAILURE: "5.0.0", Kind.DELAY: "4.0.0", Kind.DELIVERED: "2.0.0"}
# "host mx.example.org[192.0.2.1]" (Postfix), "host mx.example.org [192.0.2.1]" (Exim).
_REMOTE_HOST = re.compile(r"\bhost\s+([\w-]+(?:\.[\w-]+)+)\s?\[", re.IGNORECASE)


def marked_text(mail: Mail, *markers: str) -> str | None:
    """The text of a mail system's message that carries one of its software's `markers`.

    The two questions every MTA rule asks (see the module docstring), the header one first so
    that ordinary mail is never decoded for it.
    """
    if not from_mail_system(mail):
        return None
    text = mail.text()
    return text if any(marker in text for marker in markers) else None


def status_for_kind(diagnostic: str | None, kind: Kind) -> str:
    """Enhanced code in the words, else the SMTP reply class, else the report's own class.

    An enhanced code of the wrong class (a 4.x.x in a final failure after retries) is kept:
    it is what the remote server said.
    """
    found = status_in(diagnostic)
    if found:
        return found
    if diagnostic:
        reply = DIAGNOSTIC_REPLY.search(diagnostic)
        if reply:
            mapped = status_from_reply(reply.group(1))
            if mapped and (mapped[0] != "2" or kind is Kind.DELIVERED):
                return mapped
    return _DEFAULT_STATUS.get(kind, "5.0.0")


def remote_host(diagnostic: str | None) -> str | None:
    """The remote server named in a diagnostic ("host mx.example.org[192.0.2.1] said: ...")."""
    if not diagnostic:
        return None
    m = _REMOTE_HOST.search(diagnostic)
    return m.group(1).lower() if m else None


def recipient_of_kind(
    address: str,
    kind: Kind,
    diagnostic: str | None,
    remote_mta: str | None = None,
    original: str | None = None,
) -> Recipient:
    """One recipient with its action from the report's kind and a status that is never empty."""
    line = clean_line(diagnostic)
    return Recipient(
        address=address,
        original=original,
        action=_ACTION.get(kind, "failed"),
        status=status_for_kind(line, kind),
        diagnostic=line,
        remote_mta=remote_mta or remote_host(line),
    )


def first_address_in(text: str) -> str | None:
    """The first mail address in `text`, without the angle brackets and trailing dots."""
    m = _HEADER_ADDRESS.search(text)
    return m.group(1).rstrip(".") if m else None


def before(text: str, *markers: str) -> str:
    """`text` up to the first of `markers` (where the returned original starts)."""
    end = len(text)
    for marker in markers:
        pos = text.find(marker)
        if 0 <= pos < end:
            end = pos
    return text[:end]


def after(text: str, marker: str) -> str | None:
    """`text` after `marker`, or None when the marker is not there."""
    pos = text.find(marker)
    return None if pos < 0 else text[pos + len(marker) :]


# ---------------------------------------------------------- provider templates
ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# An SMTP reply code where a diagnostic starts: "550 ...", "#550 ...", "'550-...".
_LEADING_REPLY = re.compile(r"^[\s#'\"(]*([245][0-5]\d)(?:[ :-]|$)")
_ACTION_OF_CLASS = {"5": "failed", "4": "delayed", "2": "delivered"}


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


def status_of_diagnostic(diagnostic: str | None) -> str | None:
    """Enhanced status code in a diagnostic, else the class of its leading SMTP reply."""
    if not diagnostic:
        return None
    found = status_in(diagnostic)
    if found:
        return found
    reply = _LEADING_REPLY.match(diagnostic)
    return status_from_reply(reply.group(1)) if reply else None


def recipient_from_words(
    address: str,
    diagnostic: str | None,
    *,
    action: str | None = None,
    status: str | None = None,
    remote_mta: str | None = None,
) -> Recipient:
    """A Recipient whose status and action come from its diagnostic unless given."""
    line = clean_line(diagnostic)
    status = status or status_of_diagnostic(line)
    if action is None:
        action = _ACTION_OF_CLASS.get(status[0], "failed") if status else "failed"
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
