"""Postfix: the bounce(8) templates and the SMTP server's error notices.

Postfix writes its notices from fixed templates (bounce(5)): "This is the mail system at host
HOST." (older releases: "This is the Postfix program at host HOST." and "I'm sorry to have to
inform you that the message returned below could not be delivered"), then one paragraph per
recipient that starts at the left margin with `<address>:` or `<address> (expanded from
<alias>):` and continues indented. The delay template adds a "THIS IS A WARNING ONLY" banner and
the subject "Delayed Mail (still being retried)"; the success template says "successfully
delivered". When the bounce daemon lost its log it writes "--- Delivery report unavailable ---"
and the recipient is only in the returned message's To:.

Most Postfix bounces carry an RFC 3464 part, which the DSN reader handles. This module runs
before it only to step in where that part names nobody (report unavailable) or where there is
no such part at all: Postfix installs with DSN off, and relays that pasted Postfix's report
into a plain-text notice. The SMTP server also mails "errors from CLIENT" notices with the
session transcript to the postmaster; their recipients are the RCPT TO arguments.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn, filters
from ndrguard.recognisers.common import dedupe, from_mail_system, make_report, returned_recipients
from ndrguard.recognisers.text import recipient_of_kind
from ndrguard.report import Kind, Recipient, Report

NAME = "postfix"

_MARKERS = (
    "This is the mail system at host",
    "This is the Postfix program at host",
    "I'm sorry to have to inform you that",
    "THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND",
)
_WARNING = "THIS IS A WARNING ONLY"
_DELIVERED = "was successfully delivered"
_UNAVAILABLE = "--- Delivery report unavailable ---"
# A recipient paragraph: `<addr>: text` or `<addr> (expanded from <alias>): text` at the margin,
# continued by indented lines.
_PARAGRAPH = re.compile(
    r"^<([^<>\s]+)>(?: \(expanded from\s+<([^<>\s]*)>\))?:[ \t]*(.*(?:\n[ \t]+\S.*)*)",
    re.MULTILINE,
)
_TRANSCRIPT_RCPT = re.compile(r"^ In:\s+RCPT\s+TO:\s*<([^<>\s]+)>", re.MULTILINE | re.IGNORECASE)
_TRANSCRIPT_ERROR = re.compile(r"^ Out:\s+([45]\d\d\b.*)", re.MULTILINE)
_REPORTER = re.compile(r"at host ([\w.-]+?)\.?\s*$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    subject = filters.subject(mail)
    if not from_mail_system(mail):
        return None
    text = mail.text()
    if "SMTP server: errors from " in subject and "Transcript of session follows" in text:
        return _session_notice(mail, text)
    if not any(marker in text for marker in _MARKERS):
        return None
    if dsn.has_recipients(mail):
        return None  # a complete RFC 3464 part: the DSN reader answers
    if _WARNING in text or subject.startswith("Delayed Mail"):
        kind = Kind.DELAY
    elif _DELIVERED in text:
        kind = Kind.DELIVERED
    else:
        kind = Kind.FAILURE
    recipients = _paragraphs(text, kind)
    if not recipients and _UNAVAILABLE in text:
        recipients = [
            recipient_of_kind(to, kind, "delivery report unavailable")
            for to in returned_recipients(mail)
        ][:1]
    if not recipients:
        return None
    host = _REPORTER.search(text)
    return make_report(
        mail,
        kind,
        NAME,
        f"Postfix {kind} notice, {len(recipients)} recipient(s)",
        recipients,
        reporting_mta=host.group(1) if host else None,
    )


def _paragraphs(text: str, kind: Kind) -> list[Recipient]:
    out = []
    for m in _PARAGRAPH.finditer(text):
        address, alias, words = m.groups()
        if "@" not in address and not alias:
            continue
        out.append(recipient_of_kind(address, kind, words, original=alias or None))
    return dedupe(out)


def _session_notice(mail: Mail, text: str) -> Report:
    """ "Postfix SMTP server: errors from CLIENT": the transcript of a refused session."""
    error = _TRANSCRIPT_ERROR.search(text)
    words = error.group(1) if error else None
    recipients = dedupe(
        [
            recipient_of_kind(m.group(1), Kind.FAILURE, words)
            for m in _TRANSCRIPT_RCPT.finditer(text)
        ]
    )
    return make_report(
        mail,
        Kind.FAILURE,
        NAME,
        "Postfix SMTP server error notice with the session transcript",
        recipients,
    )
