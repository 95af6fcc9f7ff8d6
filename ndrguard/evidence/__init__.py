"""Evidence: the facts that tell a real bounce from backscatter, one module per source.

`gather` asks every source and returns their answers in a fixed order (strongest kind of proof
first), each a plain `Evidence`, so that the verdict can explain itself and a user can see what
was looked at even when nothing was found. Sources never raise on odd mail and never do I/O:
the Sent index, the arrival time and the DKIM key lookup are handed in by the caller.
"""

from __future__ import annotations

from datetime import datetime

from ndrguard.evidence import batv, dkim, own_relay, received, sent
from ndrguard.evidence.dkim import KeyLookup, KeyUnavailable
from ndrguard.evidence.model import Evidence, Source, Strength
from ndrguard.identity import Identity
from ndrguard.mail import Mail
from ndrguard.report import Report
from ndrguard.sent_index import SentIndex

__all__ = ["Evidence", "KeyLookup", "KeyUnavailable", "Source", "Strength", "gather"]


def gather(
    report: Report,
    identity: Identity,
    *,
    sent_index: SentIndex | None = None,
    sent_unreadable: str | None = None,
    arrived: datetime | None = None,
    dkim_lookup: KeyLookup | None = None,
    message: Mail | None = None,
) -> tuple[Evidence, ...]:
    """Every source's answer about `report`, one Evidence each.

    `message` is the bounce itself (its headers carry the BATV tag and the relay's Received
    chain); without it only what came back of the original can be judged. `sent_unreadable`
    says why the Sent folder could not be read, when it could not.
    """
    return (
        own_relay.evidence(report, identity, message),
        batv.evidence(report, identity, arrived, message),
        sent.evidence(report, sent_index, message, sent_unreadable),
        dkim.evidence(report, identity, dkim_lookup),
        received.evidence(report, identity),
    )
