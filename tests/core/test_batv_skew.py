"""Clock skew at midnight UTC (issue 12, item 7): the far side of the BATV validity window.

A relay stamps its tags with its own idea of today. When its clock runs a little ahead, or it
counts days in a zone east of UTC, the mail it signs just before midnight UTC carries
tomorrow's day; a bounce that comes back at once then arrives, by the mailbox server's clock,
on the UTC day *before* the tag was signed. The window's far side has an allowance for that:
`skew_days`, 1 by default. The near side (expiry, with `grace_days`) does not move.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ndrguard import batv
from ndrguard.batv import Status
from ndrguard.evidence import batv as batv_evidence
from ndrguard.evidence.model import Strength
from ndrguard.identity import Identity, IdentityError
from tests.core.evidence import factory

SECRET = b"midnight"
USER = "alice@example.org"
KEYS = {2: SECRET}


def _signed(moment: datetime) -> str:
    """The tag a relay writes at `moment` of its own clock (it counts UTC days)."""
    return batv.sign(USER, 2, SECRET, moment.astimezone(UTC).date())


def _arrival(moment: datetime) -> date:
    return batv_evidence.arrival_day(moment)


def test_relay_a_minute_ahead_signs_after_midnight_the_bounce_arrives_before_it() -> None:
    # The relay's clock reads 00:00:30 on 1 January; the mailbox server's 23:59:50 on
    # 31 December when the immediate bounce is delivered.
    tag = _signed(datetime(2024, 1, 1, 0, 0, 30, tzinfo=UTC))
    arrived = _arrival(datetime(2023, 12, 31, 23, 59, 50, tzinfo=UTC))
    result = batv.check(tag, KEYS, arrived)
    assert (result.status, result.days_early) == (Status.VALID, 1)
    assert result.signed_on == date(2024, 1, 1)
    assert "after the bounce arrived" in result.explain()
    # Without the allowance that bounce was judged expired ("dated far ahead").
    assert batv.check(tag, KEYS, arrived, skew=0).status is Status.EXPIRED


def test_relay_in_a_zone_east_of_utc_past_its_local_midnight() -> None:
    # 00:30 in UTC+2 is 22:30 UTC of the day before; a relay that counts its local day signs
    # with tomorrow's UTC day.
    local = datetime(2024, 3, 10, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert local.astimezone(UTC) == datetime(2024, 3, 9, 22, 30, tzinfo=UTC)
    tag = batv.sign(USER, 2, SECRET, local.date())
    arrived = _arrival(datetime(2024, 3, 9, 22, 31, tzinfo=UTC))
    assert batv.check(tag, KEYS, arrived).status is Status.VALID


def test_the_other_side_of_midnight_needs_no_allowance() -> None:
    # Signed at 23:59:50 on 31 December, arrived at 00:00:10 on 1 January: one day old.
    tag = _signed(datetime(2023, 12, 31, 23, 59, 50, tzinfo=UTC))
    arrived = _arrival(datetime(2024, 1, 1, 0, 0, 10, tzinfo=UTC))
    for skew in (0, 1):
        result = batv.check(tag, KEYS, arrived, skew=skew)
        assert (result.status, result.days_early) == (Status.VALID, 0)


@pytest.mark.parametrize("skew", [0, 1, 2, 5])
def test_the_allowance_is_exactly_skew_days(skew: int) -> None:
    signed = date(2024, 6, 15)
    tag = batv.sign(USER, 2, SECRET, signed)
    for early in range(skew + 1):
        result = batv.check(tag, KEYS, signed - timedelta(days=early), skew=skew)
        assert (result.status, result.days_early) == (Status.VALID, early)
    beyond = batv.check(tag, KEYS, signed - timedelta(days=skew + 1), skew=skew)
    assert beyond.status is Status.EXPIRED


def test_the_expiry_side_does_not_move() -> None:
    signed = date(2024, 6, 15)
    tag = batv.sign(USER, 2, SECRET, signed)
    last = signed + timedelta(days=batv.DEFAULT_LIFETIME)
    assert batv.check(tag, KEYS, last, skew=3).status is Status.VALID
    assert batv.check(tag, KEYS, last + timedelta(days=1), skew=3).status is Status.EXPIRED
    late = batv.check(tag, KEYS, last + timedelta(days=1), grace=1, skew=3)
    assert (late.status, late.days_late) == (Status.LATE, 1)


def test_across_the_999_to_000_wrap() -> None:
    # Tags count days mod 1000: a tag signed on a day whose expiry residue is 000, checked on
    # the day before (residue 999 side).
    signed = next(
        date(2024, 1, 1) + timedelta(days=i)
        for i in range(1000)
        if (batv.epoch_day(date(2024, 1, 1) + timedelta(days=i)) + 7) % 1000 == 0
    )
    tag = batv.sign(USER, 2, SECRET, signed)
    assert tag.startswith("prvs=2000")
    assert batv.check(tag, KEYS, signed - timedelta(days=1)).status is Status.VALID


def test_bad_allowances_are_refused() -> None:
    with pytest.raises(ValueError):
        batv.check(USER, KEYS, date(2024, 1, 1), skew=-1)
    with pytest.raises(ValueError):
        batv.check(USER, KEYS, date(2024, 1, 1), lifetime=7, grace=2, skew=991)


def _identity(batv_table: dict[str, object]) -> Identity:
    return Identity.from_mapping(
        {"addresses": [USER], "batv": {**batv_table, "keys": [{"number": 2, "secret": "x"}]}},
        lambda entry: SECRET,
    )


def test_identity_skew_days_default_and_setting() -> None:
    assert _identity({}).skew_days == batv.DEFAULT_SKEW == 1
    assert _identity({"skew_days": 0}).skew_days == 0
    assert _identity({"skew_days": 3}).skew_days == 3
    for bad in (-1, "1", 1.5, True, 1000):
        with pytest.raises(IdentityError, match=r"batv\.skew_days"):
            _identity({"skew_days": bad})
    with pytest.raises(IdentityError, match="skew_days must stay below 1000"):
        _identity({"lifetime_days": 900, "grace_days": 90, "skew_days": 10})


@pytest.mark.parametrize(
    ("skew", "strength"), [(1, Strength.PROVES_LEGIT), (0, Strength.PROVES_FORGED)]
)
def test_a_bounce_arriving_the_utc_day_before_signing(skew: int, strength: Strength) -> None:
    """End to end through the BATV evidence: the bounce arrives at 23:59 UTC, its tag is from
    the relay's next day. With the allowance it proves the bounce real; without, the tag is
    taken for an old one replayed, and the real bounce for backscatter."""
    arrived = datetime(2024, 5, 20, 23, 59, 30, tzinfo=UTC)
    tag = batv.sign(factory.USER, factory.KEY, factory.SECRET, date(2024, 5, 21), factory.LIFETIME)
    mail, report = factory.read(factory.dsn(factory.original(sender=tag), rcpt=tag))
    found = batv_evidence.evidence(report, factory.identity(skew_days=skew), arrived, mail)
    assert found.strength is strength, found.detail
    if skew:
        assert "dated 1 day(s) after it arrived" in found.detail
    else:
        assert "dated after the bounce arrived" in found.detail
