"""From a fetched message to the service's decision: recognise, gather evidence, decide.

The core answers with a verdict and an action under the account's policy; the service only
adds what the core cannot know: when the message arrived (the server's INTERNALDATE where the
store has one), the Sent index in the state database, and an empty identity for accounts that
have none yet (nothing can then prove a bounce real, which is exactly what the policies expect
of such an account).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ndrguard import parse, recognise
from ndrguard.arrival import arrival_time
from ndrguard.identity import Identity
from ndrguard.sent_index import SentIndex, normalise_message_id
from ndrguard.service.engine.facts import report_facts
from ndrguard.service.store.state import State
from ndrguard.verdict import Outcome, decide


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # the Report's kind
    verdict: str  # legit | backscatter | undecided | not-a-bounce
    reason: str
    evidence: list[dict[str, object]]
    quarantine: bool  # the policy's action for this verdict
    facts: dict[str, Any] | None = None  # facts.report_facts, for bounces and look-alikes


# The whole message, and when it arrived if the store knows (Head.arrived).
Decide = Callable[[bytes, datetime | None], Decision]


class StateSentIndex:
    """The Sent index in the state database, as the core's SentIndex protocol asks."""

    def __init__(self, state: State, account: str) -> None:
        self._state = state
        self._account = account

    def __contains__(self, message_id: object) -> bool:
        if not isinstance(message_id, str):
            return False
        bare = normalise_message_id(message_id)
        return bool(bare) and self._state.is_sent(self._account, bare)


def core_decider(identity: Identity | None, policy: str, sent: SentIndex | None) -> Decide:
    """The core's verdict (ndrguard.verdict.decide) under `policy`, for the scanner."""
    who = identity or Identity()

    def run(raw: bytes, arrived: datetime | None) -> Decision:
        mail = parse(raw)
        report = recognise(mail)
        # Stores without INTERNALDATE (Maildir): the top Received stamp, else Date, else now.
        when = arrived or arrival_time(mail) or datetime.now(UTC)
        v = decide(report, who, policy=policy, sent=sent, arrived=when, message=mail)
        return Decision(
            kind=str(report.kind),
            verdict=str(v.verdict),
            reason=v.reason,
            evidence=[e.to_json() for e in v.evidence],
            quarantine=v.quarantine,
            facts=None if v.verdict is Outcome.NOT_A_BOUNCE else report_facts(report),
        )

    return run
