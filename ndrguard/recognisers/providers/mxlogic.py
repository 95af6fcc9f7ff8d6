"""McAfee Email Protection (formerly MX Logic) bounces.

The MX Logic MTA ("mxl_mta" in its Received lines, X-MXL-* header fields) writes an Exim-like
text with the reply on the address line, and quotes only the original's headers:

    This message was created automatically by mail delivery software.
    A message that you have sent could not be delivered to one or more
    recipients.  This is a permanent error.  The following address failed:

      <user@example.org>: 550 5.1.1 <user@example.org>: Recipient address rejected: ...

    Included is a copy of the message header:
    -----------------------------------------
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import notice, status_from_words
from ndrguard.recognisers.text import (
    indented_blocks,
    recipient_from_words,
    section,
    status_of_diagnostic,
    template_text,
)
from ndrguard.report import Kind, Report

NAME = "mxlogic"

_LEAD = "This message was created automatically by mail delivery software."
_ORIGINAL = "Included is a copy of the message header:"
_FAILED = re.compile(r"The following address(?:\(es\))?\s+failed:")


def recognise(mail: Mail) -> Report | None:
    text = template_text(mail, _LEAD, _ORIGINAL)
    if text is None:
        return None
    report = section(text, _LEAD, (_ORIGINAL,)) or ""
    m = _FAILED.search(report)
    if m is None:
        return None
    recipients = []
    for address, lines in indented_blocks(report[m.end() :]):
        words = " ".join(lines)
        status = status_of_diagnostic(words) or status_from_words(words)
        recipients.append(recipient_from_words(address, words, action="failed", status=status))
    return notice(mail, Kind.FAILURE, NAME, "McAfee / MX Logic delivery failure", recipients)
