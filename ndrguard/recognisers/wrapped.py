"""A relay that wraps another server's bounce (sisimai's X5, seen from a filtering appliance).

The appliance sends its own short "The original message was received at ... ----- The
following addresses had permanent delivery errors -----" text, lists nobody, and attaches the
real bounce as message/rfc822: a complete multipart/report with its own RFC 3464 part. The DSN
reader skips status parts inside an attachment (they describe some other message in ordinary
mail), so this module reads them only when the outer message is itself a mail-system notice
whose own text names no recipient and whose attachment is a mail-system report.
"""

from __future__ import annotations

from ndrguard.mail import Mail, Part, normalise_newlines
from ndrguard.recognisers import dsn, fields
from ndrguard.recognisers.common import from_mail_system, kind_for_action, make_report
from ndrguard.recognisers.mta.sendmail import SECTION
from ndrguard.report import Report

NAME = "wrapped"

_STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    if SECTION.search(mail.text()) is None:
        return None
    inner = [p for p in mail.walk() if p.in_attachment and p.content_type in _STATUS_TYPES]
    if not inner or not _wrapped_by_report(mail, inner[0]):
        return None
    blocks = []
    per_message: dict[str, str] = {}
    for part in inner:
        text = normalise_newlines(part.decoded(mail.limits.decoded_bytes)).decode(
            "utf-8", "replace"
        )
        pm, rs = fields.parse_fields(text)
        for k, v in pm.items():
            per_message.setdefault(k, v)
        blocks.extend(rs)
    recipients = dsn.recipients_from(blocks)
    if not recipients:
        return None
    kind = kind_for_action(r.action for r in recipients)
    return make_report(
        mail,
        kind,
        NAME,
        f"relay's notice wrapping another server's DSN, {len(recipients)} recipient(s)",
        recipients,
        reporting_mta=fields.host_of(per_message.get("reporting-mta")),
    )


def _wrapped_by_report(mail: Mail, status: Part) -> bool:
    """The status part sits in an attached multipart/report at the first level of nesting."""
    for part in mail.walk():
        if part.content_type == "message/rfc822" and not part.in_attachment and part.children:
            child = part.children[0]
            if child.content_type == "multipart/report" and status.depth == child.depth + 1:
                return True
    return False
