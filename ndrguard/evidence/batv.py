"""Evidence from BATV tags on the address the bounce came back to.

A bounce goes to the envelope sender of the message it answers, so when the user's relay tags
every envelope sender (prvs=KDDDSSSSSS=local@domain), the tag comes back with the bounce. It
shows in the delivered bounce's To:, Envelope-To:, X-Original-To:, Delivered-To: and
"Received: ... for <...>", and in the returned original's Return-Path: and "(envelope-from
<...>)". Every place is searched because each mail system keeps a different subset.

Only tags on the user's own addresses count: a tagged address of somebody else (a mailing
list's, a forwarder's) says nothing about the user's mail.

Expiry is judged on the day the bounce *arrived* (IMAP INTERNALDATE, or the topmost Received:
written by the user's own server), which the caller hands in; the bounce's Date: is the remote
server's word and is not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from ndrguard import batv as tags
from ndrguard.evidence.model import Evidence, Source, Strength
from ndrguard.identity import Identity
from ndrguard.mail import Mail
from ndrguard.report import Report

# Header fields of the bounce itself that carry the address it was delivered to.
_BOUNCE_FIELDS = (
    ("delivered-to", "Delivered-To"),
    ("x-original-to", "X-Original-To"),
    ("envelope-to", "Envelope-To"),
    ("to", "To"),
    ("received", "the bounce's Received headers"),
)
_PROVES_LEGIT = (tags.Status.VALID, tags.Status.LATE)
_PROVES_FORGED = (tags.Status.FORGED, tags.Status.EXPIRED)
_SIGNED = (tags.Status.VALID, tags.Status.LATE, tags.Status.EXPIRED)


@dataclass
class _Found:
    """One tagged address and every place it was seen."""

    address: str
    places: list[str] = field(default_factory=list)

    def where(self) -> str:
        places = list(dict.fromkeys(self.places))
        if len(places) == 1:
            return f"in {places[0]}"
        return f"in {', '.join(places[:-1])} and {places[-1]}"


def evidence(
    report: Report, identity: Identity, arrived: datetime | None, message: Mail | None
) -> Evidence:
    """What the BATV tags on the user's addresses say about this bounce."""
    found = _find(report, identity, message)
    if not found:
        searched = "" if message is not None else " (only the returned original was searched)"
        return Evidence(
            Source.BATV,
            Strength.NONE,
            f"the bounce came back to an address without a BATV tag{searched}",
        )
    day = arrival_day(arrived) if arrived is not None else None
    checks = [(f, identity.check_tag(f.address, day if day is not None else 0)) for f in found]
    if day is None:
        return _undated(checks)
    for group, strength in (
        (_PROVES_LEGIT, Strength.PROVES_LEGIT),
        (_PROVES_FORGED, Strength.PROVES_FORGED),
    ):
        chosen = [(f, c) for f, c in checks if c.status in group]
        if chosen:
            main = _sentence(*chosen[0], day, identity.grace_days)
            return Evidence(Source.BATV, strength, _with_others(main, chosen[0], checks))
    main = _sentence(*checks[0], day, identity.grace_days)
    return Evidence(Source.BATV, Strength.NONE, _with_others(main, checks[0], checks))


def arrival_day(arrived: datetime) -> date:
    """The UTC day of arrival; a naive datetime is taken to be UTC already."""
    if arrived.tzinfo is None:
        return arrived.date()
    return arrived.astimezone(UTC).date()


def _find(report: Report, identity: Identity, message: Mail | None) -> list[_Found]:
    places: list[tuple[str, list[str]]] = []
    if message is not None:
        places += [(label, message.headers.get_all(name)) for name, label in _BOUNCE_FIELDS]
    original = report.original
    if original is not None:
        if original.return_path:
            places.append(("the returned Return-Path", [original.return_path]))
        places.append(("the returned Received headers", original.received))
    found: dict[str, _Found] = {}
    for label, values in places:
        for tag in tags.find_tags(values):
            if not identity.owns_address(tag.address):
                continue
            # The same tag often differs only in case between hops; one check is enough.
            entry = found.setdefault(tag.address.lower(), _Found(tag.address))
            entry.places.append(label)
    return list(found.values())


def _sentence(found: _Found, check: tags.Check, arrived: date, grace: int) -> str:
    key = check.tag.key_number
    where = found.where()
    match check.status:
        case tags.Status.VALID:
            assert check.signed_on is not None  # set for every signed tag
            age = (arrived - check.signed_on).days
            if age < 0:  # within the skew allowance: the relay's clock was a day ahead
                when = (
                    f"dated {-age} day(s) after it arrived (a relay clock ahead of UTC, "
                    "within the skew allowance)"
                )
            elif age == 0:
                when = "on the day it arrived"
            else:
                when = f"{age} day(s) before it arrived"
            return (
                f"the bounce carries your relay's BATV tag for key {key} ({where}), signed {when}"
            )
        case tags.Status.LATE:
            return (
                f"the bounce carries your relay's BATV tag for key {key} ({where}); the tag "
                f"expired {check.days_late} day(s) before the bounce arrived, within your "
                f"{grace} grace day(s)"
            )
        case tags.Status.EXPIRED:
            if check.days_late >= tags.DAY_MODULUS // 2:
                late = "is dated after the bounce arrived"
            else:
                late = f"had expired {check.days_late} day(s) before the bounce arrived"
            return (
                f"the bounce came back to a BATV tag for key {key} ({where}) that your relay "
                f"made but that {late}: a bounce that late is taken for a spammer reusing an "
                "old tagged address"
            )
        case tags.Status.FORGED:
            return (
                f"the bounce came back to a BATV tag ({where}) that claims your key {key} but "
                "whose signature is wrong: your relay did not make it, so the bounce answers "
                "forged mail"
            )
        case tags.Status.UNKNOWN_KEY:
            return (
                f"the bounce came back to a BATV tag for key {key} ({where}), but no secret "
                f"for key {key} is configured, so the tag could not be checked"
            )
    return (
        f"the bounce came back to an address tagged in the {check.tag.syntax} scheme "
        f"({where}), which ndrguard cannot verify: it proves nothing either way"
    )


def _with_others(
    main: str, chosen: tuple[_Found, tags.Check], checks: list[tuple[_Found, tags.Check]]
) -> str:
    """The main sentence, plus a word on every other tag so that none is hidden."""
    others = [f"{f.address} ({c.status})" for f, c in checks if (f, c) != chosen]
    if not others:
        return main
    return f"{main}; other tags found: {', '.join(others)}"


def _undated(checks: list[tuple[_Found, tags.Check]]) -> Evidence:
    """Without an arrival day only the signature can be judged, never the expiry."""
    for found, check in checks:
        if check.status is tags.Status.FORGED:
            return Evidence(
                Source.BATV,
                Strength.PROVES_FORGED,
                _with_others(_sentence(found, check, date.min, 0), (found, check), checks),
            )
    for found, check in checks:
        if check.status in _SIGNED:
            return Evidence(
                Source.BATV,
                Strength.SUGGESTS_LEGIT,
                _with_others(
                    f"the bounce carries a correctly signed BATV tag of your relay for key "
                    f"{check.tag.key_number} ({found.where()}), but when the bounce arrived is "
                    "unknown, so whether the tag had expired was not checked",
                    (found, check),
                    checks,
                ),
            )
    found, check = checks[0]
    return Evidence(
        Source.BATV,
        Strength.NONE,
        _with_others(_sentence(found, check, date.min, 0), (found, check), checks),
    )
