"""Yahoo! Mail (and AOL since it moved onto Yahoo's servers) bounces.

Yahoo's MTA writes a qmail-like text from MAILER-DAEMON:

    Sorry, we were unable to deliver your message to the following address.

    <user@example.org>:
    Remote host said: 550 5.1.1 <user@example.org>... User Unknown [RCPT_TO]

    --- Below this line is a copy of the message.

The bracketed tail names the SMTP command the remote server refused at; it is dropped from the
diagnostic. Some versions put the reply on the next line, or write "550: ..." without "Remote
host said:".
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import notice
from ndrguard.recognisers.text import (
    indented_blocks,
    recipient_from_words,
    section,
    status_of_diagnostic,
    template_text,
)
from ndrguard.report import Kind, Report

NAME = "yahoo"

LEAD = "Sorry, we were unable to deliver your message to the following address"
ORIGINAL = "--- Below this line is a copy of the message."
_COMMAND = re.compile(r"\s*\[(?:RCPT_TO|MAIL_FROM|DATA|CONNECT|HELO|EHLO|BODY)\]\s*$")
_SAID = re.compile(r"^Remote host said:\s*")


def recognise(mail: Mail) -> Report | None:
    text = template_text(mail, LEAD, ORIGINAL)
    if text is None:
        return None
    listed = section(text, LEAD, (ORIGINAL,)) or ""
    recipients = []
    for address, lines in indented_blocks(listed.split("\n", 1)[-1]):
        words = _COMMAND.sub("", _SAID.sub("", " ".join(lines)))
        expired = "after multiple retries" in words
        status = "5.4.7" if expired else status_of_diagnostic(words) or "5.0.0"
        recipients.append(recipient_from_words(address, words, action="failed", status=status))
    return notice(mail, Kind.FAILURE, NAME, "Yahoo! Mail failure notice", recipients)
