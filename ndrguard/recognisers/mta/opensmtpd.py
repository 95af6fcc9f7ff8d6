"""OpenSMTPD: "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail."

OpenSMTPD's bounce text (smtpd/bounce.c) has three openings: "An error has occurred while
attempting to deliver a message for the following list of recipients:" (failure), "A message
is delayed for more than N for the following list of recipients:" (warning, with "Please note
that this is only a temporary failure report.") and "Your message was successfully delivered
to these recipients:" (success). Each recipient is one line, `address: reason`, and the
original follows "Below is a copy of the original message:". Since 6.4 the same text comes with
an RFC 3464 part, which the DSN reader handles first.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import notice
from ndrguard.recognisers.text import after, before, marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "opensmtpd"

_GREETING = "This is the MAILER-DAEMON, please DO NOT REPLY to this"
_OPENINGS = (
    ("An error has occurred while attempting to deliver a message", Kind.FAILURE),
    ("A message is delayed for more than", Kind.DELAY),
    ("Your message was successfully delivered", Kind.DELIVERED),
    ("Your message was relayed to these recipients", Kind.DELIVERED),
)
_COPY = "Below is a copy of the original message"
_LINE = re.compile(r"^([^\s:<>]+@[^\s:<>]+):\s*(.*)$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, _GREETING)
    if text is None:
        return None
    found = next(((after(text, o), k) for o, k in _OPENINGS if o in text), None)
    if found is None:
        return None
    body, kind = found
    listing = before(body or "", _COPY, "Please note that this is only a temporary")
    recipients = [recipient_of_kind(a, kind, words) for a, words in _LINE.findall(listing)]
    return notice(mail, kind, NAME, f"OpenSMTPD {kind} notice", recipients)
