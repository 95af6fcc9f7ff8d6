"""IBM (Lotus) Domino and Notes bounces.

Three layouts, all plain text from the Domino router or the old Lotus SMTP MTA:

  Domino ("DELIVERY FAILURE: ..." subject):     Notes "Delivery Failure Report":
    Your message                                  Your document: <subject>
      Subject: ...                                was not delivered to: user@example.org
    was not delivered to:                         because: User ... not listed in ...
      user@example.org
    because:
      User x (user@example.org) not listed in Domino Directory

  Lotus SMTP MTA:
    ------- Failure Reasons  --------
    <reason>
    user@example.org
    ------- Returned Message --------

The reason is often localised ("... は Domino ディレクトリには見つかりません。"); Domino's
"not listed" wording is the unknown-user case in every language we know of.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import (
    make_report,
    returned_recipients,
    sender_is_daemon,
    status_from_words,
)
from ndrguard.recognisers.text import ADDRESS, recipient_from_words, section, status_of_diagnostic
from ndrguard.report import Kind, Recipient, Report

NAME = "domino"

_NOT_DELIVERED = re.compile(
    r"was not delivered to:?\s*(.*?)\s*because:?\s*(.*?)(?:\n\s*\n|$)", re.S
)
_REASONS = "------- Failure Reasons"
_RETURNED = "------- Returned Message"
# Domino's unknown-user wording: "not listed in Domino Directory", "not listed in public Name
# & Address Book", and the Japanese "ディレクトリ" (directory) forms.
_UNKNOWN = re.compile(r"not listed in|Domino Directory|Name & Address Book|ディレクトリ", re.I)


def _status(reason: str) -> str:
    return status_of_diagnostic(reason) or (
        "5.1.1" if _UNKNOWN.search(reason) else status_from_words(reason)
    )


def _recipients(mail: Mail, text: str) -> list[Recipient]:
    out: list[Recipient] = []
    for m in _NOT_DELIVERED.finditer(text):
        reason = " ".join(m.group(2).split())
        for address in dict.fromkeys(ADDRESS.findall(m.group(1))):
            out.append(
                recipient_from_words(address, reason, action="failed", status=_status(reason))
            )
    if out:
        return out
    failure = section(text, _REASONS, (_RETURNED,))
    if failure is None:
        return out
    lines = [ln.strip() for ln in failure.split("\n")[1:] if ln.strip()]
    reason = " ".join(ln for ln in lines if not ADDRESS.fullmatch(ln))
    named = [ln for ln in lines if ADDRESS.fullmatch(ln)]
    if not named and _RETURNED in text:
        # A reason for the whole message ("Message has exceeded maximum hop count") names no
        # one: the returned copy's To says whom it was for.
        named = returned_recipients(mail)
    for address in named:
        out.append(recipient_from_words(address, reason, action="failed", status=_status(reason)))
    return out


def recognise(mail: Mail) -> Report | None:
    if not sender_is_daemon(mail):
        return None
    text = mail.text()
    if "was not delivered to" not in text and _REASONS not in text:
        return None
    recipients = _recipients(mail, text)
    if not recipients and not (_REASONS in text and _RETURNED in text):
        # Both Lotus SMTP markers are the format itself: a notice that names no one (a loop, a
        # hop count) is still a bounce, only one without a recipient to report.
        return None
    return make_report(
        mail,
        Kind.FAILURE,
        NAME,
        f"Domino / Notes delivery failure report, {len(recipients)} recipient(s)",
        recipients,
    )
