"""`ndrguard batv`: make and check BATV tags by hand.

For the moments a user needs to see for themselves: testing that their relay signs the way
ndrguard expects (sign here, compare with the relay's Return-Path), or asking why one bounce was
judged as it was. Exit status 0 means a valid tag, 1 any other verdict, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from ndrguard import batv
from ndrguard.errors import shown
from ndrguard.identity import Identity, IdentityError
from ndrguard.service.settings.identity_file import load_identity, read_secret_file

EXIT_VALID = 0
EXIT_NOT_VALID = 1
EXIT_BAD_INPUT = 2
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `batv sign` and `batv check`; each sets `func(args) -> exit code`."""
    parser = subparsers.add_parser(
        "batv",
        help="sign or check BATV (prvs) tagged addresses",
        description="Make and check BATV prvs tags (draft-levine-smtp-batv-01, as Exim does).",
    )
    commands = parser.add_subparsers(dest="batv_command", metavar="COMMAND", required=True)

    sign = commands.add_parser(
        "sign",
        help="print ADDRESS with a prvs tag",
        description="Print ADDRESS tagged as a relay would tag it on the given day.",
    )
    sign.add_argument("address", metavar="ADDRESS")
    _add_key_options(sign, day_help="signing day, YYYY-MM-DD (default: today, UTC)")
    sign.add_argument("--json", action="store_true", help="the tagged address and its key as JSON")
    sign.set_defaults(func=run_sign)

    check = commands.add_parser(
        "check",
        help="judge the tag on ADDRESS",
        description="Judge the tag on ADDRESS for a bounce that arrived on the given day. "
        "Exit status: 0 valid, 1 any other verdict, 2 bad input.",
    )
    check.add_argument("address", metavar="ADDRESS")
    _add_key_options(check, day_help="day the bounce arrived, YYYY-MM-DD (default: today, UTC)")
    check.add_argument(
        "--grace",
        type=_days(0),
        metavar="DAYS",
        help="accept tags this many days past expiry as late (default: 0 or the identity's)",
    )
    check.add_argument(
        "--skew",
        type=_days(0),
        metavar="DAYS",
        help="accept tags signed up to this many days after the arrival day (a relay clock "
        f"ahead; default: {batv.DEFAULT_SKEW} or the identity's)",
    )
    check.add_argument("--json", action="store_true", help="print the verdict as JSON")
    check.set_defaults(func=run_check)
    return parser


def run_sign(args: argparse.Namespace) -> int:
    try:
        if args.identity is None:
            number = 0 if args.key_number is None else args.key_number  # Exim's default too
            secret = read_secret_file(args.secret_file)
            lifetime = _pick(args.lifetime, batv.DEFAULT_LIFETIME)
        else:
            identity = load_identity(args.identity)
            number = _signing_key(identity, args.key_number)
            secret = identity.batv_keys[number]
            lifetime = _pick(args.lifetime, identity.lifetime_days)
        day = _day_or_today(args.date)
        tagged = batv.sign(args.address, number, secret, day, lifetime)
        if args.json:
            print(json.dumps({"address": args.address, "tagged": tagged, "key": number,
                              "day": day.isoformat(), "lifetime_days": lifetime}))  # fmt: skip
        else:
            print(tagged)
    except (IdentityError, ValueError) as err:
        return _fail(err)
    return EXIT_VALID


def run_check(args: argparse.Namespace) -> int:
    try:
        if args.identity is None:
            # One secret and no key number: like Exim, use it whatever number the tag names.
            numbers = range(10) if args.key_number is None else (args.key_number,)
            keys = dict.fromkeys(numbers, read_secret_file(args.secret_file))
            lifetime, grace, skew = batv.DEFAULT_LIFETIME, 0, batv.DEFAULT_SKEW
            owns: Callable[[str], bool] | None = None
        else:
            identity = load_identity(args.identity)
            keys = _chosen_keys(identity, args.key_number)
            lifetime, grace = identity.lifetime_days, identity.grace_days
            skew = identity.skew_days
            owns = identity.owns_address
        result = batv.check(
            args.address,
            keys,
            _day_or_today(args.date),
            _pick(args.lifetime, lifetime),
            _pick(args.grace, grace),
            owns=owns,
            skew=_pick(args.skew, skew),
        )
    except (IdentityError, ValueError) as err:
        return _fail(err)
    if args.json:
        print(json.dumps({**result.to_json(), "explanation": result.explain()}))
    else:
        print(f"{result.status}: {result.explain()}")
    return EXIT_VALID if result.status is batv.Status.VALID else EXIT_NOT_VALID


def _add_key_options(parser: argparse.ArgumentParser, day_help: str) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--secret-file",
        type=Path,
        metavar="FILE",
        help="file holding the secret (raw bytes, one trailing newline ignored, mode 600)",
    )
    source.add_argument(
        "--identity",
        type=Path,
        metavar="FILE",
        help="identity TOML file to take keys, lifetime and grace from",
    )
    parser.add_argument("--key-number", type=_key_number, metavar="K", help="key number 0-9")
    parser.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help=day_help)
    parser.add_argument(
        "--lifetime",
        type=_days(1),
        metavar="DAYS",
        help=f"days a tag stays valid (default: {batv.DEFAULT_LIFETIME} or the identity's)",
    )


def _chosen_keys(identity: Identity, wanted: int | None) -> dict[int, bytes]:
    if wanted is None:
        return dict(identity.batv_keys)
    if wanted not in identity.batv_keys:
        raise IdentityError(None, _no_such_key(identity, wanted))
    return {wanted: identity.batv_keys[wanted]}


def _signing_key(identity: Identity, wanted: int | None) -> int:
    numbers = sorted(_chosen_keys(identity, wanted))
    if len(numbers) == 1:
        return numbers[0]
    if not numbers:
        raise IdentityError(None, "the identity file has no [[batv.keys]]")
    listed = ", ".join(map(str, numbers))
    raise IdentityError(None, f"the identity holds keys {listed}: choose one with --key-number")


def _no_such_key(identity: Identity, number: int) -> str:
    listed = ", ".join(map(str, sorted(identity.batv_keys))) or "none"
    return f"the identity holds no key number {number} (it holds: {listed})"


def _pick(given: int | None, fallback: int) -> int:
    return fallback if given is None else given


def _day_or_today(given: date | None) -> date:
    return given or datetime.now(UTC).date()


def _fail(err: Exception) -> int:
    """The error as every command shows one (`ndrguard: title: message`), with batv's exit code
    for bad input (2: the answer is neither valid nor invalid)."""
    print(f"ndrguard: {shown(err)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _day(text: str) -> date:
    if not _ISO_DAY.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a day written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real day: {err}") from err


def _key_number(text: str) -> int:
    if not re.fullmatch(r"[0-9]", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a key number 0-9")
    return int(text)


def _days(least: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not re.fullmatch(r"[0-9]{1,3}", text) or int(text) < least:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of days {least}-999")
        return int(text)

    return parse
