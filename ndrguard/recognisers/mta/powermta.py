"""PowerMTA (Port25 / SparkPost's bulk-mail MTA).

PowerMTA's notice opens "Hello, this is the mail server on HOST." and "I am sending you this
message to inform you on the delivery status of a message you previously sent.", then lists
"  <address>  delivery failed; will not continue trying" (or "...; will continue trying" for a
delay, "delivered" / "relayed" on success). It nearly always has an RFC 3464 part, which the
DSN reader reads first; this module covers copies without it.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import make_report
from ndrguard.recognisers.mta._text import automated, dedupe, recipient
from ndrguard.report import Kind, Report

NAME = "powermta"

_OPENING = "I am sending you this message to inform you on the delivery status"
_GREETING = re.compile(r"this is the mail server on ([\w.-]+?)\.?\s*$", re.MULTILINE)
_LINE = re.compile(r"^[ \t]+<([^<>\s]+@[^<>\s]+)>[ \t]+(.+)$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    if not automated(mail):
        return None
    text = mail.text()
    if _OPENING not in text:
        return None
    recipients = []
    for address, words in _LINE.findall(text):
        if "will not continue" in words or "failed" in words:
            kind = Kind.FAILURE
        elif "will continue" in words or "delayed" in words:
            kind = Kind.DELAY
        else:
            kind = Kind.DELIVERED
        recipients.append(recipient(address, kind, words))
    recipients = dedupe(recipients)
    if not recipients:
        return None
    actions = {r.action for r in recipients}
    kind = (
        Kind.FAILURE
        if "failed" in actions
        else Kind.DELAY
        if "delayed" in actions
        else (Kind.DELIVERED)
    )
    greeting = _GREETING.search(text)
    return make_report(
        mail,
        kind,
        NAME,
        f"PowerMTA {kind} notice, {len(recipients)} recipient(s)",
        recipients,
        reporting_mta=greeting.group(1) if greeting else None,
    )
