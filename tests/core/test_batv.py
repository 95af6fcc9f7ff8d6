"""ndrguard.batv: prvs signing and checking as Exim does it, and the other tag syntaxes named.

The vectors in tests/data/batv/exim_vectors.json were signed by Exim 4.96 itself
(tests/mta/make_batv_vectors.py); tests/mta/test_batv_exim.py cross-checks against the live
binary. Here everything runs without Exim.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ndrguard import batv
from ndrguard.batv import Status, Syntax

VECTORS = Path(__file__).resolve().parents[1] / "data" / "batv" / "exim_vectors.json"
SECRET = b"secret"
EXAMPLE = "prvs=3730537f09=user@example.com"  # Exim 4.96: secret "secret", key 3, 2024-01-01
SIGNED = date(2024, 1, 1)


def day_with_residue(residue: int, near: date = date(2024, 1, 1)) -> date:
    """The first day on or after `near` whose day count ends in `residue` (mod 1000)."""
    count = batv.epoch_day(near)
    return batv.EPOCH + timedelta(days=count + (residue - count) % 1000)


def check(address: str, arrived: date, **kw: object) -> batv.Check:
    return batv.check(address, {3: SECRET}, arrived, **kw)  # type: ignore[arg-type]


# --- signing ---------------------------------------------------------------------------------


def test_the_exim_example_signs_alike() -> None:
    assert batv.sign("user@example.com", 3, SECRET, SIGNED) == EXAMPLE
    assert batv.sign("user@example.com", 3, SECRET, batv.epoch_day(SIGNED)) == EXAMPLE


def test_every_exim_vector() -> None:
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]
    assert len(vectors) >= 30
    for v in vectors:
        secret, signed_on = v["secret"].encode(), date.fromisoformat(v["signed_on"])
        keys = {v["key_number"]: secret}
        assert batv.sign(v["address"], v["key_number"], secret, signed_on) == v["tagged"], v
        result = batv.check(v["tagged"], keys, signed_on)
        assert result.status is Status.VALID, v
        assert result.tag.untagged == v["address"]
        assert result.signed_on == signed_on
        assert result.expires_on == signed_on + timedelta(days=7)
        assert batv.check(v["tagged"], keys, signed_on + timedelta(days=7)).status is Status.VALID
        assert batv.check(v["tagged"], keys, signed_on + timedelta(days=8)).status is (
            Status.EXPIRED
        )


def test_utf8_addresses_are_hashed_as_utf8_bytes() -> None:
    # Exim 4.96 signed this byte for byte (vector list); an 8-bit header decoded with
    # surrogateescape must give the same bytes back.
    tagged = batv.sign("jürgen@bücher.example", 2, "schlüssel".encode(), date(2038, 1, 19))
    assert tagged == "prvs=2862edbd75=jürgen@bücher.example"
    raw = tagged.encode().decode("ascii", "surrogateescape")
    assert batv.check(raw, {2: "schlüssel".encode()}, date(2038, 1, 19)).status is Status.VALID


@pytest.mark.parametrize(
    ("address", "key", "lifetime"),
    [
        ("no-at-sign", 1, 7),
        ("@example.com", 1, 7),
        ("user@", 1, 7),
        ("u@example.com", 10, 7),
        ("u@example.com", -1, 7),
        ("u@example.com", 1, 1000),
    ],
)
def test_sign_refuses_what_no_relay_would_make(address: str, key: int, lifetime: int) -> None:
    with pytest.raises(ValueError):
        batv.sign(address, key, SECRET, SIGNED, lifetime)


@given(
    local=st.text(min_size=1, max_size=30),
    domain=st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Z", "Cc"], blacklist_characters="@<>"),
        min_size=1,
        max_size=30,
    ),
    key=st.integers(0, 9),
    secret=st.binary(min_size=1, max_size=80),
    day=st.integers(0, 60_000),
    offset=st.integers(0, 999),
)
def test_any_signed_address_checks_valid_exactly_within_its_lifetime(
    local: str, domain: str, key: int, secret: bytes, day: int, offset: int
) -> None:
    tagged = batv.sign(f"{local}@{domain}", key, secret, day)
    result = batv.check(tagged, {key: secret}, day + offset)
    # valid through the lifetime, and one day before signing (the default clock-skew allowance)
    valid = offset <= 7 or offset >= 1000 - batv.DEFAULT_SKEW
    assert result.status is (Status.VALID if valid else Status.EXPIRED)
    assert result.tag.untagged == f"{local}@{domain}"


# --- the window ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after_signing", "status", "late"),
    [
        (0, Status.VALID, 0),
        (7, Status.VALID, 0),
        (8, Status.EXPIRED, 1),
        (30, Status.EXPIRED, 23),
        (-1, Status.VALID, 0),  # signed "tomorrow": a relay clock ahead (test_batv_skew.py)
        (-2, Status.EXPIRED, 991),
    ],  # beyond the skew allowance a tag dated in the future is no better than an old one
)
def test_draft_window_edges(days_after_signing: int, status: Status, late: int) -> None:
    result = check(EXAMPLE, SIGNED + timedelta(days=days_after_signing))
    assert (result.status, result.days_late) == (status, late)


@pytest.mark.parametrize("expiry_residue", [995, 999, 0, 3])
def test_window_across_the_999_to_000_wrap(expiry_residue: int) -> None:
    signed = day_with_residue(expiry_residue - 7)
    tagged = batv.sign("user@example.com", 3, SECRET, signed)
    assert tagged.startswith(f"prvs=3{expiry_residue:03d}")
    for offset in range(8):
        result = check(tagged, signed + timedelta(days=offset))
        assert result.status is Status.VALID, offset
        assert result.expires_on == signed + timedelta(days=7)
    assert check(tagged, signed + timedelta(days=8)).status is Status.EXPIRED
    assert check(tagged, signed + timedelta(days=1000)).status is Status.VALID  # DDD repeats


def test_late_within_grace_and_expired_beyond() -> None:
    for days_late in (1, 2, 3):
        result = check(EXAMPLE, date(2024, 1, 8) + timedelta(days=days_late), grace=3)
        assert (result.status, result.days_late) == (Status.LATE, days_late)
        assert result.expires_on == date(2024, 1, 8)
    beyond = check(EXAMPLE, date(2024, 1, 12), grace=3)
    assert (beyond.status, beyond.days_late) == (Status.EXPIRED, 4)


def test_late_across_the_wrap() -> None:
    signed = day_with_residue(999 - 7)  # expires on a day ending in 999
    tagged = batv.sign("user@example.com", 3, SECRET, signed)
    result = check(tagged, signed + timedelta(days=9), grace=2)  # arrives on ...001
    assert (result.status, result.days_late) == (Status.LATE, 2)


def test_a_longer_lifetime_is_honoured_on_both_sides() -> None:
    tagged = batv.sign("user@example.com", 3, SECRET, SIGNED, lifetime=30)
    assert check(tagged, SIGNED + timedelta(days=30), lifetime=30).status is Status.VALID
    assert check(tagged, SIGNED + timedelta(days=31), lifetime=30).status is Status.EXPIRED
    # Checked with the default lifetime the tag looks 23 days too far ahead: not valid.
    assert check(tagged, SIGNED).status is Status.EXPIRED


@pytest.mark.parametrize(("lifetime", "grace"), [(-1, 0), (7, -1), (990, 10)])
def test_check_refuses_windows_the_day_count_cannot_express(lifetime: int, grace: int) -> None:
    with pytest.raises(ValueError):
        check(EXAMPLE, SIGNED, lifetime=lifetime, grace=grace)


# --- case ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "received",
    [
        "prvs=3730537F09=user@example.com",  # hex upper-cased (Exim itself would refuse this)
        "PRVS=3730537f09=user@example.com",
        "prvs=3730537f09=USER@example.com",  # local part upper-cased on the way back
        "prvs=3730537f09=user@EXAMPLE.COM",
        "prvs=3730537F09=User@Example.Com",
        "<prvs=3730537f09=user@example.com>",
        "  prvs=3730537f09=user@example.com\t",
    ],
)
def test_case_and_wrapping_variants_still_verify(received: str) -> None:
    assert check(received, SIGNED).status is Status.VALID


def test_a_mixed_case_signature_verifies_as_received_and_lower_cased() -> None:
    tagged = batv.sign("User.Name@Example.COM", 0, SECRET, SIGNED)
    assert tagged == "prvs=0730327309=User.Name@Example.COM"  # Exim 4.96 vector
    assert batv.check(tagged, {0: SECRET}, SIGNED).status is Status.VALID
    # Exim's recipe checks the lower-cased $local_part: a relay signing that form is accepted
    # whatever case the bounce comes back in.
    lower = batv.sign("user.name@example.com", 0, SECRET, SIGNED)
    mixed = lower.replace("user.name@example.com", "User.Name@Example.COM")
    assert batv.check(mixed, {0: SECRET}, SIGNED).status is Status.VALID


# --- verdicts --------------------------------------------------------------------------------


def test_a_wrong_signature_is_forged() -> None:
    result = check("prvs=3730537f08=user@example.com", SIGNED)
    assert result.status is Status.FORGED
    assert result.tag.key_number == 3
    assert batv.check(EXAMPLE, {3: b"other secret"}, SIGNED).status is Status.FORGED
    # The signature covers the address: moving the tag to another user breaks it.
    assert check("prvs=3730537f09=admin@example.com", SIGNED).status is Status.FORGED


def test_forged_wins_over_expired() -> None:
    assert check("prvs=3730537f08=user@example.com", date(2025, 1, 1)).status is Status.FORGED


def test_key_rotation_accepts_old_and_new_keys() -> None:
    keys = {3: b"old secret", 4: b"new secret"}
    old = batv.sign("user@example.com", 3, keys[3], SIGNED)
    new = batv.sign("user@example.com", 4, keys[4], SIGNED + timedelta(days=2))
    assert batv.check(old, keys, SIGNED + timedelta(days=3)).status is Status.VALID
    assert batv.check(new, keys, SIGNED + timedelta(days=3)).status is Status.VALID
    assert batv.check(new, keys, SIGNED + timedelta(days=3)).tag.key_number == 4
    # A key is picked by its number, never tried in place of another.
    swapped = {3: keys[4], 4: keys[3]}
    assert batv.check(old, swapped, SIGNED).status is Status.FORGED


def test_unknown_key_number() -> None:
    result = batv.check(EXAMPLE, {4: SECRET}, SIGNED)
    assert result.status is Status.UNKNOWN_KEY
    assert result.tag.key_number == 3
    assert "no secret" in result.explain()


def test_not_tagged() -> None:
    result = check("user@example.com", SIGNED)
    assert result.status is Status.NOT_TAGGED
    assert result.tag.syntax is Syntax.NONE
    assert result.tag.untagged == "user@example.com"
    assert batv.parse("<user@example.com>").untagged == "user@example.com"


# --- foreign syntaxes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "syntax", "untagged", "signature"),
    [
        ("prvs=joe=123ABCDEFG@example.com", Syntax.CISCO, "joe@example.com", "123ABCDEFG"),
        (
            "prvs=joe.bloggs=0a1b2c3d4e@example.com",
            Syntax.CISCO,
            "joe.bloggs@example.com",
            "0a1b2c3d4e",
        ),
        ("btv1==0546be5b9f8==joe@example.com", Syntax.BARRACUDA, "joe@example.com", "0546be5b9f8"),
        ("BTV1==0546BE5B9F8==joe@example.com", Syntax.BARRACUDA, "joe@example.com", "0546BE5B9F8"),
        ("prvs=joe/0730537f09@example.com", Syntax.PRVS_2004, "joe@example.com", "0730537f09"),
        ("SRS0=HHH=TT=example.com=joe@forwarder.net", Syntax.SRS0, "joe@example.com", "HHH"),
        ("srs0+Zkx2=2W=example.com=a=b@forwarder.net", Syntax.SRS0, "a=b@example.com", "Zkx2"),
        (
            "SRS1=JJJ=forwarder.net==HHH=TT=example.com=joe@second.net",
            Syntax.SRS1,
            "joe@example.com",
            "JJJ",
        ),
    ],
)
def test_foreign_tags_are_named_never_judged(
    address: str, syntax: Syntax, untagged: str, signature: str
) -> None:
    tag = batv.parse(address)
    assert (tag.syntax, tag.untagged, tag.signature) == (syntax, untagged, signature)
    result = check(address, SIGNED)
    assert result.status is Status.FOREIGN
    assert result.tag.syntax is syntax
    assert "cannot verify" in result.explain()


def test_srs_fields() -> None:
    srs0 = batv.parse("SRS0=HHH=TT=example.com=joe@forwarder.net")
    assert (srs0.timestamp, srs0.forwarder) == ("TT", "forwarder.net")
    srs1 = batv.parse("SRS1=JJJ=first.example==HHH=TT=example.com=joe@second.example")
    assert (srs1.timestamp, srs1.forwarder) == ("TT", "first.example")


def test_a_prvs_tag_inside_srs_is_still_ours() -> None:
    wrapped = f"SRS0=HHH=TT=example.com={EXAMPLE.removesuffix('@example.com')}@forwarder.net"
    result = check(wrapped, SIGNED)
    assert result.status is Status.VALID
    assert result.address == wrapped
    assert result.tag.untagged == "user@example.com"
    bad = wrapped.replace("537f09", "537f08")
    assert check(bad, SIGNED).status is Status.FORGED


def test_real_tags_are_not_read_as_cisco() -> None:
    # The real form's first field is ten characters starting with a digit; Cisco's second
    # field is a ten-character tag. A short local part cannot be a Cisco tag.
    assert [t.syntax for t in batv.readings(EXAMPLE)] == [Syntax.PRVS]
    assert [t.syntax for t in batv.readings("prvs=9993dc59f1=joe=bloggs@example.org")] == [
        Syntax.PRVS
    ]
    # A Cisco tag whose local part cannot be a real tag field.
    assert [t.syntax for t in batv.readings("prvs=joe=123ABCDEFG@example.com")] == [Syntax.CISCO]
    assert [t.syntax for t in batv.readings("prvs=1234567890x=ABCDEFGHIJ@example.com")] == [
        Syntax.CISCO
    ]


def test_a_local_part_that_looks_like_a_tag_reads_both_ways() -> None:
    # Exim 4.96 vector: the mailbox is 1234567890@, so the tagged address also parses as a
    # Cisco tag for the mailbox 1963d70b17@.
    tagged = "prvs=1963d70b17=1234567890@example.net"
    keys = {1: b"phone numbers look like tags"}
    assert [t.syntax for t in batv.readings(tagged)] == [Syntax.PRVS, Syntax.CISCO]
    assert batv.check(tagged, keys, date(1999, 12, 31)).status is Status.VALID
    # With a key that does not verify it may still be the Cisco tag: never call that forged...
    assert batv.check(tagged, {1: b"wrong"}, date(1999, 12, 31)).status is Status.FOREIGN
    assert batv.check(tagged, {}, date(1999, 12, 31)).status is Status.FOREIGN
    # ...unless only the prvs reading names the user's mailbox.
    mine = {"1234567890@example.net"}.__contains__
    assert batv.check(tagged, {1: b"wrong"}, date(1999, 12, 31), owns=mine).status is (
        Status.FORGED
    )
    theirs = {"1963d70b17@example.net"}.__contains__
    result = batv.check(tagged, {1: b"wrong"}, date(1999, 12, 31), owns=theirs)
    assert (result.status, result.tag.syntax) == (Status.FOREIGN, Syntax.CISCO)


def test_look_alike_case_folding_is_ascii_only() -> None:
    # With Unicode case folding the Kelvin sign would match "k" in a Cisco tag.
    assert batv.parse("prvs=joe=123ABCDEF\u212a@example.com").syntax is Syntax.NONE


# --- finding tags in headers -----------------------------------------------------------------


def test_find_tags_in_the_places_bounces_show_them() -> None:
    values = [
        "from mx.example.net by mail.example.com with esmtps id 1r\n\tfor <"
        + EXAMPLE
        + ">; Mon, 1 Jan 2024 12:00:00 +0000",
        "from [192.0.2.1] (envelope-from <prvs=joe=123ABCDEFG@example.com>)",
        '"User" <' + EXAMPLE + ">",  # To:, a duplicate
        "rfc822; btv1==0546be5b9f8==joe@example.com",  # DSN Final-Recipient
        "user@example.com",  # untagged: not reported
        "Delivered-To: SRS0=HHH=TT=example.com=joe@forwarder.net.",  # trailing full stop
    ]
    found = batv.find_tags(values)
    assert [(t.syntax, t.address) for t in found] == [
        (Syntax.PRVS, EXAMPLE),
        (Syntax.CISCO, "prvs=joe=123ABCDEFG@example.com"),
        (Syntax.BARRACUDA, "btv1==0546be5b9f8==joe@example.com"),
        (Syntax.SRS0, "SRS0=HHH=TT=example.com=joe@forwarder.net"),
    ]


def test_find_tags_on_nothing() -> None:
    assert batv.find_tags([]) == ()
    assert batv.find_tags(["no addresses here", "a@b"]) == ()


# --- reporting -------------------------------------------------------------------------------


def test_json_and_explanation() -> None:
    result = check(EXAMPLE, date(2024, 1, 10), grace=3)
    assert result.to_json() == {
        "status": "late",
        "address": EXAMPLE,
        "syntax": "prvs",
        "untagged": "user@example.com",
        "key_number": 3,
        "signed_on": "2024-01-01",
        "expires_on": "2024-01-08",
        "days_late": 2,
        "days_early": 0,
    }
    assert "2 day(s) past" in result.explain()
    assert "expired 4 day(s) before" in check(EXAMPLE, date(2024, 1, 12)).explain()
    # DDD is only known mod 1000: a day ahead of the window is as likely an ancient tag.
    # two days before signing: beyond the one-day skew allowance
    assert "9 day(s) after the bounce arrived" in check(EXAMPLE, date(2023, 12, 30)).explain()
    for status_address in (EXAMPLE, "prvs=3730537f08=user@example.com", "user@example.com"):
        assert check(status_address, SIGNED).explain()
    assert "forged" in check("prvs=3730537f08=user@example.com", SIGNED).explain()
