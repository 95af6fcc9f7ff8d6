"""Zoho Mail bounces.

Zoho writes one line per failed recipient with its own "ERROR_CODE :" labels:

    This message was created automatically by mail delivery software.
    A message that you sent could not be delivered to one or more of its recipients. ...

    user@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <...>... User Unknown

and, for a warning, a Sendmail-like text with bracketed entries:

    THIS IS A WARNING MESSAGE ONLY.
    ----- The following addresses had fatal errors -----
    [Status: Error, Address: <user@example.org>, ResponseCode 421, , Host not reachable.]
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import make_report, sender_is_daemon, status_from_words, status_in
from ndrguard.recognisers.text import ADDRESS, recipient_from_words
from ndrguard.report import Kind, Report

NAME = "zoho"

_LINE = re.compile(r"^[ \t]*<?(" + ADDRESS.pattern + r")>?[ \t]+(.*ERROR_CODE\s*:.*)$", re.M)
_ENTRY = re.compile(
    r"\[Status: \w+, Address: <?(" + ADDRESS.pattern + r")>?, ResponseCode (\d{3})?,(.*?)\]"
)
_LABEL = re.compile(r"ERROR_CODE\s*:\s*")
_WARNING = "THIS IS A WARNING MESSAGE ONLY"


def recognise(mail: Mail) -> Report | None:
    if not sender_is_daemon(mail):
        return None
    text = mail.text()
    if "ERROR_CODE :" not in text and "ResponseCode" not in text:
        return None
    if dsn.has_recipients(mail):  # its RFC 3464 part speaks for it
        return None
    delayed = _WARNING in text
    action = "delayed" if delayed else "failed"
    recipients = []
    for m in _LINE.finditer(text):
        words = " ".join(_LABEL.sub("", m.group(2)).replace(", ,", ",").split())
        status = status_in(words) or status_from_words(words, not delayed)
        recipients.append(recipient_from_words(m.group(1), words, action=action, status=status))
    for m in _ENTRY.finditer(text):
        words = " ".join(f"{m.group(2) or ''} {m.group(3).strip(' ,')}".split())
        status = status_in(words) or status_from_words(words, not delayed)
        recipients.append(recipient_from_words(m.group(1), words, action=action, status=status))
    if not recipients:
        return None
    return make_report(
        mail,
        Kind.DELAY if delayed else Kind.FAILURE,
        NAME,
        f"Zoho Mail {'delay warning' if delayed else 'failure'}, {len(recipients)} recipient(s)",
        recipients,
    )
