"""Verdicts: every policy against every combination of evidence strengths, and the invariants.

The rules (ndrguard/verdict.py, docs/verdicts.md): proving-legit evidence wins, then
proving-forged; without proof `batv` and `block-all` say backscatter and the others undecided;
feedback reports are never called backscatter without proof. Actions: `monitor` moves nothing,
`block-all` quarantines all but the relay's own bounces, feedback is moved only when forged,
otherwise only legit mail is kept.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ndrguard.evidence import Evidence, Source, Strength
from ndrguard.report import Kind, Original, Report, Shape
from ndrguard.sent_index import FrozenSentIndex
from ndrguard.verdict import Action, Outcome, Policy, Verdict, decide, judge
from tests.core.evidence import factory

LOOKALIKES = [k for k in Kind if k is not Kind.OTHER]


def _evidence(strengths: dict[Source, Strength]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(s, strengths.get(s, Strength.NONE), f"{s} says {strengths.get(s)}") for s in Source
    )


def _expected(kind: Kind, ev: tuple[Evidence, ...], policy: Policy) -> tuple[Outcome, Action]:
    """The rules, written out again independently of verdict.py."""
    proved = any(e.strength is Strength.PROVES_LEGIT for e in ev)
    forged = any(e.strength is Strength.PROVES_FORGED for e in ev)
    unread = any(e.strength is Strength.UNREADABLE for e in ev)
    own = any(e.kind is Source.OWN_RELAY and e.strength is Strength.PROVES_LEGIT for e in ev)
    strict = policy in (Policy.BATV, Policy.BLOCK_ALL) and kind is not Kind.FEEDBACK
    if proved:
        outcome = Outcome.LEGIT
    elif unread and not (policy is Policy.BLOCK_ALL and kind is not Kind.FEEDBACK):
        return Outcome.PENDING, Action.KEEP
    elif forged or strict:
        outcome = Outcome.BACKSCATTER
    else:
        outcome = Outcome.UNDECIDED
    if policy is Policy.MONITOR:
        action = Action.KEEP
    elif kind is Kind.FEEDBACK:
        action = Action.QUARANTINE if outcome is Outcome.BACKSCATTER else Action.KEEP
    elif policy is Policy.BLOCK_ALL:
        action = Action.KEEP if own else Action.QUARANTINE
    else:
        action = Action.KEEP if outcome is Outcome.LEGIT else Action.QUARANTINE
    return outcome, action


# Each source can only say what it can say: BATV is the only source of forgery proof, the
# Received chain only ever suggests; only what the caller reads (Sent, DKIM keys) can be unreadable.
_CAN_SAY = {
    Source.OWN_RELAY: (Strength.NONE, Strength.SUGGESTS_LEGIT, Strength.PROVES_LEGIT),
    Source.BATV: tuple(s for s in Strength if s is not Strength.UNREADABLE),
    Source.SENT: (Strength.NONE, Strength.PROVES_LEGIT, Strength.UNREADABLE),
    Source.DKIM: (Strength.NONE, Strength.PROVES_LEGIT, Strength.UNREADABLE),
    Source.RECEIVED: (Strength.NONE, Strength.SUGGESTS_LEGIT),
}
COMBINATIONS = [
    dict(zip(_CAN_SAY, choice, strict=True)) for choice in itertools.product(*_CAN_SAY.values())
]


@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize("kind", LOOKALIKES)
def test_every_policy_and_strength_combination(policy: Policy, kind: Kind) -> None:
    for strengths in COMBINATIONS:
        ev = _evidence(strengths)
        verdict = judge(kind, ev, policy)
        assert (verdict.verdict, verdict.action) == _expected(kind, ev, policy), strengths
        assert verdict.policy is policy and verdict.kind is kind and verdict.evidence == ev
        assert verdict.reason.endswith(".") and verdict.reason[0].isupper()


# The table a user reads in docs/verdicts.md, for a bounce (kind failure).
P, F, S = Strength.PROVES_LEGIT, Strength.PROVES_FORGED, Strength.SUGGESTS_LEGIT
TABLE = [
    # evidence, then verdict/action under: monitor, block-all, batv, evidence
    ({Source.BATV: P}, ["legit/keep", "legit/quarantine", "legit/keep", "legit/keep"]),
    ({Source.OWN_RELAY: P}, ["legit/keep", "legit/keep", "legit/keep", "legit/keep"]),
    ({Source.SENT: P}, ["legit/keep", "legit/quarantine", "legit/keep", "legit/keep"]),
    ({Source.DKIM: P}, ["legit/keep", "legit/quarantine", "legit/keep", "legit/keep"]),
    (
        {Source.BATV: F},
        [
            "backscatter/keep",
            "backscatter/quarantine",
            "backscatter/quarantine",
            "backscatter/quarantine",
        ],
    ),
    (
        {Source.BATV: F, Source.SENT: P},
        ["legit/keep", "legit/quarantine", "legit/keep", "legit/keep"],
    ),
    (
        {Source.RECEIVED: S},
        [
            "undecided/keep",
            "backscatter/quarantine",
            "backscatter/quarantine",
            "undecided/quarantine",
        ],
    ),
    (
        {},
        [
            "undecided/keep",
            "backscatter/quarantine",
            "backscatter/quarantine",
            "undecided/quarantine",
        ],
    ),
]


@pytest.mark.parametrize(("strengths", "row"), TABLE)
def test_the_documented_table(strengths: dict[Source, Strength], row: list[str]) -> None:
    policies = [Policy.MONITOR, Policy.BLOCK_ALL, Policy.BATV, Policy.EVIDENCE]
    for policy, expected in zip(policies, row, strict=True):
        verdict = judge(Kind.FAILURE, _evidence(strengths), policy)
        assert f"{verdict.verdict}/{verdict.action}" == expected, policy


def test_reason_names_the_proof_and_a_bad_tag() -> None:
    ev = (
        Evidence(Source.BATV, F, "the tag's signature is wrong"),
        Evidence(Source.SENT, P, "the Message-ID is in your Sent folder"),
    )
    verdict = judge(Kind.FAILURE, ev, Policy.EVIDENCE)
    assert verdict.reason == (
        "Real bounce: the Message-ID is in your Sent folder (although the BATV tag it came "
        "back to did not verify: since the message is yours, that suggests your relay's BATV "
        "key was rotated or is mistyped in your identity file, so check both; the tag check "
        "said: the tag's signature is wrong)."
    )
    assert judge(Kind.FAILURE, ev[:1], Policy.EVIDENCE).reason == (
        "Backscatter: the tag's signature is wrong."
    )


def test_own_relay_is_named_first_among_proofs() -> None:
    ev = (Evidence(Source.SENT, P, "in Sent"), Evidence(Source.OWN_RELAY, P, "relay wrote it"))
    assert judge(Kind.FAILURE, ev, Policy.EVIDENCE).reason == "Real bounce: relay wrote it."


def test_hints_are_shown_but_never_decide() -> None:
    ev = (Evidence(Source.RECEIVED, S, "it passed your relay"),)
    verdict = judge(Kind.DELAY, ev, Policy.EVIDENCE)
    assert verdict.verdict is Outcome.UNDECIDED
    assert verdict.reason == (
        "Undecided: nothing proves or disproves that you sent the message this delay warning "
        "answers; a hint only: it passed your relay."
    )


def test_a_hint_against_backscatter_is_a_note_on_the_verdict() -> None:
    ev = (
        Evidence(Source.BATV, F, "the tag's signature is wrong"),
        Evidence(Source.RECEIVED, S, "it passed your relay"),
    )
    assert judge(Kind.FAILURE, ev, Policy.EVIDENCE).reason == (
        "Backscatter: the tag's signature is wrong (noted, and outweighed: it passed your relay)."
    )
    policy = judge(Kind.FAILURE, ev[1:], Policy.BATV)
    assert policy.verdict is Outcome.BACKSCATTER and "a hint only" not in policy.reason


def test_block_all_says_why_a_real_bounce_is_quarantined() -> None:
    verdict = judge(Kind.FAILURE, (Evidence(Source.SENT, P, "in Sent"),), Policy.BLOCK_ALL)
    assert verdict.quarantine
    assert verdict.reason.startswith("Quarantined anyway under the block-all policy.")


_evidence_lists = st.lists(
    st.builds(Evidence, st.sampled_from(Source), st.sampled_from(Strength), st.text(max_size=20)),
    max_size=8,
).map(tuple)


@given(_evidence_lists, st.sampled_from(LOOKALIKES), st.sampled_from(Policy))
def test_invariants_hold_for_any_evidence(
    ev: tuple[Evidence, ...], kind: Kind, policy: Policy
) -> None:
    verdict = judge(kind, ev, policy)
    proved = any(e.strength is P for e in ev)
    forged = any(e.strength is F for e in ev)
    # Nothing becomes legit without proof; proof always makes it legit.
    assert (verdict.verdict is Outcome.LEGIT) == proved
    waits = any(e.strength is Strength.UNREADABLE for e in ev) and (
        policy is not Policy.BLOCK_ALL or kind is Kind.FEEDBACK
    )
    # A forged tag is backscatter unless something proves the bounce real or could have.
    if forged and not proved and not waits:
        assert verdict.verdict is Outcome.BACKSCATTER
    # Evidence that could not be read never moves anything unproved (block-all moves the
    # proved ones too, so it does not wait for proof).
    if waits and not proved:
        assert verdict.verdict is Outcome.PENDING and verdict.action is Action.KEEP
    # The relay's own bounces are never backscatter and never moved, under any policy.
    if any(e.kind is Source.OWN_RELAY and e.strength is P for e in ev):
        assert verdict.verdict is Outcome.LEGIT and verdict.action is Action.KEEP
    # Monitor moves nothing; legit mail is only ever moved by block-all.
    if policy is Policy.MONITOR:
        assert verdict.action is Action.KEEP
    if verdict.verdict is Outcome.LEGIT and verdict.quarantine:
        assert policy is Policy.BLOCK_ALL
    # Backscatter is never kept except by monitor.
    if verdict.verdict is Outcome.BACKSCATTER:
        assert verdict.quarantine == (policy is not Policy.MONITOR)
    assert set(verdict.to_json()) >= {"verdict", "policy", "evidence", "reason"}


# -- decide(): from a Report ---------------------------------------------------------------


def test_ordinary_mail_is_not_a_bounce_under_every_policy() -> None:
    report = Report(kind=Kind.OTHER, recognised_by="triage", reason="no sign of automation")
    for policy in Policy:
        verdict = decide(report, factory.identity(), policy=policy)
        assert verdict.verdict is Outcome.NOT_A_BOUNCE and verdict.action is Action.KEEP
        assert verdict.evidence == ()
        assert verdict.reason == "Not a bounce: no sign of automation."


def test_policy_by_name_and_unknown_names() -> None:
    report = Report(kind=Kind.FAILURE, recognised_by="test", reason="x", shape=Shape.EMPTY)
    assert decide(report, factory.identity(), policy="Block-All").policy is Policy.BLOCK_ALL
    with pytest.raises(ValueError, match="choose one of monitor, block-all, batv, evidence"):
        decide(report, factory.identity(), policy="paranoid")


def test_to_json() -> None:
    mail, report = factory.read(factory.dsn(factory.original(sender=factory.tagged())))
    verdict = decide(
        report, factory.identity(), policy="batv", arrived=factory.ARRIVED, message=mail
    )
    data = verdict.to_json()
    evidence = data["evidence"]
    assert isinstance(evidence, list)
    assert data["verdict"] == "legit" and data["policy"] == "batv"
    assert data["action"] == "keep" and data["kind"] == "failure"
    assert [e["kind"] for e in evidence] == [
        "own-relay",
        "batv",
        "sent",
        "dkim",
        "received",
    ]
    assert evidence[1]["strength"] == "proves-legit"
    assert isinstance(data["reason"], str) and "BATV tag for key 3" in data["reason"]


@given(
    st.sampled_from(LOOKALIKES),
    st.sampled_from(Policy),
    st.booleans(),
    st.sampled_from([factory.USER, "someone@else.example"]),
)
def test_empty_bounce_without_tag_or_evidence_is_never_legit(
    kind: Kind, policy: Policy, with_index: bool, rcpt: str
) -> None:
    # Nothing came back, the address is untagged, the Sent folder is empty: no proof at all.
    mail, _ = factory.read(factory.dsn(None, rcpt=rcpt, shape="empty"))
    report = Report(kind=kind, recognised_by="test", reason="x", shape=Shape.EMPTY)
    verdict = decide(
        report,
        factory.identity(),
        policy=policy,
        sent=FrozenSentIndex([factory.ORIGINAL_ID]) if with_index else None,
        arrived=factory.ARRIVED,
        message=mail,
    )
    assert verdict.verdict is not Outcome.LEGIT


@pytest.mark.parametrize("policy", list(Policy))
def test_own_relay_bounce_is_never_backscatter(policy: Policy) -> None:
    raw = factory.dsn(
        factory.original(), reporter=factory.RELAY, received=factory.relay_chain(factory.USER)
    )
    mail, report = factory.read(raw)
    verdict = decide(report, factory.identity(), policy=policy, message=mail)
    assert verdict.verdict is Outcome.LEGIT and verdict.action is Action.KEEP


@pytest.mark.parametrize("policy", list(Policy))
def test_valid_tag_is_legit_and_forged_tag_backscatter(policy: Policy) -> None:
    for tag, outcome in [
        (factory.tagged(), Outcome.LEGIT),
        (factory.tagged(secret=b"forged"), Outcome.BACKSCATTER),
    ]:
        mail, report = factory.read(factory.dsn(factory.original(sender=tag), rcpt=tag))
        verdict = decide(
            report, factory.identity(), policy=policy, arrived=factory.ARRIVED, message=mail
        )
        assert verdict.verdict is outcome


def test_forged_tag_with_sent_proof_is_legit_but_says_the_tag_was_bad() -> None:
    tag = factory.tagged(secret=b"forged")
    mail, report = factory.read(factory.dsn(factory.original(sender=tag), rcpt=tag))
    verdict = decide(
        report,
        factory.identity(),
        policy="evidence",
        arrived=factory.ARRIVED,
        message=mail,
        sent=FrozenSentIndex([factory.ORIGINAL_ID]),
    )
    assert verdict.verdict is Outcome.LEGIT
    assert "did not verify" in verdict.reason and "signature is wrong" in verdict.reason
    assert "rotated or is mistyped" in verdict.reason


@pytest.mark.parametrize("policy", [Policy.MONITOR, Policy.BATV, Policy.EVIDENCE])
def test_unreadable_evidence_holds_the_bounce_even_against_a_forged_tag(policy: Policy) -> None:
    # The Sent folder might have proved it real; not being able to read it proves nothing.
    ev = (
        Evidence(Source.BATV, F, "the tag's signature is wrong"),
        Evidence(Source.SENT, Strength.UNREADABLE, "the Sent folder 'Sentt' does not exist"),
    )
    verdict = judge(Kind.FAILURE, ev, policy)
    assert (verdict.verdict, verdict.action) == (Outcome.PENDING, Action.KEEP)
    assert "'Sentt' does not exist" in verdict.reason
    # A proof that could be read still wins.
    proved = (*ev, Evidence(Source.DKIM, P, "your DKIM signature"))
    assert judge(Kind.FAILURE, proved, policy).verdict is Outcome.LEGIT


def test_unreadable_sent_folder_matters_only_when_a_message_id_came_back() -> None:
    tag = factory.tagged(secret=b"forged")
    mail, report = factory.read(factory.dsn(factory.original(sender=tag), rcpt=tag))
    verdict = decide(
        report, factory.identity(), policy="evidence", arrived=factory.ARRIVED, message=mail,
        sent_unreadable="the Sent folder 'Sentt' does not exist; folders are: INBOX, Sent",
    )  # fmt: skip
    assert verdict.verdict is Outcome.PENDING
    assert "'Sentt' does not exist; folders are: INBOX, Sent" in verdict.reason
    empty_mail, empty = factory.read(factory.dsn(None, rcpt=tag, shape="empty"))
    assert empty.original is None or not empty.original.message_id
    verdict = decide(
        empty, factory.identity(), policy="evidence", arrived=factory.ARRIVED,
        message=empty_mail, sent_unreadable="the Sent folder 'Sentt' does not exist",
    )  # fmt: skip
    assert verdict.verdict is Outcome.BACKSCATTER


@pytest.mark.parametrize("policy", list(Policy))
def test_lookalikes_get_verdicts_too(policy: Policy) -> None:
    # An auto-reply to forged mail is backscatter like any bounce: judged on its In-Reply-To.
    sent = FrozenSentIndex([factory.ORIGINAL_ID])
    for raw, kind in [
        (factory.autoreply(), Kind.AUTOREPLY),
        (factory.autoreply(challenge=True), Kind.CHALLENGE),
    ]:
        mail, report = factory.read(raw)
        assert report.kind is kind
        verdict = decide(report, factory.identity(), policy=policy, sent=sent, message=mail)
        assert verdict.verdict is Outcome.LEGIT
        verdict = decide(report, factory.identity(), policy=policy, message=mail)
        assert verdict.verdict is not Outcome.LEGIT


def _feedback(message_id: str) -> Report:
    return Report(
        kind=Kind.FEEDBACK,
        recognised_by="test",
        reason="ARF report",
        original=Original(message_id=message_id, raw_headers=b"Message-ID: " + message_id.encode()),
    )


@pytest.mark.parametrize("policy", list(Policy))
def test_feedback_reports_are_kept_unless_forged(policy: Policy) -> None:
    sent = FrozenSentIndex([factory.ORIGINAL_ID])
    real = decide(_feedback(factory.ORIGINAL_ID), factory.identity(), policy=policy, sent=sent)
    assert real.verdict is Outcome.LEGIT and real.action is Action.KEEP
    unknown = decide(_feedback("<x@bot.example>"), factory.identity(), policy=policy, sent=sent)
    assert unknown.verdict is Outcome.UNDECIDED and unknown.action is Action.KEEP


def test_verdict_is_a_value() -> None:
    verdict = judge(Kind.FAILURE, (), Policy.EVIDENCE)
    assert isinstance(verdict, Verdict)
    with pytest.raises(AttributeError):
        verdict.reason = "changed"  # type: ignore[misc]
