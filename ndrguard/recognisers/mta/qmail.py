"""qmail and the family that copies its layout (netqmail, vpopmail, qmail-ldap, ISP gateways).

qmail-send's bounce (qmail-send.c) reads "Hi. This is the qmail-send program at HOST." and
"I'm afraid I wasn't able to deliver your message to the following addresses. This is a
permanent error; I've given up." Each recipient is a paragraph: `<address>:` alone on a line,
then qmail-remote's or qmail-local's words ("192.0.2.1 does not like recipient.", "Remote host
said: 550 ...", "Giving up on 192.0.2.1.", "Sorry, I wasn't able to establish an SMTP
connection. (#4.4.1)", "Sorry, no mailbox here by that name. (#5.1.1)"). The returned message
follows "--- Below this line is a copy of the message." (patched versions: "--- Enclosed is a
copy of the message."; some gateways: "--- Original message follows."). qmail only ever mails
permanent failures; a message that waited too long is "I'm not going to try again; this message
has been in the queue too long."

Web-mail providers and appliances built on qmail keep the paragraphs and the copy marker but
change the greeting, so the rule is the marker line plus the `<address>:` paragraphs, not the
greeting.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import dedupe, from_mail_system, make_report
from ndrguard.recognisers.text import before, recipient_of_kind
from ndrguard.report import Kind, Recipient, Report

NAME = "qmail"

_GREETING = "Hi. This is the qmail"
COPY_MARKERS = (
    "--- Below this line is a copy of the message.",
    "--- Enclosed is a copy of the message.",
    "--- Original message follows.",
)
_PARAGRAPH = re.compile(r"^<([^<>\s]+@[^<>\s]+)>:[ \t]*\n((?:[ \t]*\S.*(?:\n|$))*)", re.MULTILINE)
_REMOTE = re.compile(
    r"(?:Giving up on|Connected to|remote host)\s+([\w.:-]+?)\.?(?:\s|$)|"
    r"^(?:.*\s)?([\d.]+|[\w-]+(?:\.[\w-]+)+) (?:does not like recipient|failed after I sent|"
    r"failed on DATA command)",
    re.MULTILINE | re.IGNORECASE,
)
_REPORTER = re.compile(r"^Hi\. This is the qmail[\w-]* program at ([\w.-]+?)\.?\s*$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    text = mail.text()
    if _GREETING not in text and not any(m in text for m in COPY_MARKERS):
        return None
    recipients = read_paragraphs(text, Kind.FAILURE)
    if not recipients:
        return None
    host = _REPORTER.search(text)
    return make_report(
        mail,
        Kind.FAILURE,
        NAME,
        f"qmail-style failure notice, {len(recipients)} recipient(s)",
        recipients,
        reporting_mta=host.group(1) if host else None,
    )


def read_paragraphs(text: str, kind: Kind) -> list[Recipient]:
    """One recipient per `<address>:` paragraph before the copy of the message."""
    report = before(text, *COPY_MARKERS)
    out = []
    for m in _PARAGRAPH.finditer(report):
        words = m.group(2)
        remote = _REMOTE.search(words)
        host = (remote.group(1) or remote.group(2)) if remote else None
        out.append(recipient_of_kind(m.group(1), kind, words, remote_mta=host))
    return dedupe(out)
