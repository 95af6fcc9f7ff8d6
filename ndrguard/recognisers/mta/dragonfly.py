"""DragonFly Mail Agent (dma), the small MTA of DragonFly BSD and some Linux distributions.

dma's bounce (dma/net.c, dma.c) is one fixed text: "This is the DragonFly Mail Agent vX at
HOST." then "There was an error delivering your mail to <address>." then the remote server's
words ("HOST [IP] did not like our RCPT TO:" and the reply) or dma's own ("Could not deliver for
the last N seconds. Giving up."), then "Message headers follow." and the original's headers.
dma sends no warnings, so every such notice is a failure for one recipient.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import make_report
from ndrguard.recognisers.text import after, before, marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "dragonfly"

_GREETING = re.compile(r"^This is the DragonFly Mail Agent\b.*? at ([\w.-]+?)\.?\s*$", re.MULTILINE)
_ERROR = re.compile(r"There was an error delivering your mail to <([^<>\s]+)>\.")
_HEADERS = "Message headers follow."
_REMOTE = re.compile(r"^([\w.-]+) \[[\d.:a-fA-F]+\] did not like our", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, "DragonFly Mail Agent")
    if text is None:
        return None
    greeting = _GREETING.search(text)
    error = _ERROR.search(text)
    if greeting is None or error is None:
        return None
    words = before(after(text, error.group(0)) or "", _HEADERS)
    remote = _REMOTE.search(words)
    rcpt = recipient_of_kind(
        error.group(1), Kind.FAILURE, words, remote_mta=remote.group(1) if remote else None
    )
    return make_report(
        mail,
        Kind.FAILURE,
        NAME,
        "DragonFly Mail Agent failure notice",
        [rcpt],
        reporting_mta=greeting.group(1),
    )
