"""Courier MTA: "This is a delivery status notification from HOST, running the Courier mail
server, version N."

Courier's notice (courier/module.dsn) names its section in capitals, "UNDELIVERABLE MAIL"
("Your message to the following recipients cannot be delivered:"), "DELAYED MAIL" ("...has not
been delivered yet") or "DELIVERED MAIL", then one paragraph per recipient: `<address>:` at the
margin, the remote host indented ("    mx.example.org [192.0.2.1]:") and the dialogue
(">>> RCPT TO:<address>", "<<< 550 ..."). Courier always adds an RFC 3464 part, which the DSN
reader reads first; this module reads the text of relays that stripped that part.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import notice
from ndrguard.recognisers.text import marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "courier"

_GREETING = re.compile(
    r"This is a delivery status notification from ([\w.-]+),\s*running the Courier mail server"
)
_SECTIONS = (("DELAYED MAIL", Kind.DELAY), ("DELIVERED MAIL", Kind.DELIVERED))
_PARAGRAPH = re.compile(r"^<([^<>\s]+@[^<>\s]+)>:[ \t]*\n((?:.*\S.*(?:\n|$))*)", re.MULTILINE)
_REMOTE = re.compile(r"^[ \t]+([\w-]+(?:\.[\w-]+)+) \[[\d.:a-fA-F]+\]:", re.MULTILINE)
_REPLY = re.compile(r"^<<<\s*(.*)$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, "running the Courier mail server")
    if text is None:
        return None
    greeting = _GREETING.search(text)
    kind = next((k for title, k in _SECTIONS if title in text), Kind.FAILURE)
    recipients = []
    for m in _PARAGRAPH.finditer(text):
        block = m.group(2)
        replies = _REPLY.findall(block)
        remote = _REMOTE.search(block)
        words = " ".join(replies) if replies else block
        recipients.append(
            recipient_of_kind(
                m.group(1), kind, words, remote_mta=remote.group(1) if remote else None
            )
        )
    return notice(
        mail,
        kind,
        NAME,
        f"Courier {kind} notice",
        recipients,
        reporting_mta=greeting.group(1) if greeting else None,
    )
