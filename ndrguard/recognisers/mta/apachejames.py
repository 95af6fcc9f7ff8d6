"""Apache James: the notices of its Bounce / NotifySender mailets.

James's notifying mailets (AbstractNotify) write a short reason ("Error: Invalid user
address"), then "Error message below:" with the remote reply, then "Message details:" with
indented "Subject:", "Sent date:", "MAIL FROM:", "RCPT TO:", "From:", "To:" and "Size (in
bytes):" lines. The failed recipients are the RCPT TO values. Mobile carriers' gateways built
on James send exactly this.
"""

from __future__ import annotations

import re

from ndrguard.headers import addresses
from ndrguard.mail import Mail
from ndrguard.recognisers.common import from_mail_system, notice
from ndrguard.recognisers.text import after, before, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "apachejames"

_DETAILS = "Message details:"
_ERROR_BELOW = "Error message below:"
_RCPT = re.compile(r"^[ \t]+RCPT TO:[ \t]*(.+)$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    text = mail.text()
    details = after(text, _DETAILS)
    if details is None or _ERROR_BELOW not in text:
        return None
    below = before(after(text, _ERROR_BELOW) or "", _DETAILS)
    words = " ".join(below.split()) or None
    found = [a for m in _RCPT.finditer(details) for a in addresses(m.group(1))]
    recipients = [recipient_of_kind(a, Kind.FAILURE, words) for a in found]
    return notice(mail, Kind.FAILURE, NAME, "Apache James failure notice", recipients)
