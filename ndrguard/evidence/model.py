"""Evidence: one fact about a bounce, how much it proves, and the words that explain it.

Kept apart from the sources so that each source module and the verdict import only this, and
so that a stored verdict can be read back without gathering anything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ndrguard.report import Kind

# What each kind of report is called in a sentence to the user.
KIND_WORDS = {
    Kind.FAILURE: "bounce",
    Kind.DELAY: "delay warning",
    Kind.DELIVERED: "delivery notice",
    Kind.AUTOREPLY: "auto-reply",
    Kind.CHALLENGE: "challenge",
    Kind.FEEDBACK: "feedback report",
    Kind.RECEIPT: "read receipt",
    Kind.OTHER: "message",
}


class Strength(StrEnum):
    """How far one fact goes towards a verdict.

    Only the two `proves-*` strengths decide anything on their own; `suggests-legit` is shown to
    the user but never keeps a bounce by itself, because the facts behind it can be forged.
    `unreadable` is evidence that could have proved the bounce real but could not be read (the
    Sent folder is missing, DNS did not answer for a DKIM key): it is not evidence of forgery,
    so it holds the bounce as pending until it can be read.
    """

    PROVES_LEGIT = "proves-legit"
    PROVES_FORGED = "proves-forged"
    SUGGESTS_LEGIT = "suggests-legit"
    UNREADABLE = "unreadable"
    NONE = "none"


class Source(StrEnum):
    """Where a piece of evidence comes from; one module of this package each."""

    BATV = "batv"  # a BATV tag on the address the bounce came back to
    OWN_RELAY = "own-relay"  # the bounce was written by the user's own relay
    SENT = "sent"  # the returned Message-ID (or the reply's In-Reply-To) is in Sent
    DKIM = "dkim"  # the returned original carries the user's DKIM signature
    RECEIVED = "received"  # the returned original passed the user's relay, says Received:


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact, as `kind`, `strength` and a plain sentence for the user (`detail`)."""

    kind: Source
    strength: Strength
    detail: str

    @property
    def proves_legit(self) -> bool:
        return self.strength is Strength.PROVES_LEGIT

    @property
    def proves_forged(self) -> bool:
        return self.strength is Strength.PROVES_FORGED

    def to_json(self) -> dict[str, str]:
        return {"kind": str(self.kind), "strength": str(self.strength), "detail": self.detail}
