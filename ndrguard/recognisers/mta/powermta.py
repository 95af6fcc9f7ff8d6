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
from ndrguard.recognisers.common import dedupe, kind_for_action, notice
from ndrguard.recognisers.text import marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "powermta"

_OPENING = "I am sending you this message to inform you on the delivery status"
_GREETING = re.compile(r"this is the mail server on ([\w.-]+?)\.?\s*$", re.MULTILINE)
_LINE = re.compile(r"^[ \t]+<([^<>\s]+@[^<>\s]+)>[ \t]+(.+)$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, _OPENING)
    if text is None:
        return None
    recipients = []
    for address, words in _LINE.findall(text):
        if "will not continue" in words or "failed" in words:
            kind = Kind.FAILURE
        elif "will continue" in words or "delayed" in words:
            kind = Kind.DELAY
        else:
            kind = Kind.DELIVERED
        recipients.append(recipient_of_kind(address, kind, words))
    recipients = dedupe(recipients)
    kind = kind_for_action(r.action for r in recipients)
    greeting = _GREETING.search(text)
    return notice(
        mail,
        kind,
        NAME,
        f"PowerMTA {kind} notice",
        recipients,
        reporting_mta=greeting.group(1) if greeting else None,
    )
