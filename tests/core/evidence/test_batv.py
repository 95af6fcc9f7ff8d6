"""BATV evidence: where tags are found and what each tag status proves."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ndrguard.evidence import batv
from ndrguard.evidence.model import Source, Strength
from tests.core.evidence import factory


def _judge(
    raw: bytes,
    *,
    arrived: datetime | None = factory.ARRIVED,
    with_message: bool = True,
    **identity: object,
):
    mail, report = factory.read(raw)
    return batv.evidence(
        report, factory.identity(**identity), arrived, mail if with_message else None
    )


def _bounce_to(address: str, shape: str = "full", sender: str | None = None) -> bytes:
    return factory.dsn(factory.original(sender=sender or address), rcpt=address, shape=shape)


def test_valid_tag_proves_legit_and_says_key_and_age() -> None:
    found = _judge(_bounce_to(factory.tagged(days_before=2)))
    assert found.kind is Source.BATV
    assert found.strength is Strength.PROVES_LEGIT
    assert "key 3" in found.detail and "2 day(s) before it arrived" in found.detail
    assert "Delivered-To" in found.detail


def test_tag_signed_on_the_day_of_arrival() -> None:
    found = _judge(_bounce_to(factory.tagged(days_before=0)))
    assert found.strength is Strength.PROVES_LEGIT
    assert "on the day it arrived" in found.detail


def test_tag_only_in_the_returned_return_path_still_counts() -> None:
    # The CLI may have only the report, not the bounce's headers: the returned original's
    # Return-Path still carries the envelope sender the relay wrote.
    raw = _bounce_to(factory.tagged(), shape="partial")
    found = _judge(raw, with_message=False)
    assert found.strength is Strength.PROVES_LEGIT
    assert "returned Return-Path" in found.detail


def test_tag_only_in_received_for_clause() -> None:
    tag = factory.tagged()
    raw = factory.dsn(None, rcpt=factory.USER, shape="empty")
    raw = raw.replace(f"for <{factory.USER}>".encode(), f"for <{tag}>".encode())
    found = _judge(raw)
    assert found.strength is Strength.PROVES_LEGIT
    assert "the bounce's Received headers" in found.detail


def test_envelope_to_and_x_original_to_are_searched() -> None:
    tag = factory.tagged()
    plain = factory.dsn(None, rcpt=factory.USER, shape="empty")
    for field in (b"X-Original-To", b"Envelope-To"):
        raw = field + b": " + tag.encode() + b"\n" + plain
        found = _judge(raw)
        assert found.strength is Strength.PROVES_LEGIT, field
        assert field.decode() in found.detail


def test_wrong_signature_proves_forged() -> None:
    forged = factory.tagged(secret=b"the spammer's guess")
    found = _judge(_bounce_to(forged))
    assert found.strength is Strength.PROVES_FORGED
    assert "signature is wrong" in found.detail


def test_expired_tag_is_taken_for_forged_and_says_how_late() -> None:
    # Signed 12 days before arrival with a 7-day lifetime: expired 5 days before, grace is 2.
    found = _judge(_bounce_to(factory.tagged(days_before=12)))
    assert found.strength is Strength.PROVES_FORGED
    assert "expired 5 day(s) before the bounce arrived" in found.detail


def test_late_within_grace_is_accepted() -> None:
    found = _judge(_bounce_to(factory.tagged(days_before=8)))
    assert found.strength is Strength.PROVES_LEGIT
    assert "1 day(s) before the bounce arrived" in found.detail
    assert "2 grace day(s)" in found.detail


def test_tag_dated_in_the_future_is_called_so() -> None:
    found = _judge(_bounce_to(factory.tagged(days_before=-30)))
    assert found.strength is Strength.PROVES_FORGED
    assert "dated after the bounce arrived" in found.detail


def test_unknown_key_proves_nothing() -> None:
    found = _judge(_bounce_to(factory.tagged(key=5, secret=b"a key we do not hold")))
    assert found.strength is Strength.NONE
    assert "no secret for key 5" in found.detail


def test_foreign_syntaxes_are_named_never_forged() -> None:
    for address, scheme in [
        ("btv1==0123456789a==alice@example.org", "barracuda"),
        ("prvs=alice=ABCDEF1234@example.org", "cisco"),
        ("prvs=alice/ABCDEF1234@example.org", "prvs-2004"),
        ("SRS0=HHH=TT=example.org=alice@forwarder.example", "srs0"),
    ]:
        found = _judge(_bounce_to(address, sender=address))
        assert found.strength is Strength.NONE, address
        assert scheme in found.detail, (address, found.detail)


def test_tags_on_other_peoples_addresses_are_ignored() -> None:
    from ndrguard import batv as tags

    stranger = tags.sign("carol@elsewhere.example", 3, factory.SECRET, factory.ARRIVED.date())
    found = _judge(_bounce_to(stranger))
    assert found.strength is Strength.NONE
    assert "without a BATV tag" in found.detail


def test_untagged_bounce() -> None:
    found = _judge(_bounce_to(factory.USER))
    assert found.strength is Strength.NONE
    found = _judge(_bounce_to(factory.USER), with_message=False)
    assert "only the returned original was searched" in found.detail


def test_several_tags_the_good_one_wins_and_the_rest_are_named() -> None:
    good = factory.tagged()
    bad = factory.tagged(secret=b"forged")
    raw = factory.dsn(factory.original(sender=bad), rcpt=good)
    found = _judge(raw)
    assert found.strength is Strength.PROVES_LEGIT
    assert f"other tags found: {bad} (forged)" in found.detail


def test_without_arrival_a_good_signature_only_suggests() -> None:
    found = _judge(_bounce_to(factory.tagged()), arrived=None)
    assert found.strength is Strength.SUGGESTS_LEGIT
    assert "when the bounce arrived is unknown" in found.detail
    forged = _judge(_bounce_to(factory.tagged(secret=b"x")), arrived=None)
    assert forged.strength is Strength.PROVES_FORGED
    unknown = _judge(_bounce_to(factory.tagged(key=6, secret=b"x")), arrived=None)
    assert unknown.strength is Strength.NONE


def test_arrival_is_counted_in_utc() -> None:
    # 23:30 at UTC-5 on the 19th is the 20th in UTC; a naive time is taken as UTC.
    late_evening = datetime(2024, 5, 19, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert batv.arrival_day(late_evening) == factory.ARRIVED.date()
    assert batv.arrival_day(datetime(2024, 5, 20, 1, 0)) == factory.ARRIVED.date()


def test_office365_quoted_printable_headers_give_up_their_tag() -> None:
    # Office 365 quotes the original's headers in the report text, quoted-printable encoded
    # ("prvs=3D..."); the returned Return-Path must still be read after decoding.
    tag = factory.tagged()
    quoted = tag.replace("=", "=3D")
    text = (
        "Delivery has failed to these recipients or groups:\n\nbob@remote.example\n\n"
        "Original message headers:\n\n"
        f"Return-Path: <{quoted}>\n"
        f"Received: from {factory.RELAY} ({factory.RELAY_IP}) by\n"
        " HE1EUR01FT042.mail.protection.outlook.com (10.152.0.1) with Microsoft SMTP\n"
        " Server id 15.20; Sat, 18 May 2024 10:10:11 +0000\n"
        f"From: Alice <{factory.USER}>\n"
        "To: Bob <bob@remote.example>\n"
        "Subject: Lunch on Friday\n"
        f"Message-ID: {factory.ORIGINAL_ID}\n"
    )
    raw = (
        f"Delivered-To: {factory.USER}\n"
        "From: postmaster@outlook.example\n"
        f"To: {factory.USER}\n"
        "Subject: Undeliverable: Lunch on Friday\n"
        "Auto-Submitted: auto-replied\n"
        "Content-Type: text/plain; charset=us-ascii\n\n" + text
    ).encode()
    mail, report = factory.read(raw)
    assert report.original is not None, report.reason
    found = batv.evidence(report, factory.identity(), factory.ARRIVED, mail)
    assert found.strength is Strength.PROVES_LEGIT, found.detail
