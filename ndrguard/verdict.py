"""From evidence to a verdict, under the policy the user chose for the account.

The verdict says what the message *is* as far as the evidence goes (legit, backscatter,
undecided, not-a-bounce); the action says what the service does with it (keep, quarantine).
They differ on purpose: under `block-all` a proven real bounce is still quarantined, and its
verdict must still say it was real so that the summary can tell the user so.

The rules, the same for every kind of automated mail (bounces, delay warnings, auto-replies,
challenges, receipts and feedback reports can all be backscatter):

- any proving-legit evidence makes the verdict `legit`, even against a forged tag (a real
  bounce must never be lost; the bad tag is named in the reason, with what it suggests);
- otherwise evidence that could have proved it real but could not be read (the Sent folder is
  missing, DNS did not answer for a DKIM key) makes it `pending`: kept where it is and judged
  again when the evidence can be read, since what could not be read is no sign of forgery
  (not under `block-all`, where a proof would not keep it either: feedback reports excepted);
- otherwise proving-forged evidence makes it `backscatter`;
- otherwise nothing is proved: `undecided` under `monitor` and `evidence`, `backscatter` under
  `batv` and `block-all`, whose users have said that unproved bounces are not theirs — except
  for feedback reports, which are never called backscatter without proof (see `_action`).

docs/verdicts.md explains the same for users, with the actions of each policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ndrguard.evidence import Evidence, KeyLookup, Source, Strength, gather
from ndrguard.evidence.model import KIND_WORDS
from ndrguard.identity import Identity
from ndrguard.mail import Mail
from ndrguard.report import Kind, Report
from ndrguard.sent_index import SentIndex
from ndrguard.vocabulary import Action, Outcome, Policy

__all__ = ["Action", "Outcome", "Policy", "Verdict", "decide", "judge"]


# Proofs named in a reason in this order: the most certain and easiest to understand first.
_PROOF_ORDER = (Source.OWN_RELAY, Source.BATV, Source.SENT, Source.DKIM, Source.RECEIVED)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on one message, with everything needed to explain it later."""

    verdict: Outcome
    action: Action
    policy: Policy
    kind: Kind
    evidence: tuple[Evidence, ...]
    reason: str  # one sentence naming the proof (or saying that there was none)

    @property
    def quarantine(self) -> bool:
        return self.action is Action.QUARANTINE

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": str(self.verdict),
            "action": str(self.action),
            "policy": str(self.policy),
            "kind": str(self.kind),
            "evidence": [e.to_json() for e in self.evidence],
            "reason": self.reason,
        }


def decide(
    report: Report,
    identity: Identity,
    *,
    policy: Policy | str = Policy.EVIDENCE,
    sent: SentIndex | None = None,
    sent_unreadable: str | None = None,
    arrived: datetime | None = None,
    dkim_lookup: KeyLookup | None = None,
    message: Mail | None = None,
) -> Verdict:
    """Gather the evidence about `report` and judge it under `policy`.

    `message` is the parsed bounce itself: without it the BATV tag on the address it was
    delivered to and the relay's own Received chain cannot be seen, so pass it whenever the
    raw bytes are at hand. `arrived` is when the bounce reached the user (IMAP INTERNALDATE);
    without it BATV expiry cannot be judged and a good tag only suggests a real bounce.
    Callers normally go through ndrguard.judge, which hands all of this in from the bytes.
    """
    policy = policy if isinstance(policy, Policy) else Policy.parse(policy)
    if report.kind is Kind.OTHER:
        return Verdict(
            Outcome.NOT_A_BOUNCE,
            Action.KEEP,
            policy,
            report.kind,
            (),
            f"Not a bounce: {report.reason}.",
        )
    found = gather(
        report,
        identity,
        sent_index=sent,
        sent_unreadable=sent_unreadable,
        arrived=arrived,
        dkim_lookup=dkim_lookup,
        message=message,
    )
    return judge(report.kind, found, policy)


def judge(kind: Kind, evidence: tuple[Evidence, ...], policy: Policy) -> Verdict:
    """The verdict and action for evidence already gathered (the rules in the module doc)."""
    legit = _ordered(evidence, Strength.PROVES_LEGIT)
    forged = _ordered(evidence, Strength.PROVES_FORGED)
    hints = _ordered(evidence, Strength.SUGGESTS_LEGIT)
    unread = _ordered(evidence, Strength.UNREADABLE)
    what = KIND_WORDS[kind]
    if legit:
        outcome = Outcome.LEGIT
        reason = f"Real {what}: {legit[0].detail}"
        if forged:
            reason += f" ({_although(forged[0])})"
    elif unread and not (policy is Policy.BLOCK_ALL and kind is not Kind.FEEDBACK):
        # (Under block-all a proof would not keep the bounce anyway, so nothing waits for it.)
        outcome = Outcome.PENDING
        reason = (
            f"Waiting: {unread[0].detail}; what could not be read is no sign of forgery, so "
            f"the {what} stays where it is and is judged again when it can be read"
        )
    elif forged:
        outcome = Outcome.BACKSCATTER
        reason = f"Backscatter: {forged[0].detail}"
    elif policy in (Policy.BATV, Policy.BLOCK_ALL) and kind is not Kind.FEEDBACK:
        outcome = Outcome.BACKSCATTER
        reason = (
            f"Taken for backscatter under the {policy} policy: nothing proves that you sent "
            f"the message this {what} answers"
        )
    else:
        outcome = Outcome.UNDECIDED
        reason = (
            f"Undecided: nothing proves or disproves that you sent the message this {what} answers"
        )
    if hints and outcome is Outcome.BACKSCATTER:
        # One voice: a hint the other way is a note on the verdict, not a second opinion.
        reason += f" (noted, and outweighed: {hints[0].detail})"
    elif hints and outcome is not Outcome.LEGIT:
        reason += f"; a hint only: {hints[0].detail}"
    action = _action(kind, outcome, policy, legit)
    if action is Action.QUARANTINE and outcome is Outcome.LEGIT:
        reason = f"Quarantined anyway under the block-all policy. {reason}"
    return Verdict(outcome, action, policy, kind, evidence, reason + ".")


def _although(forged: Evidence) -> str:
    """The words on a forged-looking proof that a stronger proof overruled."""
    if forged.kind is Source.BATV:
        return (
            "although the BATV tag it came back to did not verify: since the message is yours, "
            "that suggests your relay's BATV key was rotated or is mistyped in your identity "
            f"file, so check both; the tag check said: {forged.detail}"
        )
    return f"although {forged.detail}"


def _action(kind: Kind, outcome: Outcome, policy: Policy, legit: list[Evidence]) -> Action:
    """What the service does with a verdict under a policy (docs/verdicts.md has the table)."""
    if policy is Policy.MONITOR or outcome in (Outcome.NOT_A_BOUNCE, Outcome.PENDING):
        return Action.KEEP
    if kind is Kind.FEEDBACK:
        # A complaint is addressed to the user on purpose (a feedback loop, abuse@) and may be
        # the only sign that their account sends spam: only a proved forgery is moved away.
        return Action.QUARANTINE if outcome is Outcome.BACKSCATTER else Action.KEEP
    if policy is Policy.BLOCK_ALL:
        # The relay's own bounces are the commonest real ones (a typo in an address, refused at
        # once) and the most certain: they stay even when the user blocks everything else.
        own = any(e.kind is Source.OWN_RELAY for e in legit)
        return Action.KEEP if own else Action.QUARANTINE
    return Action.KEEP if outcome is Outcome.LEGIT else Action.QUARANTINE


def _ordered(evidence: tuple[Evidence, ...], strength: Strength) -> list[Evidence]:
    chosen = [e for e in evidence if e.strength is strength]
    return sorted(chosen, key=lambda e: _PROOF_ORDER.index(e.kind))
