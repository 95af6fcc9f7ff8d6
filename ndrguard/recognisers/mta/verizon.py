"""Verizon Wireless's MMS gateway (MMSC): "Message could not be delivered to mobile."

The MMSC's "NDR Administrator" sends a short text: "Message could not be delivered to mobile.",
"Error: <reason>" and, after "Original Message:", the original's From, To, Subject and Date;
the recipient (a phone number at the MMS domain) is only in that quoted To:. Verizon's text
gateway (vtext) bounces with Apache James's notice instead, read by the James module.
"""

from __future__ import annotations

import re

from ndrguard.headers import addresses
from ndrguard.mail import Mail
from ndrguard.recognisers.common import make_report
from ndrguard.recognisers.text import after, marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "verizon"

_OPENING = "Message could not be delivered to mobile."
_ERROR = re.compile(r"^Error:[ \t]*(.+)$", re.MULTILINE)
_TO = re.compile(r"^To:[ \t]*(.+)$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, _OPENING)
    if text is None:
        return None
    original = after(text, "Original Message:") or ""
    to = _TO.search(original)
    error = _ERROR.search(text)
    words = error.group(1) if error else _OPENING
    recipients = (
        [recipient_of_kind(a, Kind.FAILURE, words) for a in addresses(to.group(1))] if to else []
    )
    if not recipients:
        return None
    return make_report(mail, Kind.FAILURE, NAME, "Verizon MMS gateway failure notice", recipients)
