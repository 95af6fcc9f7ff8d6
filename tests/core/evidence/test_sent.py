"""Sent evidence and the Sent index: Message-IDs the user really sent."""

from __future__ import annotations

from ndrguard.evidence import sent
from ndrguard.evidence.model import Source, Strength
from ndrguard.sent_index import FrozenSentIndex, SentIndex, normalise_message_id
from tests.core.evidence import factory

SENT = FrozenSentIndex([factory.ORIGINAL_ID, "<older@example.org>"])


def test_index_ignores_brackets_and_white_space_but_keeps_case() -> None:
    index = FrozenSentIndex(["<Abc.123@Example.org>", "  ", "<>"])
    assert len(index) == 1
    assert "<Abc.123@Example.org>" in index
    assert " Abc.123@Example.org " in index
    assert "< Abc.123@Example.org\n >" in index
    assert "<abc.123@Example.org>" not in index  # RFC 5322: the local part is case-sensitive
    assert "" not in index and "<>" not in index
    assert 42 not in index
    assert normalise_message_id(" <a@b> ") == "a@b"


def test_plain_sets_and_the_frozen_index_satisfy_the_protocol() -> None:
    assert isinstance(SENT, SentIndex)
    assert isinstance({"a@b"}, SentIndex)


def test_returned_message_id_in_sent_proves_legit() -> None:
    mail, report = factory.read(factory.dsn(factory.original()))
    found = sent.evidence(report, SENT, mail)
    assert found.kind is Source.SENT
    assert found.strength is Strength.PROVES_LEGIT
    assert factory.ORIGINAL_ID in found.detail and "Sent folder" in found.detail


def test_partial_bounce_still_names_its_message_id() -> None:
    mail, report = factory.read(factory.dsn(factory.original(), shape="partial"))
    assert sent.evidence(report, SENT, mail).strength is Strength.PROVES_LEGIT


def test_unknown_message_id_proves_nothing_and_is_named() -> None:
    mail, report = factory.read(factory.dsn(factory.original(message_id="<spam@bot.example>")))
    found = sent.evidence(report, SENT, mail)
    assert found.strength is Strength.NONE
    assert "<spam@bot.example>" in found.detail


def test_without_an_index_nothing_is_looked_up() -> None:
    mail, report = factory.read(factory.dsn(factory.original()))
    found = sent.evidence(report, None, mail)
    assert found.strength is Strength.NONE and "no index" in found.detail


def test_empty_bounce_names_no_message() -> None:
    mail, report = factory.read(factory.dsn(None, shape="empty"))
    found = sent.evidence(report, SENT, mail)
    assert found.strength is Strength.NONE
    assert "nothing in the bounce names" in found.detail


def test_auto_reply_answering_sent_mail_proves_legit() -> None:
    mail, report = factory.read(factory.autoreply())
    found = sent.evidence(report, SENT, mail)
    assert found.strength is Strength.PROVES_LEGIT
    assert "auto-reply's In-Reply-To" in found.detail


def test_challenge_answering_forged_mail_proves_nothing() -> None:
    mail, report = factory.read(factory.autoreply(challenge=True, in_reply_to="<x@bot.example>"))
    found = sent.evidence(report, SENT, mail)
    assert found.strength is Strength.NONE
    assert "challenge" in found.detail and "<x@bot.example>" in found.detail


def test_references_count_when_in_reply_to_is_unknown() -> None:
    raw = factory.autoreply().replace(
        f"In-Reply-To: {factory.ORIGINAL_ID}".encode(), b"In-Reply-To: <other@x.example>"
    )
    mail, report = factory.read(raw)
    found = sent.evidence(report, SENT, mail)
    assert found.strength is Strength.PROVES_LEGIT and "References" in found.detail
