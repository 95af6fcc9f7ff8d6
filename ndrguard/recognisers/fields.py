"""The field grammar of delivery, feedback and disposition reports.

RFC 3464 (DSN), RFC 5965 (ARF) and RFC 8098 (MDN) write their machine-readable parts the same
way: blocks of `Name: value` fields separated by blank lines, addresses as `rfc822; user@host`,
hosts as `dns; mx.example.org`. The DSN reader, the feedback and receipt recognisers and the MTA
and provider readers that find such fields pasted into a text all read them here, so one
leniency (Exchange's missing blank lines, fields in any order) serves every one of them.
"""

from __future__ import annotations

import re

from ndrguard.headers import first_address
from ndrguard.mail import Mail, Part

_FIELD = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*(?:\n[ \t]+.*)*)", re.MULTILINE)
_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
_PER_MESSAGE = {"reporting-mta", "arrival-date", "received-from-mta", "dsn-gateway"}
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")


def status_parts(mail: Mail) -> list[Part]:
    """The message's own RFC 3464 / RFC 6533 status parts, in walk order."""
    plain, utf8 = (mail.report_parts(t) for t in _STATUS_PARTS)
    if not utf8:
        return plain
    if not plain:
        return utf8
    order = {id(p): n for n, p in enumerate(mail.parts)}
    return sorted(plain + utf8, key=lambda p: order[id(p)])


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
            if (
                starts > 1
                and name in ("original-recipient", "final-recipient")
                and (
                    current is None
                    or name in current
                    or (
                        name == "original-recipient"
                        and ("action" in current or "status" in current)
                    )
                )
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
