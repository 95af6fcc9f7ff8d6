"""BATV: sign and check prvs tags, and name the tag syntaxes of other systems.

A valid prvs tag on the address a bounce was sent to is the strongest proof that the bounce
answers mail the user's relay really sent; a prvs tag with a bad signature is the strongest proof
of forgery. Everything here therefore errs on one side: a tag is only called forged when it can
only be read as a prvs tag made with one of the user's keys. Tags of other schemes (Cisco,
Barracuda, the 2004 draft, SRS) are named, never judged, because the user holds no key for them.

The format is draft-levine-smtp-batv-01 as Exim implements it: ``prvs=KDDDSSSSSS=local@domain``
with K the key number, DDD the expiry day (days since 1970-01-01 UTC, mod 1000) and SSSSSS the
first six hex digits of HMAC-SHA1(secret, K + DDD + "local@domain").
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

DEFAULT_LIFETIME = 7
# Days a tag's window may start after the bounce's arrival day: the relay's clock (or its
# idea of the day: a relay east of UTC just past its local midnight) runs ahead of the
# mailbox's, so a bounce can arrive on the UTC day before the day the tag was signed.
DEFAULT_SKEW = 1
EPOCH = date(1970, 1, 1)
DAY_MODULUS = 1000  # DDD has three digits: tags only know the day modulo 1000


class Syntax(StrEnum):
    """Which tagging scheme an address is written in."""

    PRVS = "prvs"  # prvs=KDDDSSSSSS=local@domain: the one we can verify
    CISCO = "cisco"  # prvs=local=TAG@domain (Cisco/IronPort bounce verification)
    BARRACUDA = "barracuda"  # btv1==HHHHHHHHHHH==local@domain
    PRVS_2004 = "prvs-2004"  # prvs=local/TAG@domain (the 2004 BATV draft)
    SRS0 = "srs0"  # a forwarder's Sender Rewriting Scheme, first hop
    SRS1 = "srs1"  # SRS after a second forwarder
    NONE = "none"


class Status(StrEnum):
    """The verdict on one address."""

    VALID = "valid"  # our key signed it and it had not expired when the bounce arrived
    LATE = "late"  # our key signed it; expired, but within the grace days
    EXPIRED = "expired"  # our key signed it, too long ago (or the relay's clock is far off)
    FORGED = "forged"  # a prvs tag with one of our key numbers and a wrong signature
    UNKNOWN_KEY = "unknown-key"  # a prvs tag with a key number we hold no secret for
    FOREIGN = "foreign"  # some other system's tag: we cannot verify it either way
    NOT_TAGGED = "not-tagged"


@dataclass(frozen=True, slots=True)
class Tag:
    """One reading of an address as a tagged address.

    `untagged` is the address the tag wraps: for SRS it is the original sender (which may itself
    carry a prvs tag), for the rest the plain local@domain, and for NONE the address itself.
    """

    syntax: Syntax
    address: str
    untagged: str
    key_number: int | None = None  # prvs only
    expiry_day: int | None = None  # prvs only: DDD, the expiry day mod 1000
    signature: str | None = None  # as written: prvs hex, the vendor's tag, or the SRS hash
    timestamp: str | None = None  # SRS only: its two-character day stamp
    forwarder: str | None = None  # SRS only: the domain that rewrote the address


# re.ASCII keeps IGNORECASE from matching look-alikes such as the Kelvin sign for "k".
_FLAGS = re.IGNORECASE | re.ASCII | re.DOTALL
_PRVS = re.compile(r"prvs=([0-9])([0-9]{3})([0-9a-f]{6})=(.+)@([^@]+)", _FLAGS)
# Cisco documents a ten-character tag ("prvs=joe=123ABCDEFG@example.com"). Holding the tag to
# that length keeps a real prvs address ("prvs=3730537f09=joe@") from also reading as Cisco.
_CISCO = re.compile(r"prvs=(.+)=([0-9a-z]{10})@([^@]+)", _FLAGS)
_BARRACUDA = re.compile(r"btv1==([0-9a-f]{11})==(.+)@([^@]+)", _FLAGS)
_PRVS_2004 = re.compile(r"prvs=(.+)/([0-9a-z]{10})@([^@]+)", _FLAGS)
_SRS0 = re.compile(r"srs0[=+-]([^=]+)=([^=]{2})=([^=]+)=(.+)@([^@]+)", _FLAGS)
# SRS1=HHH=first.forwarder==HHH=TT=domain=local@second.forwarder: the tail after the first
# forwarder is the SRS0 address's local part minus "SRS0", separator included.
_SRS1 = re.compile(r"srs1[=+-]([^=]+)=([^=]+)=[=+-]([^=]+)=([^=]{2})=([^=]+)=(.+)@([^@]+)", _FLAGS)

_TOKEN = re.compile(r"[^\s<>\"(),;:\[\]@]+@[^\s<>\"(),;:\[\]@]+")


def epoch_day(day: date | int) -> int:
    """Days since 1970-01-01, the count DDD is taken from; an int is taken as already counted."""
    if isinstance(day, int):
        return day
    return day.toordinal() - EPOCH.toordinal()


def sign(
    address: str,
    key_number: int,
    secret: bytes,
    day: date | int,
    lifetime: int = DEFAULT_LIFETIME,
) -> str:
    """Tag `address` as a relay would on `day` (UTC), so tests and users can make known tags."""
    local, at, domain = address.rpartition("@")
    if not (at and local and domain):
        raise ValueError(f"not an address with a local part and a domain: {address!r}")
    if key_number not in range(10):
        raise ValueError(f"the key number must be a single digit 0-9, not {key_number!r}")
    if lifetime not in range(DAY_MODULUS):
        raise ValueError(f"the lifetime must be 0-999 days, not {lifetime!r}")
    expiry = (epoch_day(day) + lifetime) % DAY_MODULUS
    return f"prvs={key_number}{expiry:03d}{_mac(secret, key_number, expiry, address)}={address}"


def readings(address: str) -> tuple[Tag, ...]:
    """Every tag syntax `address` fits, the verifiable prvs form first.

    More than one reading is possible: "prvs=1234567890=ABCDEFGHIJ@example.com" is a real tag
    for ABCDEFGHIJ@ and a Cisco tag for the phone-number mailbox 1234567890@.
    """
    address = _bare(address)
    found: list[Tag] = []
    if m := _PRVS.fullmatch(address):
        key, expiry, sig, local, domain = m.groups()
        found.append(Tag(Syntax.PRVS, address, f"{local}@{domain}", int(key), int(expiry), sig))
    if m := _SRS0.fullmatch(address):
        sig, stamp, domain, local, forwarder = m.groups()
        found.append(
            Tag(Syntax.SRS0, address, f"{local}@{domain}", None, None, sig, stamp, forwarder)
        )
    if m := _SRS1.fullmatch(address):
        sig, first, _, stamp, domain, local, _ = m.groups()
        found.append(Tag(Syntax.SRS1, address, f"{local}@{domain}", None, None, sig, stamp, first))
    if m := _BARRACUDA.fullmatch(address):
        sig, local, domain = m.groups()
        found.append(Tag(Syntax.BARRACUDA, address, f"{local}@{domain}", signature=sig))
    if m := _CISCO.fullmatch(address):
        local, sig, domain = m.groups()
        found.append(Tag(Syntax.CISCO, address, f"{local}@{domain}", signature=sig))
    if m := _PRVS_2004.fullmatch(address):
        local, sig, domain = m.groups()
        found.append(Tag(Syntax.PRVS_2004, address, f"{local}@{domain}", signature=sig))
    return tuple(found)


def parse(address: str) -> Tag:
    """The most likely reading of `address`; syntax NONE when it carries no tag we know."""
    found = readings(address)
    if found:
        return found[0]
    bare = _bare(address)
    return Tag(Syntax.NONE, bare, bare)


def find_tags(values: Iterable[str]) -> tuple[Tag, ...]:
    """Tagged addresses anywhere in header values or addresses, first occurrence first.

    Bounces show the tag in many places (To:, Delivered-To:, "Received: ... for <...>",
    "(envelope-from <...>)", the returned original's Return-Path:), so this looks at every
    address-like token rather than parsing each header's grammar. Values must be decoded text.
    """
    seen: set[str] = set()
    tags: list[Tag] = []
    for value in values:
        if "=" not in value:  # every tag syntax has one: most header values are skipped here
            continue
        for token in _TOKEN.findall(value):
            token = token.rstrip(".")
            if "=" not in token or token in seen:
                continue
            seen.add(token)
            tag = parse(token)
            if tag.syntax is not Syntax.NONE:
                tags.append(tag)
    return tuple(tags)


@dataclass(frozen=True, slots=True)
class Check:
    """What `check` found, with the days it worked out so a person can follow the reasoning."""

    status: Status
    address: str  # as handed in (bare)
    tag: Tag  # the reading judged; for an SRS-wrapped prvs tag, the inner prvs reading
    signed_on: date | None = None  # the expiry day minus the lifetime we assume
    expires_on: date | None = None
    days_late: int = 0  # days past expiry on arrival; 0 unless late or expired
    days_early: int = 0  # days the tag was signed after arrival, within the skew allowance

    def to_json(self) -> dict[str, object]:
        return {
            "status": str(self.status),
            "address": self.address,
            "syntax": str(self.tag.syntax),
            "untagged": self.tag.untagged,
            "key_number": self.tag.key_number,
            "signed_on": self.signed_on.isoformat() if self.signed_on else None,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "days_late": self.days_late,
            "days_early": self.days_early,
        }

    def explain(self) -> str:
        """One sentence for the user, saying what was found and what it proves."""
        key = self.tag.key_number
        match self.status:
            case Status.VALID if self.days_early:
                return (
                    f"valid BATV tag made with key {key}, dated {self.days_early} day(s) after "
                    f"the bounce arrived (within the allowance for a relay clock ahead), "
                    f"good until {self.expires_on}: the bounce answers mail your relay sent"
                )
            case Status.VALID:
                return (
                    f"valid BATV tag made with key {key} around {self.signed_on}, "
                    f"good until {self.expires_on}: the bounce answers mail your relay sent"
                )
            case Status.LATE:
                return (
                    f"BATV tag made with key {key}, {self.days_late} day(s) past its expiry "
                    f"on {self.expires_on} but within the grace days: accepted as late"
                )
            case Status.EXPIRED if self.days_late < DAY_MODULUS // 2:
                return (
                    f"BATV tag made with key {key} expired {self.days_late} day(s) before the "
                    f"bounce arrived, on {self.expires_on}"
                )
            case Status.EXPIRED:
                # DDD only counts days mod 1000: a far-ahead day is as likely an ancient tag.
                return (
                    f"BATV tag made with key {key} names an expiry day "
                    f"{DAY_MODULUS - self.days_late} day(s) after the bounce arrived, further "
                    "ahead than its lifetime allows: an old tag, or a relay clock far off"
                )
            case Status.FORGED:
                return (
                    f"BATV tag claims key {key} but its signature is wrong: "
                    "your relay did not make it, the bounce answers forged mail"
                )
            case Status.UNKNOWN_KEY:
                return f"BATV tag made with key {key}, for which no secret is configured"
            case Status.FOREIGN:
                return (
                    f"tagged in the {self.tag.syntax} scheme, which ndrguard cannot verify: "
                    "neither proof nor disproof"
                )
        return "the address carries no BATV tag"


def check(
    address: str,
    keys: Mapping[int, bytes],
    arrived: date | int,
    lifetime: int = DEFAULT_LIFETIME,
    grace: int = 0,
    *,
    owns: Callable[[str], bool] | None = None,
    skew: int = DEFAULT_SKEW,
) -> Check:
    """Judge the tag on `address` for a bounce that arrived on `arrived` (UTC day).

    Expiry follows the draft's window (valid while the expiry day is at most `lifetime` days
    ahead), which is stricter than Exim's own check. `keys` maps key numbers to secrets so that
    old and new keys both verify during a rotation. `owns`, when given, settles addresses that
    read as two syntaxes: a reading whose untagged address the user does not own is dropped.
    `skew` is the far side's allowance: a tag whose window starts up to that many days after
    the arrival day (the relay's clock ahead, around midnight UTC) is still valid.
    """
    if lifetime < 0 or grace < 0 or skew < 0 or lifetime + grace + skew >= DAY_MODULUS:
        raise ValueError(
            "lifetime, grace and skew must be non-negative and add up to less than 1000"
        )
    bare = _bare(address)
    found = readings(bare)
    if owns is not None:
        found = tuple(t for t in found if owns(t.untagged)) or found
    if not found:
        return Check(Status.NOT_TAGGED, bare, Tag(Syntax.NONE, bare, bare))
    first = found[0]
    if first.syntax is Syntax.PRVS:
        result = _check_prvs(bare, first, keys, epoch_day(arrived), lifetime, grace, skew)
        if result.status in (Status.FORGED, Status.UNKNOWN_KEY) and len(found) > 1:
            # It may be the other system's tag: never call forged what may not be ours.
            return Check(Status.FOREIGN, bare, found[1])
        return result
    if first.syntax in (Syntax.SRS0, Syntax.SRS1):
        # A forwarder wrapped the sender; a prvs tag inside is still ours to check.
        inner = check(first.untagged, keys, arrived, lifetime, grace, owns=owns, skew=skew)
        if inner.status is not Status.NOT_TAGGED:
            return replace(inner, address=bare)
    return Check(Status.FOREIGN, bare, first)


def _check_prvs(
    bare: str,
    tag: Tag,
    keys: Mapping[int, bytes],
    today: int,
    lifetime: int,
    grace: int,
    skew: int,
) -> Check:
    key, expiry, signature = tag.key_number, tag.expiry_day, tag.signature
    assert key is not None and expiry is not None and signature is not None  # set for PRVS
    secret = keys.get(key)
    if secret is None:
        return Check(Status.UNKNOWN_KEY, bare, tag)
    if not _signed_with(secret, key, expiry, signature, tag.untagged):
        return Check(Status.FORGED, bare, tag)
    ahead = (expiry - today) % DAY_MODULUS
    early = 0
    if ahead <= lifetime + skew:
        status, late, expires = Status.VALID, 0, today + ahead
        early = max(0, ahead - lifetime)
    else:
        late = DAY_MODULUS - ahead
        status = Status.LATE if late <= grace else Status.EXPIRED
        expires = today - late
    expires_on = EPOCH + timedelta(days=expires)
    signed_on = expires_on - timedelta(days=lifetime)
    return Check(status, bare, tag, signed_on, expires_on, late, early)


def _signed_with(secret: bytes, key: int, expiry: int, signature: str, address: str) -> bool:
    """Whether `secret` made the signature, for the address as received or lower-cased.

    The draft hashes the address as the relay sent it, but Exim's recipe checks $local_part,
    which Exim lower-cases, and other hops lower-case too; hex may come back in either case.
    """
    want = signature.lower()
    local, _, domain = address.rpartition("@")
    variants = dict.fromkeys(
        (
            address,
            f"{_ascii_lower(local)}@{domain}",
            f"{local}@{_ascii_lower(domain)}",
            _ascii_lower(address),
        )
    )
    return any(
        hmac.compare_digest(_mac(secret, key, expiry, variant), want) for variant in variants
    )


def _mac(secret: bytes, key_number: int, expiry_day: int, address: str) -> str:
    # surrogateescape gives back the original bytes of an 8-bit address decoded that way.
    source = f"{key_number}{expiry_day:03d}{address}".encode("utf-8", "surrogateescape")
    return hmac.new(secret, source, hashlib.sha1).hexdigest()[:6]


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    # MTAs lower-case bytewise in the C locale; non-ASCII letters keep their case.
    return text.translate(_ASCII_LOWER)


def _bare(address: str) -> str:
    address = address.strip()
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    return address
