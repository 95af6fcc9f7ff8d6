"""What the MTA text recognisers share: the marked-text gate and reading per-recipient lines.

Every MTA module asks two questions before it reads a body: did a mail system send this (null
envelope sender or a daemon address), and does the text carry the software's fixed phrases?
Both must hold, because the phrases alone ("could not be delivered") turn up in ordinary mail
that quotes or discusses a bounce. What is left is turning the MTA's free-form lines into
`Recipient` values the same way everywhere: status from an enhanced code, else from the SMTP
reply code, else from the kind of report.
"""

from __future__ import annotations

import re

from ndrguard.headers import ADDRESS
from ndrguard.mail import Mail
from ndrguard.recognisers.common import (
    DIAGNOSTIC_REPLY,
    clean_line,
    from_mail_system,
    status_from_reply,
    status_in,
)
from ndrguard.report import Kind, Recipient

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




def status_of(diagnostic: str | None, kind: Kind) -> str:
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


def recipient(
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
        status=status_of(line, kind),
        diagnostic=line,
        remote_mta=remote_mta or remote_host(line),
    )


def first_address(text: str) -> str | None:
    """The first mail address in `text`, without the angle brackets and trailing dots."""
    m = ADDRESS.search(text)
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

