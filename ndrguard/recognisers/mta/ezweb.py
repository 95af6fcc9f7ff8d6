"""EZweb / au (KDDI's mobile mail gateway): "Mail System Error - Returned Mail".

The gateway's notice has a Japanese paragraph and then one of its fixed English sentences:
"Each of the following recipients was rejected by a remote mail server." with per-recipient
blocks ("Recipient: <address>", ">>> RCPT TO:<address>", "<<< 550 ..."), or "Your message was
not delivered within N days and N hours." and "The following recipients did not receive this
message:" with one `<address>` per line. The oldest form puts the bare `<address>` line first
and the sentence after it. All of them are sent when the gateway gives up.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import from_mail_system, notice
from ndrguard.recognisers.text import recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "ezweb"

_PHRASES = (
    "Each of the following recipients was rejected by a remote",
    "The following recipients did not receive this message:",
    "Your message was not delivered within",
)
_RECIPIENT = re.compile(r"^[ \t]*(?:Recipient:[ \t]*)?<([^<>\s]+@[^<>\s]+)>[ \t]*$", re.MULTILINE)
_REPLY = re.compile(r"^[ \t]*<<<[ \t]*(.+)$", re.MULTILINE)
_TIMEOUT = re.compile(r"^Your message was not delivered within .*$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    text = mail.text()
    if not any(p in text for p in _PHRASES):
        return None
    matches = list(_RECIPIENT.finditer(text))
    recipients = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        reply = _REPLY.search(text, m.end(), end)
        timeout = _TIMEOUT.search(text)
        words = reply.group(1) if reply else (timeout.group(0) if timeout else None)
        recipients.append(recipient_of_kind(m.group(1), Kind.FAILURE, words))
    return notice(mail, Kind.FAILURE, NAME, "EZweb failure notice", recipients)
