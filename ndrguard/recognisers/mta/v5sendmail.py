"""Sendmail version 5 (and IDA sendmail): the transcript-only notice of the 1990s.

Before MIME, sendmail returned "----- Transcript of session follows -----" with the delivery
log lines themselves ("550 <user@example.org>... User unknown", "421 host (smtp)... Deferred:
...", "While talking to HOST:") and then "----- Unsent message follows -----" and the message.
There is no list of addresses: the recipients are the addresses in the `NNN <addr>... reason`
lines, or, when only hosts are named (a queue timeout), the returned message's To:. Such a
notice was sent only when sendmail gave up ("Returned mail: ..."), so it is a failure unless
the subject says it is a warning.
"""

from __future__ import annotations

import re

from ndrguard.headers import addresses
from ndrguard.mail import Mail
from ndrguard.recognisers import filters
from ndrguard.recognisers.common import dedupe, from_mail_system, make_report
from ndrguard.recognisers.text import after, before, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "v5sendmail"

_TRANSCRIPT = "----- Transcript of session follows -----"
_UNSENT = ("----- Unsent message follows -----", "----- Original message follows -----")
# "554 <user@example.org>... 550 Host unknown" and "550 user@example.org... User unknown".
_LOG_LINE = re.compile(r"([45]\d\d) <?([^\s<>]+@[^\s<>]+?)>?\.\.\.\s*(.*)$")
_TALKING = re.compile(r"While talking to ([\w.-]+):", re.IGNORECASE)
_TO = re.compile(r"^To:[ \t]*(.+)$", re.MULTILINE | re.IGNORECASE)


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    text = mail.text()
    if _TRANSCRIPT not in text or not any(marker in text for marker in _UNSENT):
        return None
    if "The following address" in text:
        return None  # sendmail 8 lists the addresses in its own section
    subject = filters.subject(mail)
    kind = Kind.DELAY if subject.lower().startswith("warning") else Kind.FAILURE
    log = before(after(text, _TRANSCRIPT) or "", *_UNSENT)
    recipients = []
    remote = None
    for line in log.split("\n"):
        talking = _TALKING.match(line)
        if talking:
            remote = talking.group(1)  # the host of the lines that follow
            continue
        m = _LOG_LINE.match(line)
        if m:
            words = f"{m.group(1)} {m.group(3)}"
            recipients.append(recipient_of_kind(m.group(2), kind, words, remote_mta=remote))
    if not recipients:
        returned = next(after(text, u) or "" for u in _UNSENT if u in text)
        to = _TO.search(returned)
        first_line = next((ln for ln in log.split("\n") if ln.strip()), None)
        if to:
            recipients = [recipient_of_kind(a, kind, first_line) for a in addresses(to.group(1))]
    if not recipients:
        return None
    recipients = dedupe(recipients)
    return make_report(
        mail,
        kind,
        NAME,
        f"Sendmail v5 {kind} transcript, {len(recipients)} recipient(s)",
        recipients,
    )
