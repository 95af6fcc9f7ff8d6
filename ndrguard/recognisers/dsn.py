"""RFC 3464 delivery status notifications: the one standard format.

A message/delivery-status part holds one per-message block (Reporting-MTA, Arrival-Date...)
and one block per recipient (Final-Recipient, Action, Status, Diagnostic-Code, Remote-MTA),
separated by blank lines. Real MTAs bend it: Exchange leaves out the blank lines, qmail-ldap
and others put the fields in text/plain, some base64-encode the part, some repeat the
per-message block. So the fields are read leniently (`fields`), one recipient starting at each
Final-Recipient (or Original-Recipient when Final-Recipient is missing).

Challenge-response services (Boxbe) send their challenge in this format too, the recipient only
"delayed" (4.7.0, sender not pre-approved): a delay report whose text asks the sender to join a
guest list is left to the challenge recogniser.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail, normalise_newlines, per_mail
from ndrguard.recognisers.common import (
    DIAGNOSTIC_REPLY,
    clean_line,
    kind_for_action,
    make_report,
    smtp_replies,
    status_from_reply,
    status_in,
)
from ndrguard.recognisers.fields import address_of, host_of, parse_fields, status_parts
from ndrguard.recognisers.lookalikes import challenge
from ndrguard.report import Kind, Recipient, Report

NAME = "dsn"

_ACTIONS = {"failed", "delayed", "delivered", "relayed", "expanded"}


@per_mail
def has_recipients(mail: Mail) -> bool:
    """The message's own RFC 3464 part names recipients, so this reader should answer.

    The text readers that run before this one (Postfix's notice, the automatically generated
    DSN notice, the providers' templates) step aside unless the part is missing or names no
    one (Postfix's "delivery report unavailable", some gateways' bare parts).
    """
    for part in status_parts(mail):
        text = part.decoded(mail.limits.decoded_bytes).decode("utf-8", "replace")
        if recipients_from(parse_fields(text)[1]):
            return True
    return False


def recipients_from(fields: list[dict[str, str]]) -> list[Recipient]:
    out = []
    for f in fields:
        address = address_of(f.get("final-recipient")) or address_of(f.get("original-recipient"))
        if not address:
            continue
        diagnostic = _diagnostic_text(f.get("diagnostic-code"))
        status = status_in(f.get("status")) or status_in(diagnostic)
        if status is None and diagnostic:  # McAfee and others give only the SMTP reply
            reply = DIAGNOSTIC_REPLY.match(diagnostic.lstrip())
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
    if any(r.diagnostic is None for r in recipients):
        _diagnostics_from_text(mail.text(), recipients)
    kind = kind_for_action(r.action for r in recipients)
    if not recipients:
        kind = Kind.FAILURE
    if kind is Kind.DELAY and challenge.asks_to_release(mail):
        return None  # "sender not pre-approved, add yourself to my guest list": a challenge
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


_NOTE_CHARS = 800  # how far after a recipient's address its note in the text may reach
# Recipients looked up in the text at most: each is one search of the whole text, and a report
# naming thousands (a hostile one) must stay linear.
_NOTE_RECIPIENTS = 100


def _diagnostics_from_text(text: str, recipients: list[Recipient]) -> None:
    """Fill in a missing Diagnostic-Code from the report's human-readable part.

    Diagnostic-Code is optional (RFC 3464 section 2.3.6) and some MTAs leave it out where the
    text part quotes the server's reply beside the address: Courier's delay warnings list
    `<user@host>:` and then the dialogue (`>>> RCPT TO:<...>`, `<<< 451 4.7.1 ...`). The
    reply is taken only from the lines right after the address, up to the next blank line,
    so that one recipient never gets another's.
    """
    low = text.lower()
    for r in recipients[:_NOTE_RECIPIENTS]:
        if r.diagnostic is not None or not r.address:
            continue
        at = low.find(r.address.lower())
        if at < 0:
            continue
        end = text.find("\n\n", at)
        note = text[at : min(at + _NOTE_CHARS, end if end >= 0 else len(text))]
        reply = next(smtp_replies(note), None)
        if reply is None:
            continue
        stop = note.find("\n", reply.start())
        r.diagnostic = clean_line(note[reply.start() : stop if stop >= 0 else len(note)])
