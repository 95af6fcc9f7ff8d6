"""Sun Java System / Oracle Communications Messaging Server (iPlanet, Sun ONE).

Its notices start "This report relates to a message you sent with the following header
fields:" and quote the original's Message-id, Date, From, To and Subject; then "Your message
cannot be delivered to the following recipients:" (failure), "Your message has been enqueued
and undeliverable for N day(s) to the following recipients:" (a warning while it keeps
trying) or "Your message has been delivered to the following recipients:" (success). Each
recipient is a block of indented "Recipient address:", "Original address:", "Reason:",
"Diagnostic code:" and "Remote system:" lines. The server adds an RFC 3464 part, which the DSN
reader reads first; this module is for copies that lost it.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import notice
from ndrguard.recognisers.text import marked_text, recipient_of_kind
from ndrguard.report import Kind, Recipient, Report

NAME = "messagingserver"

_OPENING = "This report relates to a message you sent with the following header fields"
_KINDS = (
    ("cannot be delivered to the following recipients", Kind.FAILURE),
    ("has been enqueued and undeliverable", Kind.DELAY),
    ("has been delivered to the following recipients", Kind.DELIVERED),
)
_FIELD = re.compile(
    r"^[ \t]+(Recipient address|Original address|Reason|Diagnostic code|Remote system):[ \t]*(.*)$",
    re.MULTILINE | re.IGNORECASE,
)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, _OPENING)
    if text is None:
        return None
    kind = next((k for phrase, k in _KINDS if phrase in text), None)
    if kind is None:
        return None
    blocks: list[dict[str, str]] = []
    for name, value in _FIELD.findall(text):
        name = name.lower()
        if name == "recipient address" or not blocks:
            blocks.append({})
        blocks[-1].setdefault(name, value.strip())
    recipients: list[Recipient] = []
    for block in blocks:
        address = block.get("recipient address") or block.get("original address")
        if not address:
            continue
        words = block.get("diagnostic code") or block.get("reason")
        if words and ";" in words.split()[0]:
            words = words.split(";", 1)[1]
        remote = block.get("remote system", "").partition(";")[2].split(" ")[0] or None
        recipients.append(
            recipient_of_kind(
                address, kind, words, remote_mta=remote, original=block.get("original address")
            )
        )
    return notice(mail, kind, NAME, f"Messaging Server {kind} notice", recipients)
