"""DMARC and SMTP TLS reports: what receiving servers report about the user's domain.

Failure reports (RFC 7489 section 7.3, "forensic" reports) are about one message that failed
DMARC at a receiver, usually one forged in the user's name: that is feedback in RFC 6591's
sense, so they are FEEDBACK. Most are ARF with `Feedback-Type: auth-failure`, which the feedback
recogniser reads by their message/feedback-report part. This module reads the ones without that
part: Exim's built-in DMARC support (libopendmarc) sends a multipart/report with no report-type,
a single text part and `Auto-Submitted: auto-replied`, under "DMARC Forensic Report for
<domain> from IP <address>" and "A message claiming to be from you has failed the published
DMARC policy for your domain", then the failed message's headers; other generators title it
"DMARC Failure Report".

Aggregate reports (RFC 7489 section 7.2: zipped XML sent to the rua address, subject "Report
Domain: <domain> Submitter: <receiver> Report-ID: <id>", attachment named
receiver!domain!begin!end) and SMTP TLS reports (RFC 8460: multipart/report;
report-type=tlsrpt, TLS-Report-Domain and TLS-Report-Submitter fields) are a day's statistics
about the user's domain, not a reply to any message the user sent. They are not backscatter and
must never be quarantined, so they are OTHER; this module answers for them, rather than letting
them through, so that no later recogniser reads their "failed" counts and the automation marks
on them as a bounce or an auto-reply.

A bounce of such a report is still a bounce: every rule here reads only the report's own parts,
and a message with an RFC 3464 delivery-status part is left to the bounce recognisers.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import is_list_mail, make_report
from ndrguard.recognisers.lookalikes.signs import (
    head_text,
    report_type,
    strong_automation,
    subject,
)
from ndrguard.report import Kind, Report

NAME = "dmarc"

_FAILURE_SUBJECT = re.compile(r"\bDMARC (?:forensic|failure) report\b", re.IGNORECASE)
_FAILURE_TEXT = re.compile(
    r"\bfailed (?:the )?(?:published )?DMARC policy\b|^[ \t]*DMARC Results?[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
_SENDER_DOMAIN = re.compile(r"^[ \t]*Sender Domain[ \t]*:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)
_AGGREGATE_SUBJECT = re.compile(r"^\s*report[ -]?domain:\s*\S+\s+submitter:\s*\S+", re.IGNORECASE)
# receiver!policy-domain!begin-timestamp!end-timestamp[!unique-id].xml.gz / .zip / .json.gz
_REPORT_FILE = re.compile(r"^[^!\s]+![^!\s]+!\d{9,}!\d{9,}(?:![^.]*)?\.(?:xml|json|zip|gz)")


def recognise(mail: Mail) -> Report | None:
    subj = subject(mail)
    if report_type(mail) == "tlsrpt" or "tls-report-domain" in mail.headers.names():
        what = "SMTP TLS report (RFC 8460)"
    elif _AGGREGATE_SUBJECT.search(subj) or _has_report_file(mail):
        what = "DMARC aggregate report (RFC 7489 section 7.2)"
    elif _FAILURE_SUBJECT.search(subj) and not is_list_mail(mail):
        return _failure_report(mail)
    else:
        return None
    if _has_delivery_status(mail):
        return None
    return make_report(
        mail, Kind.OTHER, NAME, f"{what}: statistics about the domain, not about a message"
    )


def _failure_report(mail: Mail) -> Report | None:
    if not (mail.root.content_type == "multipart/report" or strong_automation(mail)):
        return None  # a person writing about a failure report
    text = head_text(mail, 2000)
    if not _FAILURE_TEXT.search(text) or _has_delivery_status(mail):
        return None
    domain = _SENDER_DOMAIN.search(text)
    about = f" for {domain.group(1)}" if domain else ""
    return make_report(
        mail, Kind.FEEDBACK, NAME, f"DMARC failure report without an ARF part{about} (RFC 6591)"
    )


def _has_delivery_status(mail: Mail) -> bool:
    """An RFC 3464 part: a bounce, perhaps of one of these reports, for the bounce recognisers."""
    return any(
        p.content_type in ("message/delivery-status", "message/global-delivery-status")
        for p in mail.walk()
        if not p.in_attachment
    )


def _has_report_file(mail: Mail) -> bool:
    """An aggregate report's attachment, named as RFC 7489 section 7.2.1.1 prescribes."""
    return any(
        _REPORT_FILE.match(part.filename or "")
        for part in mail.walk()
        if not part.in_attachment and part.maintype != "multipart"
    )
