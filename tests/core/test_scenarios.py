"""Whole scenarios: real and generated bounces, a user, a Sent folder, a policy -> a verdict.

Two halves:

- **Corpus scenarios** take real bounces of the shared corpus byte for byte and build around
  them the user that makes the answer known: a Sent folder holding the returned Message-ID
  (proved real), nothing at all (unproved), relays that wrote the bounce (own relay), or a
  relay that merely received a remote server's bounce (not own relay). Skipped with a reason
  when the corpus is absent.
- **Generated scenarios** (tests/data/scenarios, see its README) stand without the corpus: real
  layouts with a BATV-tagged address templated in, the relay's own bounce, and DKIM-signed
  originals returned whole and as headers only.

The expected verdict for each kind of proof under each policy is spelled out in `EXPECTED`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ndrguard import Shape, parse
from ndrguard.evidence import Source, Strength
from ndrguard.evidence.hops import chain
from ndrguard.identity import Identity
from ndrguard.recognise import recognise
from ndrguard.report import Kind
from ndrguard.sent_index import FrozenSentIndex
from ndrguard.verdict import Policy, decide
from tests.core.corpus import corpus_or_skip
from tests.core.evidence import factory

SCENARIOS = Path(__file__).resolve().parents[1] / "data" / "scenarios"

# What a message with this kind of evidence becomes under each policy: (verdict, action).
EXPECTED = {
    "proved": {
        Policy.MONITOR: ("legit", "keep"),
        Policy.BLOCK_ALL: ("legit", "quarantine"),
        Policy.BATV: ("legit", "keep"),
        Policy.EVIDENCE: ("legit", "keep"),
    },
    "own-relay": {policy: ("legit", "keep") for policy in Policy},
    "forged": {
        Policy.MONITOR: ("backscatter", "keep"),
        Policy.BLOCK_ALL: ("backscatter", "quarantine"),
        Policy.BATV: ("backscatter", "quarantine"),
        Policy.EVIDENCE: ("backscatter", "quarantine"),
    },
    "unproved": {
        Policy.MONITOR: ("undecided", "keep"),
        Policy.BLOCK_ALL: ("backscatter", "quarantine"),
        Policy.BATV: ("backscatter", "quarantine"),
        Policy.EVIDENCE: ("undecided", "quarantine"),
    },
}


def _outcome(verdict: object) -> tuple[str, str]:
    return str(verdict.verdict), str(verdict.action)  # type: ignore[attr-defined]


# -- corpus scenarios ------------------------------------------------------------------------

# Real bounces of each shape. "relay" ones were written by the server that reports them, so an
# identity naming that server as its relay makes them own-relay bounces; "remote" ones reached
# the user's server from a remote bounce server.
CORPUS = [
    ("bounces/lhost-postfix-10.eml", Shape.FULL, "relay"),
    ("bounces/lhost-sendmail-02.eml", Shape.FULL, "relay"),
    ("bounces/lhost-amazonses-01.eml", Shape.FULL, "remote"),
    ("bounces/lhost-sendmail-05.eml", Shape.PARTIAL, "relay"),
    ("bounces/lhost-sendmail-26.eml", Shape.PARTIAL, "relay"),
    ("bounces/lhost-receivingses-01.eml", Shape.PARTIAL, "remote"),
    ("bounces/lhost-bigfoot-02.eml", Shape.EMPTY, "relay"),
    ("bounces/lhost-mimecast-02.eml", Shape.EMPTY, "remote"),
]
STRANGER = Identity(domains=frozenset({"user.invalid"}))  # owns nothing in these bounces


def _corpus(file: str, shape: Shape):
    raw = (corpus_or_skip() / file).read_bytes()
    mail = parse(raw)
    report = recognise(mail)
    assert report.kind in (Kind.FAILURE, Kind.DELAY), f"{file}: {report.reason}"
    assert report.shape is shape, f"{file}: recognised as {report.shape}, scenario needs {shape}"
    return mail, report


@pytest.mark.corpus
@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize(("file", "shape", "_writer"), CORPUS)
def test_corpus_message_id_in_sent(file: str, shape: Shape, _writer: str, policy: Policy) -> None:
    mail, report = _corpus(file, shape)
    if shape is Shape.EMPTY:
        # Nothing came back to look up: even a Sent folder holding every ID cannot help.
        assert report.original is None
        sent = FrozenSentIndex(["<anything@user.invalid>"])
        verdict = decide(report, STRANGER, policy=policy, sent=sent, message=mail)
        assert _outcome(verdict) == EXPECTED["unproved"][policy], verdict.reason
        return
    assert report.original is not None and report.original.message_id, file
    sent = FrozenSentIndex([report.original.message_id])
    verdict = decide(report, STRANGER, policy=policy, sent=sent, message=mail)
    assert _outcome(verdict) == EXPECTED["proved"][policy], verdict.reason
    assert report.original.message_id in verdict.reason


@pytest.mark.corpus
@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize(("file", "shape", "_writer"), CORPUS)
def test_corpus_without_evidence(file: str, shape: Shape, _writer: str, policy: Policy) -> None:
    mail, report = _corpus(file, shape)
    sent = FrozenSentIndex(["<something-else@user.invalid>"])
    verdict = decide(report, STRANGER, policy=policy, sent=sent, message=mail)
    assert _outcome(verdict) == EXPECTED["unproved"][policy], verdict.reason


@pytest.mark.corpus
@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize(("file", "shape", "writer"), CORPUS)
def test_corpus_own_relay(file: str, shape: Shape, writer: str, policy: Policy) -> None:
    mail, report = _corpus(file, shape)
    hops = list(chain(mail.headers.get_all("received")))
    if writer == "relay":
        # The user's relays are the server that wrote the bounce (its oldest Received header)
        # and named itself in Reporting-MTA: the bounce is the relay's own.
        relays = {hops[0].by_host or "", report.reporting_mta or ""}
        expected = EXPECTED["own-relay"][policy]
    else:
        # The user's relay doubles as their MX and received a remote server's bounce: that
        # must not make it the relay's own bounce.
        relays = {hops[-1].by_host or ""}
        expected = EXPECTED["unproved"][policy]
    alice = Identity(domains=frozenset({"user.invalid"}), relay_hosts=frozenset(relays - {""}))
    verdict = decide(report, alice, policy=policy, message=mail)
    assert _outcome(verdict) == expected, verdict.reason
    own = next(e for e in verdict.evidence if e.kind is Source.OWN_RELAY)
    assert (own.strength is Strength.PROVES_LEGIT) == (writer == "relay"), own.detail


# -- generated scenarios: BATV tags in real layouts ------------------------------------------


def _template(name: str, rcpt: str) -> bytes:
    raw = (SCENARIOS / name).read_bytes()
    return raw.replace(b"@RCPT@", rcpt.encode()).replace(b"@SENDER@", rcpt.encode())


TAGS = {
    # tag status: (the address the bounce came back to, what that proves)
    "valid": (lambda: factory.tagged(days_before=2), "proved"),
    "late within grace": (lambda: factory.tagged(days_before=8), "proved"),
    "expired": (lambda: factory.tagged(days_before=12), "forged"),
    "forged": (lambda: factory.tagged(secret=b"a spammer's guess"), "forged"),
    "unknown key": (lambda: factory.tagged(key=5, secret=b"not configured"), "unproved"),
    "foreign (Barracuda)": (lambda: "btv1==0123456789a==alice@example.org", "unproved"),
    "untagged": (lambda: factory.USER, "unproved"),
}
TEMPLATES = [
    ("postfix-full.eml.in", Kind.FAILURE, Shape.FULL),
    ("sendmail-partial.eml.in", Kind.FAILURE, Shape.PARTIAL),
    ("dsn-empty.eml.in", Kind.FAILURE, Shape.EMPTY),
    ("autoreply.eml.in", Kind.AUTOREPLY, None),
]


@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize("status", list(TAGS))
@pytest.mark.parametrize(("name", "kind", "shape"), TEMPLATES)
def test_batv_scenarios(
    name: str, kind: Kind, shape: Shape | None, status: str, policy: Policy
) -> None:
    address, proof = TAGS[status]
    mail = parse(_template(name, address()))
    report = recognise(mail)
    assert (report.kind, report.shape) == (kind, shape), report.reason
    verdict = decide(
        report, factory.identity(), policy=policy, arrived=factory.ARRIVED, message=mail
    )
    assert _outcome(verdict) == EXPECTED[proof][policy], verdict.reason
    if status in ("valid", "forged", "expired"):
        assert "BATV tag" in verdict.reason


@pytest.mark.parametrize("policy", list(Policy))
def test_generated_untagged_bounce_rescued_by_sent(policy: Policy) -> None:
    mail = parse(_template("postfix-full.eml.in", factory.USER))
    sent = FrozenSentIndex([factory.ORIGINAL_ID])
    verdict = decide(recognise(mail), factory.identity(), policy=policy, sent=sent, message=mail)
    assert _outcome(verdict) == EXPECTED["proved"][policy]


@pytest.mark.parametrize("policy", list(Policy))
def test_generated_relay_own_bounce(policy: Policy) -> None:
    # The remote server refused at RCPT TO; the relay wrote the bounce to the untagged address.
    mail = parse((SCENARIOS / "relay-own-bounce.eml").read_bytes())
    report = recognise(mail)
    verdict = decide(
        report, factory.identity(), policy=policy, arrived=factory.ARRIVED, message=mail
    )
    assert _outcome(verdict) == EXPECTED["own-relay"][policy], verdict.reason
    assert verdict.reason.startswith("Real bounce: your relay relay.example.org wrote this")
    # Without relays in the identity nothing proves it, and it is treated like any other.
    bare = factory.identity(relay_hosts=frozenset(), relay_networks=())
    verdict = decide(report, bare, policy=policy, arrived=factory.ARRIVED, message=mail)
    assert _outcome(verdict) == EXPECTED["unproved"][policy]


# -- generated scenarios: DKIM ---------------------------------------------------------------


@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize("shape", ["full", "partial"])
def test_dkim_signed_original_proves_the_bounce(shape: str, policy: Policy) -> None:
    signed = factory.dkim_signed(factory.original())
    keys = factory.lookup(factory.key_table())
    mail, report = factory.read(factory.dsn(signed, shape=shape))
    verdict = decide(report, factory.identity(), policy=policy, dkim_lookup=keys, message=mail)
    assert _outcome(verdict) == EXPECTED["proved"][policy], verdict.reason
    assert "DKIM signature of example.org" in verdict.reason

    edited = signed.replace(b"Subject: Lunch on Friday", b"Subject: [SPAM] Lunch on Friday")
    mail, report = factory.read(factory.dsn(edited, shape=shape))
    verdict = decide(report, factory.identity(), policy=policy, dkim_lookup=keys, message=mail)
    assert _outcome(verdict) == EXPECTED["unproved"][policy], verdict.reason
