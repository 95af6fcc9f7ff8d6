"""What a recogniser concludes about one message: the Report and its parts.

These are plain values so that the service can store them, the CLI can print them and a milter
could reuse them without dragging the parser along.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What an automated message is. Bounces proper are FAILURE; the rest are look-alikes."""

    FAILURE = "failure"  # delivery failed for good (an NDR / DSN with Action: failed)
    DELAY = "delay"  # still trying; a warning, not a failure
    DELIVERED = "delivered"  # success DSN: delivered, relayed or expanded
    AUTOREPLY = "autoreply"  # RFC 3834 auto-replies: vacation, out-of-office, ticket receipts
    CHALLENGE = "challenge"  # challenge-response: "confirm you are human to get through"
    FEEDBACK = "feedback"  # RFC 5965 ARF abuse / complaint reports
    RECEIPT = "receipt"  # RFC 8098 MDN read receipts and their vendor equivalents
    OTHER = "other"  # anything else: ordinary mail

    @property
    def is_delivery_report(self) -> bool:
        return self in (Kind.FAILURE, Kind.DELAY, Kind.DELIVERED)


class Shape(StrEnum):
    """How much of the original came back with a delivery report."""

    FULL = "full"  # the whole original, attached or inline
    PARTIAL = "partial"  # its headers only (text/rfc822-headers with no body, or quoted)
    EMPTY = "empty"  # nothing recognisable of the original


@dataclass(slots=True)
class Recipient:
    """One recipient of the original as the report describes it (RFC 3464 per-recipient fields)."""

    address: str  # final recipient, as written
    original: str | None = None  # Original-Recipient, when the report gives it
    action: str | None = None  # failed | delayed | delivered | relayed | expanded
    status: str | None = None  # enhanced status code, "5.1.1"
    diagnostic: str | None = None  # the remote server's words, one line
    remote_mta: str | None = None  # the server that refused or accepted

    def to_json(self) -> dict[str, str | None]:
        return {
            "address": self.address,
            "original": self.original,
            "action": self.action,
            "status": self.status,
            "diagnostic": self.diagnostic,
            "remote_mta": self.remote_mta,
        }


@dataclass(slots=True)
class Original:
    """What came back of the message the report is about.

    `raw_headers` keeps the header block byte for byte (as far as it survived) because DKIM
    verification needs the exact bytes; `raw` is the whole returned message when its body came
    back too.
    """

    message_id: str | None = None
    from_: str | None = None
    to: str | None = None
    subject: str | None = None
    date: str | None = None
    return_path: str | None = None
    received: list[str] = field(default_factory=list)
    dkim_signatures: list[str] = field(default_factory=list)
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    body_returned: bool = False
    raw_headers: bytes = b""
    raw: bytes | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "from": self.from_,
            "to": self.to,
            "subject": self.subject,
            "date": self.date,
            "return_path": self.return_path,
            "received": list(self.received),
            "dkim_signature": bool(self.dkim_signatures),
            "body_returned": self.body_returned,
        }


@dataclass(slots=True)
class Report:
    """The recogniser's answer for one message."""

    kind: Kind
    recognised_by: str  # the recogniser that decided, e.g. "dsn", "postfix", "triage"
    reason: str  # one line a person can read
    shape: Shape | None = None  # only for failure, delay and delivered
    recipients: list[Recipient] = field(default_factory=list)
    reporting_mta: str | None = None
    original: Original | None = None
    defects: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "shape": str(self.shape) if self.shape else None,
            "recipients": [r.to_json() for r in self.recipients],
            "reporting_mta": self.reporting_mta,
            "original": self.original.to_json() if self.original else None,
            "recognised_by": self.recognised_by,
            "reason": self.reason,
            "defects": list(self.defects),
        }
