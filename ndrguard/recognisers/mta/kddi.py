"""KDDI's au one net mail system (dion.ne.jp and the like).

Its notice is one fixed English block, optionally after a Japanese paragraph:
"Your mail sent on: DATE" / "Could not be delivered to: <address>" / a reason line ("As their
mailbox is full.", "Due to the following SMTP relay error", "The remote host did not
respond"), with the original attached as message/rfc822. Some of these come from a
"no-reply" address with a normal envelope sender, so besides the usual mail-system sender the
attached original counts as the structural evidence: ordinary mail does not pair that fixed
block with a returned message.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import from_mail_system, make_report
from ndrguard.recognisers.text import recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "kddi"

_BLOCK = re.compile(
    r"Your mail sent on:.*\n\s*Could not be delivered to:\s*<([^<>\s]+@[^<>\s]+)>\s*\n\s*(.*)"
)


def recognise(mail: Mail) -> Report | None:
    text = mail.text()
    if "Could not be delivered to:" not in text:
        return None
    block = _BLOCK.search(text)
    if block is None:
        return None
    returned = any(p.content_type == "message/rfc822" for p in mail.walk())
    if not (from_mail_system(mail) or returned):
        return None
    rcpt = recipient_of_kind(block.group(1), Kind.FAILURE, block.group(2))
    return make_report(mail, Kind.FAILURE, NAME, "au one net (KDDI) failure notice", [rcpt])
