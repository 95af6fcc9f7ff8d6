"""Microsoft Exchange Server 2007 to 2019: the NDR template with an administrators' section.

Exchange writes a part for people ("Delivery has failed to these recipients or groups:") and a
fixed part for administrators:

    Diagnostic information for administrators:
    Generating server: mail.example.org
    Receiving server: mx.example.com (192.0.2.1)        (when a remote server refused)

    user@example.com
    #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##          (Exchange 2007/2010)
    Remote Server returned '550 5.1.1 ...'                       (Exchange 2013 and later)
    3/09/2016 8:05:56 PM - Remote Server at host (ip) returned '550 4.4.7 QUEUE.Expired; ...'

    Original message headers:

The message/delivery-status part, when there is one, is read first by the DSN reader; this
module is for the many Exchange NDRs (relayed, converted, or from older versions) that carry
only the text. Office 365 writes the same template (see `office365`).
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import from_mail_system, make_report
from ndrguard.recognisers.text import ADDRESS, first_of, recipient_from_words, section
from ndrguard.report import Kind, Recipient, Report

NAME = "exchange2007"

ADMIN_MARKER = "Diagnostic information for administrators:"
ORIGINAL_MARKERS = ("Original message headers:", "Original Message Headers")
FAILED_PHRASES = (
    "Delivery has failed to these recipients or groups:",
    "Delivery has failed to these recipients or distribution lists:",
)
DELAYED_PHRASES = (
    "Delivery is delayed to these recipients or groups:",
    "Delivery is delayed to these recipients or distribution lists:",
    "This message hasn't been delivered yet",
)
_GENERATING = re.compile(r"^[ \t]*Generating server:[ \t]*(\S+)", re.MULTILINE)
_RECEIVING = re.compile(r"^[ \t]*Receiving server:[ \t]*(\S+)", re.MULTILINE)
_REMOTE_AT = re.compile(r"Remote Server at (\S+)")
_RETURNED = re.compile(r"returned '(.+?)'(?:\s|$)", re.S)
_ONLY_ADDRESS = re.compile(r"^[ \t]*<?(" + ADDRESS.pattern + r")>?[ \t]*$")
_MAILTO = re.compile(r"<mailto:(" + ADDRESS.pattern + r")>")


def read_admin_section(text: str) -> tuple[list[Recipient], str | None]:
    """Recipients and the generating server from the administrators' section of `text`."""
    admin = section(text, ADMIN_MARKER, ORIGINAL_MARKERS)
    if admin is None:
        return [], None
    generating = _GENERATING.search(admin)
    receiving = _RECEIVING.search(admin)
    blocks: list[tuple[str, list[str]]] = []
    for line in admin.split("\n"):
        m = _ONLY_ADDRESS.match(line)
        if m:
            blocks.append((m.group(1), []))
        elif blocks and line.strip():
            blocks[-1][1].append(line.strip())
    out = []
    for address, lines in blocks:
        body = " ".join(lines)
        remote = _REMOTE_AT.search(body) or receiving
        out.append(
            recipient_from_words(
                address,
                _diagnostic(body),
                remote_mta=remote.group(1) if remote else None,
            )
        )
    return out, generating.group(1) if generating else None


def _diagnostic(body: str) -> str | None:
    """The server's words: inside "returned '...'", or between Exchange 2007's # marks."""
    m = _RETURNED.search(body)
    if m:
        return m.group(1)
    if body.startswith("#"):
        return body.strip("# ")
    return body or None


def kind_of(text: str) -> Kind:
    """A delay when only the delay wording appears; a failure otherwise."""
    if first_of(text, DELAYED_PHRASES) and not first_of(text, FAILED_PHRASES):
        return Kind.DELAY
    return Kind.FAILURE


def user_part_recipients(text: str) -> list[Recipient]:
    """Addresses named in the people's part ("Name<mailto:user@example.org>")."""
    seen: dict[str, Recipient] = {}
    for m in _MAILTO.finditer(text.split(ADMIN_MARKER, 1)[0]):
        seen.setdefault(m.group(1).lower(), recipient_from_words(m.group(1), None, action="failed"))
    return list(seen.values())


def report_from_text(mail: Mail, text: str, name: str, what: str) -> Report | None:
    """The Report for an Exchange NDR text, or None when it names no recipient."""
    recipients, generating = read_admin_section(text)
    if not recipients:
        recipients = user_part_recipients(text)
    if not recipients:
        return None
    kind = kind_of(text)
    if kind is Kind.DELAY:
        for r in recipients:
            r.action = "delayed"
    return make_report(
        mail,
        kind,
        name,
        f"{what}, {len(recipients)} recipient(s)",
        recipients,
        reporting_mta=generating,
    )


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    text = mail.text()
    if ADMIN_MARKER not in text or "Generating server:" not in text:
        return None
    if dsn.has_recipients(mail):  # its RFC 3464 part speaks for it
        return None
    return report_from_text(
        mail, text, NAME, "Exchange NDR text (diagnostic information for administrators)"
    )
