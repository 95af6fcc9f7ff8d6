"""Trend Micro InterScan Messaging Security Suite (IMSS) and InterScan MSS for NT bounces.

InterScan signs its notices ("InterScan MSS", "Message from InterScan Messaging Security
Suite", a MIME boundary starting "InterScan_NT_MIME_Boundary") and writes either the SMTP
transcript of the refused command

    Sent <<< RCPT TO:<user@example.org>
    Received >>> 550 5.1.1 <user@example.org>... user unknown

or one sentence per recipient:

    Unable to deliver message to <user@example.org> (and other recipients in the same domain).
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import make_report, sender_is_daemon, status_from_words
from ndrguard.recognisers.text import ADDRESS, recipient_from_words, status_of_diagnostic
from ndrguard.report import Kind, Report

NAME = "trendmicro"

_SIGNS = ("InterScan",)
_TRANSCRIPT = re.compile(
    r"Sent <<< RCPT TO:\s*<?(" + ADDRESS.pattern + r")>?\s*\n\s*Received >>> (.+)", re.I
)
_SENTENCE = re.compile(r"Unable to deliver message to <?(" + ADDRESS.pattern + r")>?(.*)")


def _signed(mail: Mail) -> bool:
    h = mail.headers
    values = (h.get("from") or "", h.get("x-mailer") or "", h.get("content-type") or "")
    return any(sign in v for v in values for sign in _SIGNS)


def recognise(mail: Mail) -> Report | None:
    if not (sender_is_daemon(mail) and _signed(mail)):
        return None
    text = mail.text()
    if dsn.has_recipients(mail):  # its RFC 3464 part speaks for it
        return None
    recipients = []
    for m in _TRANSCRIPT.finditer(text):
        words = m.group(2).strip()
        recipients.append(
            recipient_from_words(
                m.group(1), words, action="failed", status=status_of_diagnostic(words)
            )
        )
    if not recipients:
        for m in _SENTENCE.finditer(text):
            words = m.group(0).strip()
            status = "5.1.1" if "check if address is correct" in words else None
            recipients.append(
                recipient_from_words(
                    m.group(1),
                    words,
                    action="failed",
                    status=status or status_from_words(words),
                )
            )
    if not recipients:
        return None
    for r in recipients:
        r.status = r.status or "5.0.0"
    return make_report(
        mail,
        Kind.FAILURE,
        NAME,
        f"Trend Micro InterScan delivery failure, {len(recipients)} recipient(s)",
        recipients,
    )
