"""Mail.Ru bounces: an Exim report with a Russian preface.

Mail.Ru's servers run Exim and put a Russian summary ("Это письмо создано автоматически сервером
Mail.Ru...") above Exim's own English text, which is the one read here because the summary may
shorten addresses to their local part:

    The following address(es) failed:

      user@example.org
        SMTP error from remote mail server after RCPT TO:<user@example.org>:
        host mx.example.org [192.0.2.1]: 550 5.1.1 <user@example.org>... User Unknown

    ------ This is a copy of the message, including all the headers. ------
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import make_report, sender_is_daemon, status_from_words
from ndrguard.recognisers.text import from_domain, indented_blocks, recipient_from_words, section
from ndrguard.report import Kind, Report

NAME = "mailru"

_PREFACE = "сервером Mail.Ru"
_FAILED = "The following address(es) failed:"
_ORIGINAL = ("------ This is a copy of the message", "------ This is a copy of your message")
_HOST_REPLY = re.compile(r"\bhost ([\w.-]+) \[[0-9a-fA-F.:]+\]:?\s*(.*)", re.S)
_DEFERRED = "This is a temporary error"


def recognise(mail: Mail) -> Report | None:
    if not sender_is_daemon(mail):
        return None
    text = mail.text()
    if _PREFACE not in text and not from_domain(mail).endswith("mail.ru"):
        return None
    if dsn.has_recipients(mail):  # its RFC 3464 part speaks for it
        return None
    listed = section(text, _FAILED, _ORIGINAL)
    if listed is None:
        return None
    delayed = _DEFERRED in text and "permanent error" not in text
    recipients = []
    for address, lines in indented_blocks(listed):
        words = " ".join(lines)
        m = _HOST_REPLY.search(words)
        recipients.append(
            recipient_from_words(
                address,
                m.group(2) if m and m.group(2) else words,
                action="delayed" if delayed else "failed",
                remote_mta=m.group(1) if m else None,
            )
        )
    if not recipients:
        return None
    for r in recipients:
        r.status = r.status or status_from_words(r.diagnostic or "", not delayed)
    return make_report(
        mail,
        Kind.DELAY if delayed else Kind.FAILURE,
        NAME,
        f"Mail.Ru (Exim) delivery failure, {len(recipients)} recipient(s)",
        recipients,
    )
