"""The "This is an automatically generated Delivery Status Notification" notice, ruled with "=".

Which product writes it is not documented anywhere we could read (Sisimai files it as "X3",
an unknown MTA), so the module is named after the notice's own title line.

The text sits between rules of "=" signs: "This is an automatically generated Delivery Status
Notification.", then "Delivery to the following recipients failed permanently:" (or "was
aborted after N hour(s):", "has been delayed"), the recipients as "* address" bullets, and under
"Technical details:" one line per failure ("SMTP:RCPT host 192.0.2.8: 553 5.3.0 ...",
"Routing: Could not find a gateway for ..."). It may come with an RFC 3464 part that names no
recipient, so this module runs before the DSN reader and steps aside when that part is
complete.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import notice
from ndrguard.recognisers.text import after, marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "automatic-dsn"

_OPENING = "This is an automatically generated Delivery Status Notification"
_HEADING = re.compile(r"^Del[ie]very to the following recipients? (.+?):\s*$", re.MULTILINE)
_BULLET = re.compile(r"^[ \t]+\*[ \t]*([^\s<>]+@[^\s<>]+)[ \t]*$", re.MULTILINE)
_TECHNICAL = "Technical details:"
_DETAIL = re.compile(r"^(?:SMTP:\w+ host ([\w.:-]+): |Routing: )(.+)$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, _OPENING)
    if text is None:
        return None
    heading = _HEADING.search(text)
    if heading is None or dsn.has_recipients(mail):
        return None
    kind = Kind.DELAY if "delayed" in heading.group(1) else Kind.FAILURE
    details = list(_DETAIL.finditer(after(text, _TECHNICAL) or ""))
    recipients = []
    for m in _BULLET.finditer(text, heading.end()):
        address = m.group(1)
        mine = [d for d in details if address.lower() in d.group(0).lower()] or details[:1]
        words = mine[0].group(2) if mine else heading.group(0)
        remote = mine[0].group(1) if mine else None
        recipients.append(recipient_of_kind(address, kind, words, remote_mta=remote))
    return notice(
        mail, kind, NAME, f"gateway {kind} notice (automatically generated DSN notice)", recipients
    )
