"""The one way from a message's bytes to what it is and what to do with it.

Every caller (`ndrguard classify`, the service's scan, its dry run, `rejudge`, the demo and
the benches) calls `judge` with the raw bytes and a `JudgeContext` that holds everything the
caller knows: the user's identity, the account's policy, the Sent index, when the message
arrived, a DKIM key lookup, and which evidence could not be read. Before this module the steps
(parse, recognise, arrival time, gather, decide) were assembled in three places, and the copies
drifted: the service never checked DKIM while `classify` did. One path cannot drift.

Still pure: the Sent index and the key lookup are the caller's objects, the clock is the
caller's `now`, and nothing here opens a file or a socket.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ndrguard.facts import report_facts
from ndrguard.mail import Mail, parse
from ndrguard.recognise import read
from ndrguard.report import Kind, Report

if TYPE_CHECKING:
    # Only for the types: recognising without an identity (classify without --identity) never
    # loads the evidence and verdict modules, whose imports are most of a small run's cost.
    from ndrguard.evidence import KeyLookup
    from ndrguard.identity import Identity
    from ndrguard.sent_index import SentIndex
    from ndrguard.verdict import Policy, Verdict


@dataclass(frozen=True, slots=True)
class JudgeContext:
    """What the caller knows about the user and the message, beyond the bytes.

    `identity` None means "recognise only": the judgement then has no verdict (`classify`
    without `--identity`). `sent_unreadable` names why the Sent folder could not be read (it is
    missing, misnamed, the server refused it): the Sent evidence is then "could not be read",
    which holds a bounce as pending instead of letting it pass for unproven. `arrived` is when
    the message reached the user (IMAP INTERNALDATE); when the store does not know, the
    message's own topmost Received: date is used, and `now` after that.
    """

    identity: Identity | None = None
    policy: Policy | str = "evidence"  # a Policy; its name is enough
    sent: SentIndex | None = None
    sent_unreadable: str | None = None
    dkim_lookup: KeyLookup | None = None
    arrived: datetime | None = None
    now: datetime | None = None

    def arriving(self, arrived: datetime | None) -> JudgeContext:
        """The same context for a message that arrived at `arrived` (None: read it from the
        message)."""
        return self if arrived == self.arrived else replace(self, arrived=arrived)


@dataclass(frozen=True, slots=True)
class Judgement:
    """The report and, with an identity, the verdict on one message, judged together."""

    mail: Mail
    report: Report
    verdict: Verdict | None
    arrived: datetime | None  # the arrival time the verdict was judged on

    @property
    def kind(self) -> Kind:
        return self.report.kind

    @property
    def facts(self) -> dict[str, Any] | None:
        """What the summary shows about a bounce or look-alike; None for ordinary mail."""
        if self.report.kind is Kind.OTHER:
            return None
        return report_facts(self.report)

    @property
    def pending(self) -> bool:
        """Whether evidence that could have kept it was not readable (judge again later)."""
        return self.verdict is not None and self.verdict.verdict == "pending"


def judge(raw: bytes, context: JudgeContext) -> Judgement:
    """Parse, recognise and (with an identity) decide, on everything `context` holds."""
    mail, report = read(parse(raw))
    if context.identity is None:
        return Judgement(mail, report, None, context.arrived)
    from ndrguard.arrival import arrival_time  # email.utils: only a verdict needs the date
    from ndrguard.verdict import decide

    arrived = context.arrived or arrival_time(mail) or context.now
    verdict = decide(
        report,
        context.identity,
        policy=context.policy,
        sent=context.sent,
        sent_unreadable=context.sent_unreadable,
        arrived=arrived,
        dkim_lookup=context.dkim_lookup,
        message=mail,
    )
    return Judgement(mail, report, verdict, arrived)
