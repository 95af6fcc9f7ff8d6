"""ndrguard's BATV against the real Exim: the same tags, and Exim's checks where they should agree.

Exim is the reference implementation most relays run, so its ${prvs} output is ground truth
for signing, and its ${prvscheck} for the signature part of checking. Expiry differs on
purpose: Exim only asks "expiry day >= today (mod 1000)", which keeps a tag valid for up to
~990 days in part of the cycle, while ndrguard uses the draft's window (at most `lifetime` days
ahead). So Exim's answers are compared with a model of Exim's rule (exim_accepts, from Exim
4.96's expand.c), ndrguard's with the draft's, and both must say "valid" on the day of signing
and the seven days after. Upper-case hex is the other known difference: Exim compares hex
case-sensitively and rejects it, ndrguard accepts it.

240 random addresses, secrets, key numbers and signing days (a third of them next to the
999 -> 000 wrap), each checked on five arrival days; one `exim -be` run per day and batch.

Last, the Exim recipe in docs/batv.md runs for real: its blocks are pasted into a throwaway
relay (tests/support/exim.py), which tags a message, gets the bounce back on loopback, delivers
it, and refuses a made-up tag; ndrguard then finds the tag in the bounce and calls it valid.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ndrguard import batv
from ndrguard.identity import Identity
from tests.mta.make_batv_vectors import (
    EximExpander,
    prvs_expansion,
    random_address,
    random_day,
    random_secret,
    tools_missing,
)
from tests.support.exim import Exim, EximNet, HarnessError, exim_missing_reason

pytestmark = pytest.mark.mta

SEED = 3834  # fixed, so a failure names the same case on the next run
SIGNING_DAYS = 24
PER_DAY = 10


def exim_accepts(expiry_day: int, today: int) -> bool:
    """Exim 4.96's expiry rule for a correctly signed tag (expand.c, EITEM_PRVSCHECK)."""
    now = today % 1000
    if expiry_day < 7 and now >= 993:  # Exim's own fix for the wrap: treat "now" as day 000
        now = 0
    return expiry_day >= now


@dataclass(frozen=True)
class Case:
    address: str
    key_number: int
    secret: str
    signed_on: date
    tagged: str  # as Exim signed it

    @property
    def expiry_day(self) -> int:
        return int(self.tagged[6:9])


def require(missing: str | None) -> None:
    if missing:
        # scripts/setup --test installs Exim and faketime, and .ci/run runs it: no skip in CI.
        if os.environ.get("CI"):
            pytest.fail(f"BATV cross-check cannot run in CI: {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="module")
def exim() -> Iterator[EximExpander]:
    require(tools_missing())
    with EximExpander() as expander:
        yield expander


@pytest.fixture(scope="module")
def cases(exim: EximExpander) -> list[Case]:
    rng = random.Random(SEED)
    found: list[Case] = []
    for _ in range(SIGNING_DAYS):
        day = random_day(rng)
        batch = [
            (random_address(rng), rng.randint(0, 9), random_secret(rng)) for _ in range(PER_DAY)
        ]
        tags = exim.expand(day, [prvs_expansion(a, s, k) for a, k, s in batch])
        found += [Case(a, k, s, day, tag) for (a, k, s), tag in zip(batch, tags, strict=True)]
    return found


def prvscheck(tagged: str, secret: str) -> str:
    return f"${{prvscheck {{{tagged}}}{{{secret}}}{{[$prvscheck_result]}}}}"


def tamper(tagged: str, rng: random.Random) -> str:
    """The tag with one hex digit of its signature changed, as a forger's guess would be."""
    at = rng.randrange(9, 15)
    digit = rng.choice([c for c in "0123456789abcdef" if c != tagged[at]])
    return tagged[:at] + digit + tagged[at + 1 :]


def test_ndrguard_signs_exactly_as_exim(cases: list[Case]) -> None:
    wrong = [
        (c, ours)
        for c in cases
        if (ours := batv.sign(c.address, c.key_number, c.secret.encode(), c.signed_on)) != c.tagged
    ]
    assert len(cases) == SIGNING_DAYS * PER_DAY
    assert not wrong, f"{len(wrong)} tags differ from Exim's, first: {wrong[0]}"


def test_checks_agree_with_exim(exim: EximExpander, cases: list[Case]) -> None:
    rng = random.Random(SEED + 1)
    problems: list[str] = []
    for signed_on in sorted({c.signed_on for c in cases}):
        group = [c for c in cases if c.signed_on == signed_on]
        for offset in (-1, 0, 7, 8, rng.randint(9, 999)):
            arrived = signed_on + timedelta(days=offset)
            today = batv.epoch_day(arrived)
            forged = [tamper(c.tagged, rng) for c in group]
            upper = [c.tagged[:9] + c.tagged[9:15].upper() + c.tagged[15:] for c in group]
            lines = []
            for c, f, u in zip(group, forged, upper, strict=True):
                lines += [
                    prvscheck(c.tagged, c.secret),
                    prvscheck(f, c.secret),
                    prvscheck(u, c.secret),
                ]
            answers = iter(exim.expand(arrived, lines))
            for c, f, u in zip(group, forged, upper, strict=True):
                exim_good, exim_forged, exim_upper = next(answers), next(answers), next(answers)
                keys = {c.key_number: c.secret.encode()}
                # Owning the address settles local parts like "x=ABCDEFGHIJ" that also read as
                # a Cisco tag; without it a bad signature there is only "foreign".
                owns = {c.address}.__contains__
                ours_good = batv.check(c.tagged, keys, arrived, owns=owns).status
                ours_forged = batv.check(f, keys, arrived, owns=owns).status
                ours_upper = batv.check(u, keys, arrived, owns=owns).status
                want_exim = "[1]" if exim_accepts(c.expiry_day, today) else "[]"
                # valid through the lifetime, and a day before signing: the clock-skew allowance
                valid = -batv.DEFAULT_SKEW <= offset <= 7
                want_ours = batv.Status.VALID if valid else batv.Status.EXPIRED
                where = f"{c} arrived {arrived} (day {offset})"
                if exim_good != want_exim:
                    problems.append(f"Exim said {exim_good!r} for the good tag: {where}")
                if ours_good is not want_ours:
                    problems.append(f"ndrguard said {ours_good} for the good tag: {where}")
                if 0 <= offset <= 7 and (exim_good, ours_good) != ("[1]", batv.Status.VALID):
                    problems.append(f"not both valid within the lifetime: {where}")
                if exim_forged != "[]" or ours_forged is not batv.Status.FORGED:
                    problems.append(f"forged {f}: Exim {exim_forged!r}, ndrguard {ours_forged}")
                if exim_upper != (exim_good if u == c.tagged else "[]"):
                    problems.append(f"Exim said {exim_upper!r} for upper-case hex {u}: {where}")
                if ours_upper is not ours_good:
                    problems.append(f"ndrguard said {ours_upper} for upper-case hex {u}: {where}")
    assert not problems, f"{len(problems)} disagreements, first ones:\n" + "\n".join(problems[:5])


def test_rotation_recipe_picks_the_secret_by_key_number(exim: EximExpander) -> None:
    """The docs' Exim check picks the secret by $prvscheck_keynum; ndrguard holds both keys."""
    day = date(2024, 1, 1)
    secrets = {3: "old secret", 4: "new secret"}
    tags = exim.expand(day, [prvs_expansion("user@example.org", s, k) for k, s in secrets.items()])
    lookup = "${if eq{$prvscheck_keynum}{3}{old secret}{new secret}}"
    exim_says = exim.expand(day, [prvscheck(tag, lookup) for tag in tags])
    keys = {k: s.encode() for k, s in secrets.items()}
    assert exim_says == ["[1]", "[1]"]
    assert [batv.check(tag, keys, day).status for tag in tags] == [batv.Status.VALID] * 2
    assert batv.check(tags[0], {4: keys[4]}, day).status is batv.Status.UNKNOWN_KEY


def test_exim_refuses_secrets_over_64_bytes(exim: EximExpander) -> None:
    """Why docs/batv.md says to keep secrets at 64 bytes or less (ndrguard itself takes any)."""
    (answer,) = exim.expand(date(2024, 1, 1), [prvs_expansion("user@example.org", "x" * 65, 1)])
    assert answer == "Failed: prvs hmac-sha1 conversion failed"


# --- docs/batv.md's Exim recipe, end to end ----------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "batv.md"
RECIPE_BLOCK = re.compile(r"<!-- exim-recipe: (\w+) -->\n```exim\n(.*?)```", re.DOTALL)
KEYS = {3: "old secret", 4: "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}
# The harness's RCPT ACL accepts only listed local parts (real configs route the address with
# "verify = recipient", where the recipe's router takes the tag off); let valid tags through.
HARNESS_ACCEPT = """  accept  domains = +local_domains
          control = caseful_local_part
          condition = ${prvscheck {$local_part@$domain}\\
                        {${lookup{$prvscheck_keynum}lsearch{BATV_KEYS}}}{$prvscheck_result}}
"""


class BatvRelay(Exim):
    """The harness's relay with docs/batv.md's blocks pasted where the docs say they go."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys_file = self.workdir / "batv-keys"
        self.keys_file.write_text("".join(f"{n}: {s}\n" for n, s in KEYS.items()))

    def render_config(self) -> str:
        blocks = {
            name: text.replace("/etc/exim4/batv-keys", str(self.keys_file)).replace(
                "example.org", "example.test"
            )
            for name, text in RECIPE_BLOCK.findall(DOCS.read_text(encoding="utf-8"))
        }
        assert sorted(blocks) == ["acl", "main", "router", "transport"], "docs/batv.md changed"
        config = super().render_config()
        for anchor, block in (
            ("acl_smtp_rcpt = acl_check_rcpt\n", blocks["main"]),
            ("acl_check_rcpt:\n", blocks["acl"] + HARNESS_ACCEPT),
            ("begin routers\n\n", blocks["router"] + "\n"),
            ("remote_smtp:\n  driver = smtp\n", blocks["transport"]),
        ):
            assert anchor in config, f"tests/support/exim.py no longer writes {anchor!r}"
            config = config.replace(anchor, anchor + block, 1)
        return config


def return_path(delivered: str) -> str:
    found = re.search(r"^Return-path: <(.*)>$", delivered, re.MULTILINE)
    assert found, "Exim adds Return-path: on delivery (return_path_add)"
    return found.group(1)


def test_the_documented_exim_recipe_end_to_end() -> None:
    require(exim_missing_reason())
    remote = Exim("remote", "mx.remote.test", lenient_domains=["remote.test"], mailboxes=["bob"])
    relay = BatvRelay(
        "relay",
        "relay.example.test",
        local_domains=["example.test"],
        mailboxes=["alice"],
        relay_for_loopback=True,
        routes={"remote.test": remote},
    )
    remote.routes["example.test"] = relay
    message = (
        b"From: Alice@example.test\r\nSubject: hello\r\nMessage-ID: <1@example.test>\r\n\r\nhi\r\n"
    )
    with EximNet([relay, remote]) as net:
        # Mixed case on purpose: without caseful_local_part Exim would refuse the bounce.
        relay.send("Alice@example.test", ["bob@remote.test", "nobody@remote.test"], message)
        relay.send("carol@elsewhere.test", ["bob@remote.test"], b"Subject: not ours\r\n\r\nx\r\n")
        net.pump()
        arrived = datetime.now(UTC).date()
        return_paths = sorted(return_path(m.read_text()) for m in remote.messages("bob"))
        (bounce,) = relay.messages("alice")  # nobody@ bounced after acceptance, back to Alice
        raw = bounce.read_text(encoding="utf-8")

        # Made-up tags are refused while the sender waits; untagged bounces still get in.
        with pytest.raises(HarnessError, match="Invalid BATV tag"):
            relay.send("", ["prvs=4000000000=alice@example.test"], b"Subject: fake\r\n\r\nx\r\n")
        relay.send("", ["alice@example.test"], b"Subject: untagged\r\n\r\nx\r\n")

    assert return_paths[0] == "carol@elsewhere.test"  # not in batv_senders: left alone
    assert re.fullmatch(r"prvs=4[0-9]{3}[0-9a-f]{6}=Alice@example\.test", return_paths[1])
    me = Identity(
        addresses=frozenset({"alice@example.test"}),
        batv_keys={n: s.encode() for n, s in KEYS.items()},
    )
    (tag,) = batv.find_tags(raw.splitlines())
    assert tag.address == return_paths[1]
    for shown in (
        f"Envelope-to: {tag.address}",
        f"To: {tag.address}",
        f"for {tag.address};",
        f"Return-path: <{tag.address}>",
        f"(envelope-from <{tag.address}>)",
    ):
        assert shown in raw
    result = me.check_tag(tag.address, arrived)
    assert (result.status, result.tag.key_number) == (batv.Status.VALID, 4)
