"""The "We had trouble delivering your message. Full details follow:" notice.

Which product writes it is not documented anywhere we could read (Sisimai files it as "X6",
an unknown MTA), so the module is named after the notice's own opening line.

It opens "We had trouble delivering your message. Full details follow:", quotes the original's
Subject and Date, says "N error(s):" and writes one sentence per failure: "The following
recipients returned permanent errors: ADDRESS. Reason: ..." or "SMTP Server <HOST> rejected
recipient <ADDRESS> (Error following RCPT command). It responded as follows: [550 ...]". The
original's headers come back as an attachment.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import dedupe, kind_for_action, notice
from ndrguard.recognisers.text import after, first_address_in, marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "trouble-delivering"

_OPENING = "We had trouble delivering your message"
_COUNT = re.compile(r"^\d+ error\(s\):\s*$", re.MULTILINE)
_SERVER = re.compile(r"SMTP Server <([^<>\s]+)>")
_TEMPORARY = ("temporary error", "temporarily")


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, _OPENING)
    if text is None:
        return None
    count = _COUNT.search(text)
    if count is None:
        return None
    recipients = []
    for line in text[count.end() :].split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("The attachment contains"):
            break
        address = first_address_in(line)
        if address is None:
            continue
        kind = Kind.DELAY if any(t in line.lower() for t in _TEMPORARY) else Kind.FAILURE
        server = _SERVER.search(line)
        words = after(line, "Reason:") or after(line, "responded as follows:") or line
        recipients.append(
            recipient_of_kind(address, kind, words, remote_mta=server.group(1) if server else None)
        )
    recipients = dedupe(recipients)
    kind = kind_for_action(r.action for r in recipients)
    return notice(
        mail,
        kind,
        NAME,
        f"gateway {kind} notice ('We had trouble delivering your message')",
        recipients,
    )
