"""Amazon SES notifications delivered by e-mail through SNS, as JSON.

An SES identity can have its bounce, complaint and delivery notifications published to an SNS
topic with an e-mail subscription. They arrive from "no-reply@sns.amazonaws.com" with the
x-amz-sns-* header fields, subject "AWS Notification Message", and a body that is one JSON
object (sometimes still wrapped in SNS's envelope, with the notification as a string in
"Message"), followed by SNS's unsubscribe footer:

    {"notificationType": "Bounce" | "Complaint" | "Delivery",
     "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress", "action",
                "status", "diagnosticCode"}], "reportingMTA": "dsn; ..."},
     "complaint": {"complainedRecipients": [{"emailAddress"}], ...},
     "delivery": {"recipients": [...], "smtpResponse": "250 ...", "reportingMTA": "..."},
     "mail": {"messageId", "commonHeaders": {"messageId", "from", "to", "subject"}, ...}}

Bounce is a failure (SES sends it only once it has given up), Complaint is feedback, Delivery
is a success report. SES's ordinary bounces with a DSN part are read by the DSN reader.
"""

from __future__ import annotations

import json
from typing import Any

from ndrguard.headers import message_ids
from ndrguard.mail import Mail
from ndrguard.recognisers import fields
from ndrguard.recognisers.common import make_report
from ndrguard.recognisers.text import from_domain, recipient_from_words
from ndrguard.report import Kind, Original, Recipient, Report, Shape

NAME = "amazonses"

_KINDS = {"bounce": Kind.FAILURE, "complaint": Kind.FEEDBACK, "delivery": Kind.DELIVERED}


def _from_sns(mail: Mail) -> bool:
    return from_domain(mail) == "sns.amazonaws.com" or "x-amz-sns-message-id" in mail.headers


def notification(text: str) -> dict[str, Any] | None:
    """The SES notification object in an SNS e-mail body, or None."""
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end < start:
        return None
    body = text[start : end + 1]
    # SNS e-mail breaks long lines with "!" + newline + space; undo that before parsing.
    for candidate in (body, body.replace("!\n ", ""), body.replace("\n", "")):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("Message"), str):
            try:
                data = json.loads(data["Message"])
            except ValueError:
                return None
        if isinstance(data, dict) and isinstance(data.get("notificationType"), str):
            return data
        return None
    return None


def _recipients(kind: Kind, data: dict[str, Any]) -> list[Recipient]:
    if kind is Kind.FAILURE:
        bounce = data.get("bounce") or {}
        out = []
        for r in bounce.get("bouncedRecipients") or []:
            if isinstance(r, dict) and r.get("emailAddress"):
                code = str(r.get("diagnosticCode") or "")
                diagnostic = code.partition(";")[2].strip() if ";" in code[:12] else code
                status = r.get("status") if isinstance(r.get("status"), str) else None
                out.append(
                    recipient_from_words(
                        r["emailAddress"], diagnostic, action="failed", status=status
                    )
                )
        return out
    if kind is Kind.FEEDBACK:
        complaint = data.get("complaint") or {}
        return [
            Recipient(address=r["emailAddress"])
            for r in complaint.get("complainedRecipients") or []
            if isinstance(r, dict) and r.get("emailAddress")
        ]
    delivery = data.get("delivery") or {}
    return [
        recipient_from_words(a, delivery.get("smtpResponse"), action="delivered")
        for a in delivery.get("recipients") or []
        if isinstance(a, str)
    ]


def _original(data: dict[str, Any]) -> Original | None:
    """The sent message's headers as SES quotes them in "mail"."""
    sent = data.get("mail") or {}
    common = sent.get("commonHeaders") or {}
    if not common:
        return None

    def joined(name: str) -> str | None:
        value = common.get(name)
        return ", ".join(value) if isinstance(value, list) else value

    mid = message_ids(common.get("messageId"))
    return Original(
        message_id=mid[0] if mid else None,
        from_=joined("from"),
        to=joined("to"),
        subject=common.get("subject"),
        date=common.get("date"),
        return_path=sent.get("source"),
    )


def recognise(mail: Mail) -> Report | None:
    if not _from_sns(mail):
        return None
    data = notification(mail.text())
    if data is None:
        return None
    kind = _KINDS.get(data["notificationType"].lower())
    if kind is None:
        return None
    recipients = _recipients(kind, data)
    section = data.get(data["notificationType"].lower()) or {}
    report = make_report(
        mail,
        kind,
        NAME,
        f"Amazon SES {data['notificationType']} notification (JSON), "
        f"{len(recipients)} recipient(s)",
        recipients,
        reporting_mta=fields.host_of(section.get("reportingMTA")),
    )
    original = _original(data)
    if original is not None and report.original is None:
        report.original = original
        if kind.is_delivery_report:
            report.shape = Shape.PARTIAL
    return report
