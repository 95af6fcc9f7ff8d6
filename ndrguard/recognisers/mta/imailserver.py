"""Ipswitch IMail Server: the SMTP32 service's "Undeliverable Mail".

IMail marks its mail with "X-Mailer: <SMTP32 vN>" and writes one line per recipient with the
reason before the address ("Unknown user: user@example.org", "User mailbox exceeds allowed
size: user@example.org", "Delivery failed 20 attempts: user@example.org", "undeliverable to
user@example.org"); the remote server's reply, when there is one, follows "Body of message
generated response:", and the original follows "Original message follows.". IMail sends no
warnings: it mails only when it gives up.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import from_mail_system, notice
from ndrguard.recognisers.text import after, before, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "imailserver"

_COPY = "Original message follows."
_RESPONSE = "Body of message generated response:"
# "Unknown user: user@example.org" / "undeliverable to user@example.org"
_LINE = re.compile(
    r"^[ \t]*(?:([A-Z][\w ,'()-]{2,60}?):|(undeliverable) to)[ \t]+<?([^\s<>]+@[^\s<>]+?)>?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    mailer = mail.headers.get("x-mailer") or ""
    text = mail.text()
    if not mailer.lstrip().startswith("<SMTP32") and _COPY not in text:
        return None
    report = before(text, _COPY)
    response = after(report, _RESPONSE)
    response_words = " ".join(response.split()) if response else None
    recipients = []
    for label, undeliverable, address in _LINE.findall(report):
        if label.lower() in ("to", "cc", "from", "bcc"):
            continue  # the quoted "Save to the following Address Book" header lines
        words = " ".join(w for w in (label or undeliverable, response_words) if w)
        recipients.append(recipient_of_kind(address, Kind.FAILURE, words))
    return notice(mail, Kind.FAILURE, NAME, "IMail failure notice", recipients)
