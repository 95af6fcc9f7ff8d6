"""Mimecast's own delivery failure notices.

When Mimecast's gateway gives up on a message it sends an alert from postmaster with the
X-Mimecast-* header fields, one notice per failed recipient, in a dash-prefixed layout:

    An email that you attempted to send to the following address could not be delivered:
    -- user@example.org

    The problem appears to be :
    -- Recipient email address is possibly incorrect

    Additional information follows :
    -- 5.4.1 Recipient address rejected: Access denied. [...]

Mimecast's relayed reports that carry a message/delivery-status part are read by the DSN
reader.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import make_report, status_from_words
from ndrguard.recognisers.text import (
    ADDRESS,
    recipient_from_words,
    section,
    status_of_diagnostic,
    template_text,
)
from ndrguard.report import Kind, Report

NAME = "mimecast"

_LEAD = "An email that you attempted to send to the following address could not be delivered:"
_PROBLEM = "The problem appears to be :"
_MORE = "Additional information follows :"
_DASHED = re.compile(r"^[ \t]*--[ \t]*(.+)$", re.M)


def _dashed(text: str | None) -> str:
    """The dash-prefixed lines of one section, joined."""
    return " ".join(m.group(1).strip() for m in _DASHED.finditer(text or ""))


def recognise(mail: Mail) -> Report | None:
    text = template_text(mail, _LEAD, _PROBLEM)
    if text is None:
        return None
    addresses = ADDRESS.findall(section(text, _LEAD, (_PROBLEM,)) or "")
    if not addresses:
        return None
    problem = _dashed(section(text, _PROBLEM, (_MORE,)))
    more = _dashed(section(text, _MORE, ("\n\n",)))
    words = more or problem
    status = status_of_diagnostic(more) or status_from_words(f"{problem} {more}")
    recipients = [
        recipient_from_words(a, words, action="failed", status=status)
        for a in dict.fromkeys(addresses)
    ]
    return make_report(
        mail,
        Kind.FAILURE,
        NAME,
        f"Mimecast delivery failure notice ({problem or 'no reason given'})",
        recipients,
    )
