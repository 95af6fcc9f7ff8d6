"""From a fetched message to the service's decision, through the core's one entry point.

The core (ndrguard.judge) decides; this module only hands it what the service knows and the
core cannot: when the message arrived (the server's INTERNALDATE where the store has one), the
Sent index in the state database and what could not be read of the Sent folder, the DKIM key
lookup over DNS, the clock, and an empty identity for accounts that have none yet (nothing can
then prove a bounce real, which is exactly what the policies expect of such an account).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ndrguard.evidence import KeyLookup
from ndrguard.identity import Identity
from ndrguard.judge import JudgeContext, Judgement, judge
from ndrguard.sent_index import SentIndex, normalise_message_id
from ndrguard.service.store.state import State
from ndrguard.verdict import Policy


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # the Report's kind
    verdict: str  # an Outcome: legit | backscatter | undecided | pending | not-a-bounce
    reason: str
    evidence: list[dict[str, object]]
    quarantine: bool  # the policy's action for this verdict
    facts: dict[str, Any] | None = None  # Judgement.facts, for bounces and look-alikes

    @classmethod
    def of(cls, judgement: Judgement) -> Decision:
        v = judgement.verdict
        assert v is not None, "the service always judges with an identity"
        return cls(
            kind=str(judgement.kind),
            verdict=str(v.verdict),
            reason=v.reason,
            evidence=[dict(e.to_json()) for e in v.evidence],
            quarantine=v.quarantine,
            facts=judgement.facts,
        )


class StateSentIndex:
    """The Sent index in the state database, as the core's SentIndex protocol asks.

    `extra` holds Message-IDs read from the Sent folder but not written to the state: what a
    dry run reads, so that it judges on the same evidence as the real scan.
    """

    def __init__(self, state: State, account: str, extra: frozenset[str] = frozenset()) -> None:
        self._state = state
        self._account = account
        self._extra = extra

    def __contains__(self, message_id: object) -> bool:
        if not isinstance(message_id, str):
            return False
        bare = normalise_message_id(message_id)
        return bool(bare) and (bare in self._extra or self._state.is_sent(self._account, bare))


class AccountJudge:
    """One account's judge: the core's `judge` with the account's context.

    The scanner tells it at the start of every pass what it could read of the Sent folder
    (`reading_sent`), so that a Sent folder that went missing holds bounces as pending instead
    of letting them pass for unproven.
    """

    def __init__(self, context: JudgeContext) -> None:
        self.context = context

    def reading_sent(self, sent: SentIndex | None, unreadable: str | None) -> None:
        self.context = replace(self.context, sent=sent, sent_unreadable=unreadable)

    def judgement(self, raw: bytes, arrived: datetime | None) -> Judgement:
        # Stores without INTERNALDATE (Maildir): the core reads the top Received stamp, else
        # Date, else the service's clock.
        return judge(raw, replace(self.context, arrived=arrived, now=datetime.now(UTC)))

    def __call__(self, raw: bytes, arrived: datetime | None) -> Decision:
        return Decision.of(self.judgement(raw, arrived))


def account_judge(
    identity: Identity | None,
    policy: Policy | str,
    sent: SentIndex | None,
    dkim_lookup: KeyLookup | None = None,
) -> AccountJudge:
    """The judge for an account with `identity` under `policy`, before its first pass."""
    return AccountJudge(
        JudgeContext(
            identity=identity or Identity(),
            policy=policy if isinstance(policy, Policy) else Policy.parse(policy),
            sent=sent,
            dkim_lookup=dkim_lookup,
        )
    )
