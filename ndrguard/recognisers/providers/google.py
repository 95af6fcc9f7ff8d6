"""Gmail, Google Workspace and Google Groups bounces written as text.

Google's reports come from "Mail Delivery Subsystem <mailer-daemon@googlemail.com>" with a null
envelope sender and an X-Failed-Recipients header, in three templates:
  - the classic Gmail one: "Delivery to the following recipient failed permanently:" (or "has
    been delayed:" for a warning), the address indented, "Technical details of permanent
    failure:", "The error that the other server returned was: 550 5.1.1 ...", then
    "----- Original message -----";
  - the newer one: a "** Address not found **", "** Message not delivered **", "** Message
    blocked **" or "** Delivery incomplete **" headline, "Your message wasn't delivered to
    user@example.com because ...", "The response (from the remote server) was:";
  - Google Groups' own: a localised letter saying the group may not exist or the sender may not
    post to it, signed by Google Groups, naming the group only in X-Failed-Recipients.
Newer reports also carry a message/delivery-status part, which the DSN reader takes first; this
module covers those without one, or with an empty one (Google Workspace's "Send mail as"
errors).
"""

from __future__ import annotations

import re

from ndrguard.headers import addresses
from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import make_report, sender_is_daemon
from ndrguard.recognisers.text import (
    ADDRESS,
    first_of,
    from_domain,
    recipient_from_words,
    section,
    status_of_diagnostic,
)
from ndrguard.report import Kind, Recipient, Report

NAME = "google"

_DOMAINS = ("googlemail.com", "google.com", "gmail.com")
_ORIGINAL = ("----- Original message -----", "----- Message header follows -----")
_FAILED = "Delivery to the following recipient failed permanently:"
_FAILED_MANY = "Delivery to the following recipients failed permanently:"
_DELAYED = "Delivery to the following recipient has been delayed:"
_DELAYED_MANY = "Delivery to the following recipients have been delayed:"
_HEADLINES = (
    "** Address not found **",
    "** Message not delivered **",
    "** Message blocked **",
    "** Delivery incomplete **",
    "** Message delayed **",
)
_NEW_RECIPIENT = re.compile(
    r"(?:wasn't delivered to|delivering your message to|Your message to) (" + ADDRESS.pattern + ")"
)
_PARAGRAPH = r"\s*(.+?)(?:\n\s*\n|$)"  # what follows a label, up to the next blank line
_RESPONSE = re.compile(r"The response(?: from the remote server)? was:" + _PARAGRAPH, re.S)
_ERROR = re.compile(r"The error that the other server returned was:" + _PARAGRAPH, re.S)
_DETAILS = re.compile(r"Technical details of (?:permanent|temporary) failure:" + _PARAGRAPH, re.S)
_REMOTE = re.compile(r"\bby ([\w.-]+?)\.? \[[0-9a-fA-F.:]+\]")
_GROUPS = "groups.google.com"


def _fallback_status(diagnostic: str, delayed: bool) -> str:
    """Google's own words when the remote server gave no code."""
    low = diagnostic.lower()
    if "domain name not found" in low or ("dns type 'mx' lookup" in low and "nxdomain" in low):
        return "5.1.2"
    if "did not accept our requests to connect" in low:
        return "4.4.1" if delayed else "5.4.7"
    if "address not found" in low or "couldn't be found" in low:
        return "5.1.1"
    return "4.0.0" if delayed else "5.0.0"


def _recipient(address: str, diagnostic: str, delayed: bool) -> Recipient:
    status = status_of_diagnostic(diagnostic)
    if status is None or status[0] not in "45":
        status = _fallback_status(diagnostic, delayed)
    remote = _REMOTE.search(diagnostic)
    return recipient_from_words(
        address,
        diagnostic,
        action="delayed" if delayed else "failed",
        status=status,
        remote_mta=remote.group(1) if remote else None,
    )


def _classic(report: str, lead: str) -> list[Recipient]:
    delayed = lead in (_DELAYED, _DELAYED_MANY)
    body = section(report, lead) or ""
    listed = ADDRESS.findall(body.partition("Technical details")[0])
    m = _ERROR.search(body) or _DETAILS.search(body)
    diagnostic = m.group(1) if m else ""
    return [_recipient(a, diagnostic, delayed) for a in dict.fromkeys(listed)]


def _newer(mail: Mail, report: str, headline: str) -> list[Recipient]:
    delayed = headline in ("** Delivery incomplete **", "** Message delayed **")
    listed = _NEW_RECIPIENT.findall(report) or _failed_header(mail)
    m = _RESPONSE.search(report)
    diagnostic = m.group(1) if m else (section(report, headline, ("\n\n\n",)) or "")
    if headline == "** Address not found **" and not status_of_diagnostic(diagnostic):
        diagnostic = f"5.1.1 {diagnostic}"
    return [_recipient(a, diagnostic, delayed) for a in dict.fromkeys(listed)]


def _failed_header(mail: Mail) -> list[str]:
    found: list[str] = []
    for value in mail.headers.get_all("x-failed-recipients"):
        found.extend(addresses(value) or ADDRESS.findall(value))
    return found


def recognise(mail: Mail) -> Report | None:
    if from_domain(mail) not in _DOMAINS or not sender_is_daemon(mail):
        return None
    text = mail.text()
    if dsn.has_recipients(mail):  # its RFC 3464 part speaks for it
        return None
    report = text
    for marker in _ORIGINAL:
        report = report.split(marker, 1)[0]
    lead = first_of(report, (_FAILED, _FAILED_MANY, _DELAYED, _DELAYED_MANY))
    headline = first_of(report, _HEADLINES)
    if lead:
        recipients = _classic(report, lead)
        what = "Gmail DSN text"
    elif headline:
        recipients = _newer(mail, report, headline)
        what = f"Google {headline.strip('* ').lower()} report"
    elif _GROUPS in report and "x-failed-recipients" in mail.headers:
        # The letter is localised; only its structure is fixed. The group did not take the
        # message: it may not exist or refuse posts from this sender.
        diagnostic = "Google Groups: the group may not exist or does not accept posts from you"
        recipients = [
            recipient_from_words(a, diagnostic, action="failed", status="5.1.1")
            for a in dict.fromkeys(_failed_header(mail))
        ]
        what = "Google Groups report"
    else:
        return None
    if not recipients:
        return None
    kind = Kind.DELAY if all(r.action == "delayed" for r in recipients) else Kind.FAILURE
    return make_report(mail, kind, NAME, f"{what}, {len(recipients)} recipient(s)", recipients)
