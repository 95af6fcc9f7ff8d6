"""MailFoundry (an anti-spam gateway): "Unable to deliver message to: <address>".

MailFoundry's notice is one block per recipient: "Unable to deliver message to: <address>",
"Delivery failed for the following reason:" and the remote server's reply on the next line,
closed by "This has been a permanent failure.  No further delivery attempts will be made." A
temporary failure says it will keep trying instead, and is a warning.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import notice
from ndrguard.recognisers.text import marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "mailfoundry"

_BLOCK = re.compile(
    r"^Unable to deliver message to: <([^<>\s]+)>\s*\n"
    r"Delivery failed for the following reason:\s*\n(.+)$",
    re.MULTILINE,
)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, "Delivery failed for the following reason:")
    if text is None:
        return None
    kind = (
        Kind.FAILURE
        if "permanent failure" in text or "No further delivery" in text
        else (Kind.DELAY)
    )
    recipients = [recipient_of_kind(a, kind, words) for a, words in _BLOCK.findall(text)]
    return notice(mail, kind, NAME, f"MailFoundry {kind} notice", recipients)
