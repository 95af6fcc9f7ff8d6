"""GMX and 1&1 / IONOS (United Internet's shared mail platform) bounces.

Both write an Exim-like text from MAILER-DAEMON / "Mail Delivery System" and quote only the
original's headers after their own marker:

    This message was created automatically by mail delivery software.
    ...The following address failed:

    "user@example.org":                    (GMX)      user@example.org        (1&1)
    SMTP error from remote server after RCPT command:
    host: mx.example.org                              For the following reason:
    5.1.1 <user@example.org>... User Unknown          Mail size limit exceeded. ...

    --- The header of the original message is following. ---

A "Reason:" line carries GMX's own words when no server answered (a retry timeout).
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import notice, sender_is_daemon, status_from_words
from ndrguard.recognisers.text import (
    indented_blocks,
    recipient_from_words,
    section,
    status_of_diagnostic,
)
from ndrguard.report import Kind, Report

NAME = "gmx"

ORIGINAL = "--- The header of the original message is following. ---"
_FAILED = re.compile(r"The following address(?:\(es\))?\s+failed:", re.I)
_HOST = re.compile(r"\bhost:?\s+([\w.-]+\.[A-Za-z]{2,})")
_LABELS = re.compile(r"^(?:For the following reason:|Reason:)\s*", re.I)


def recognise(mail: Mail) -> Report | None:
    if not sender_is_daemon(mail):
        return None
    text = mail.text()
    if ORIGINAL not in text:
        return None
    if dsn.has_recipients(mail):  # its RFC 3464 part speaks for it
        return None
    report = section(text, "", (ORIGINAL,)) or ""
    m = _FAILED.search(report)
    if m is None:
        return None
    recipients = []
    for address, lines in indented_blocks(report[m.end() :]):
        words = _LABELS.sub("", " ".join(_LABELS.sub("", ln) for ln in lines)).strip()
        host = _HOST.search(words)
        status = status_of_diagnostic(words) or status_from_words(words)
        recipients.append(
            recipient_from_words(
                address,
                words,
                action="failed",
                status=status,
                remote_mta=host.group(1) if host else None,
            )
        )
    return notice(mail, Kind.FAILURE, NAME, "GMX / 1&1 delivery failure text", recipients)
