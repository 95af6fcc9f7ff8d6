"""Feedback reports: RFC 5965 ARF and the complaint formats that came before it.

ARF is a multipart/report with report-type=feedback-report whose second part,
message/feedback-report, holds Feedback-Type (abuse, fraud, virus, auth-failure, opt-out...),
User-Agent, Version and optional Original-Mail-From, Original-Rcpt-To, Source-IP, Reported-Domain
fields; the third part is the reported message or its headers. Some generators leave the
report-type parameter off (or fold it oddly), so the message/feedback-report part is enough.

Older and vendor formats without that part:
- Microsoft JMRP (Hotmail/Outlook.com): a multipart/mixed with the reported message attached as
  message/rfc822; the attached header block carries X-HmXmrOriginalRecipient, and the subject
  reads "complaint about message from <IP>".
- AOL's pre-ARF feedback loop: "Client TOS Notification" with the message attached.
- Apple Mail's one-click unsubscribe: a mail to the List-Unsubscribe mailto address with
  `X-Apple-Unsubscribe: true`; an opt-out, which ARF calls feedback too.

Amazon SES complaints arrive as SNS JSON and are read by the SES provider module.
"""

from __future__ import annotations

import re

from ndrguard.headers import first_address
from ndrguard.mail import Mail, Part, normalise_newlines
from ndrguard.recognisers.common import make_report
from ndrguard.recognisers.fields import parse_fields
from ndrguard.recognisers.lookalikes.signs import auto_submitted, report_parts, subject
from ndrguard.report import Kind, Recipient, Report

NAME = "feedback"

_JMRP_SUBJECT = re.compile(r"\bcomplaint about message from\b", re.IGNORECASE)
_AOL_SUBJECT = re.compile(r"^\s*client tos notification\b", re.IGNORECASE)


def recognise(mail: Mail) -> Report | None:
    parts = report_parts(mail, "message/feedback-report")
    if parts:
        return _arf(mail, parts[0])
    if mail.root.maintype == "multipart":
        attached = _attached_message(mail)
        if attached is not None:
            rcpt = attached.headers.get("x-hmxmroriginalrecipient")
            if rcpt or _JMRP_SUBJECT.search(subject(mail)):
                recipients = [Recipient(address=first_address(rcpt) or rcpt)] if rcpt else []
                return make_report(
                    mail,
                    Kind.FEEDBACK,
                    NAME,
                    "Microsoft JMRP complaint (reported message attached)",
                    recipients,
                )
            if _AOL_SUBJECT.search(subject(mail)):
                return make_report(
                    mail, Kind.FEEDBACK, NAME, "AOL feedback-loop complaint (pre-ARF format)"
                )
    unsubscribe = (mail.headers.get("x-apple-unsubscribe") or "").strip().lower()
    if unsubscribe == "true" and auto_submitted(mail):
        return make_report(
            mail, Kind.FEEDBACK, NAME, "opt-out request sent by Apple Mail's unsubscribe button"
        )
    return None


def _arf(mail: Mail, part: Part) -> Report:
    text = normalise_newlines(part.decoded(mail.limits.decoded_bytes)).decode("utf-8", "replace")
    fields: dict[str, str] = {}
    rcpts: list[str] = []
    for m in re.finditer(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*)$", text, re.MULTILINE):
        name, value = m.group(1).lower(), m.group(2).strip()
        if name in ("original-rcpt-to", "removal-recipient"):
            addr = first_address(value)
            if addr and addr not in rcpts:
                rcpts.append(addr)
        fields.setdefault(name, value)
    if not fields:  # some generators fold the fields; the DSN reader copes with that
        fields = parse_fields(text)[0]
    ftype = (fields.get("feedback-type") or "unspecified").split()[0]  # empty in truncated reports
    agent = fields.get("user-agent")
    reason = f"RFC 5965 feedback report, Feedback-Type: {ftype}"
    if agent:
        reason += f", from {agent}"
    recipients = [Recipient(address=a, diagnostic=f"feedback-type {ftype}") for a in rcpts]
    return make_report(mail, Kind.FEEDBACK, NAME, reason, recipients)


def _attached_message(mail: Mail) -> Part | None:
    """The first message/rfc822 right under the top-level multipart (depth 1)."""
    for child in mail.root.children:
        if child.content_type in ("message/rfc822", "message/global") and child.children:
            return child.children[0]
    return None
