"""RFC 3464 delivery status notifications: the one standard format.

A message/delivery-status part holds one per-message block (Reporting-MTA, Arrival-Date...)
and one block per recipient (Final-Recipient, Action, Status, Diagnostic-Code, Remote-MTA),
separated by blank lines. Real MTAs bend it: Exchange leaves out the blank lines, qmail-ldap
and others put the fields in text/plain, some base64-encode the part, some repeat the
per-message block. So the fields are read leniently, one recipient starting at each
Final-Recipient (or Original-Recipient when Final-Recipient is missing).
"""

from __future__ import annotations

import re

from ndrguard.headers import first_address
from ndrguard.mail import Mail, Part, normalise_newlines
from ndrguard.recognisers.common import (
    SMTP_REPLY,
    clean_line,
    kind_for_action,
    make_report,
    status_from_reply,
    status_in,
)
from ndrguard.report import Kind, Recipient, Report

NAME = "dsn"

_FIELD = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*(?:\n[ \t]+.*)*)", re.MULTILINE)
_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
_PER_MESSAGE = {"reporting-mta", "arrival-date", "received-from-mta", "dsn-gateway"}
_ACTIONS = {"failed", "delayed", "delivered", "relayed", "expanded"}
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")


def status_parts(mail: Mail) -> list[Part]:
    return [
        p for p in mail.walk() if p.content_type in _STATUS_PARTS and not p.in_attachment
    ]


def parse_fields(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Per-message fields and a list of per-recipient field sets.

    Blocks are read one at a time: a block with a single recipient field belongs to that
    recipient whatever the order of its fields (MessageLabs, Facebook and McAfee put
    Final-Recipient last); a block with several (Exchange writes no blank lines) is split where
    each recipient starts.
    """
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    for block in _BLOCK_BREAK.split(text):
        fields = [
            (m.group(1).lower(), " ".join(m.group(2).split())) for m in _FIELD.finditer(block)
        ]
        starts = sum(1 for name, _ in fields if name == "final-recipient") or sum(
            1 for name, _ in fields if name == "original-recipient"
        )
        current: dict[str, str] | None = {} if starts == 1 else None
        if current is not None:
            recipients.append(current)
        for name, value in fields:
            # Postfix and others write Final-Recipient before Original-Recipient, so an
            # Original-Recipient only opens a new recipient once the current one holds its
            # Action or Status.
            if starts > 1 and name in ("original-recipient", "final-recipient") and (
                current is None
                or name in current
                or (name == "original-recipient" and ("action" in current or "status" in current))
            ):
                current = {}
                recipients.append(current)
            if current is None or name in _PER_MESSAGE:
                per_message.setdefault(name, value)
            if current is not None:
                current.setdefault(name, value)
    return per_message, recipients


def address_of(field: str | None) -> str | None:
    """`rfc822; user@example.org` to the address; other address types are kept as written."""
    if not field:
        return None
    kind, sep, value = field.partition(";")
    value = value.strip() if sep else kind.strip()
    return first_address(value) or value.strip("<> ") or None


def host_of(field: str | None) -> str | None:
    """`dns; mx.example.org` (or `smtp; ...`) to the host name."""
    if not field:
        return None
    _, sep, value = field.partition(";")
    value = (value if sep else field).strip()
    host = value.split()[0] if value else ""
    return host.strip("[]<>") or None


def recipients_from(fields: list[dict[str, str]]) -> list[Recipient]:
    out = []
    for f in fields:
        address = address_of(f.get("final-recipient")) or address_of(f.get("original-recipient"))
        if not address:
            continue
        diagnostic = _diagnostic_text(f.get("diagnostic-code"))
        status = status_in(f.get("status")) or status_in(diagnostic)
        if status is None and diagnostic:  # McAfee and others give only the SMTP reply
            reply = SMTP_REPLY.match(diagnostic.lstrip())
            status = status_from_reply(reply.group(1) if reply else None)
        action = (f.get("action") or "").strip().lower() or None
        if action and action.split()[0] in _ACTIONS:
            action = action.split()[0]
        elif status:
            action = {"5": "failed", "4": "delayed", "2": "delivered"}.get(status[0])
        out.append(
            Recipient(
                address=address,
                original=address_of(f.get("original-recipient")),
                action=action,
                status=status,
                diagnostic=clean_line(diagnostic),
                remote_mta=host_of(f.get("remote-mta")),
            )
        )
    return out


def _diagnostic_text(value: str | None) -> str | None:
    """`smtp; 550 5.1.1 ...` to `550 5.1.1 ...`: the type prefix is noise for people."""
    if not value:
        return None
    kind, sep, rest = value.partition(";")
    if sep and re.fullmatch(r"[\w-]+", kind.strip()):
        return rest.strip()
    return value


def recognise(mail: Mail) -> Report | None:
    parts = status_parts(mail)
    if not parts:
        return None
    per_message: dict[str, str] = {}
    fields: list[dict[str, str]] = []
    for part in parts:
        raw = normalise_newlines(part.decoded(mail.limits.decoded_bytes))
        text = raw.decode("utf-8", "replace")
        pm, rs = parse_fields(text)
        for k, v in pm.items():
            per_message.setdefault(k, v)
        fields.extend(rs)
    recipients = recipients_from(fields)
    if not recipients and not per_message:
        return None
    kind = kind_for_action(r.action for r in recipients)
    if not recipients:
        kind = Kind.FAILURE
    actions = sorted({r.action or "?" for r in recipients})
    reason = (
        f"RFC 3464 delivery status report, {len(recipients)} recipient(s), "
        f"action {', '.join(actions) or 'none given'}"
    )
    return make_report(
        mail,
        kind,
        NAME,
        reason,
        recipients,
        reporting_mta=host_of(per_message.get("reporting-mta")),
    )
