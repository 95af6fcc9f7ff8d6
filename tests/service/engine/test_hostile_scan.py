"""Hostile mail among bounces, scanned from a real Dovecot: one message never stops a scan.

The drills of issue 12 found a header naming a non-text codec (`=?base64?...?=`) raising out
of the core; over IMAP the same message would have stopped the pass at its UID on every retry,
so nothing after it was ever judged. Two defences are tested: the core reads such mail as
data, and the scanner's per-message boundary records whatever still trips the core as an
`unreadable` verdict, kept in place, and goes on.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ndrguard.service.engine.deciding import AccountJudge, Decision, account_judge
from ndrguard.service.engine.scanner import Scanner
from ndrguard.service.mailboxes.imap import ImapMailbox
from ndrguard.service.settings.config import Account
from ndrguard.service.store.state import State, VerdictState
from ndrguard.vocabulary import Policy
from tests.service.imap_util import (
    add_account,
    append_all,
    assert_accounted_for,
    drill_bounces,
    drill_ordinary,
    ndrguard,
    service_env,
    with_message_id,
)

pytestmark = pytest.mark.imap

# A forged bounce whose headers and body name codecs that are no charsets, with NUL bytes and a
# word cut off: before the fix its Subject alone raised LookupError in every scan.
HOSTILE = with_message_id(
    b"Return-Path: <>\n"
    b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
    b"To: alice@example.org\n"
    b"Subject: =?base64?q?Undelivered?= =?hex?B?YQ==?= =?uu?q?x?= =?utf_8_?q?Mail?= =?bz2?q\n"
    b"X-Junk: a\x00b\n"
    b"Content-Type: text/plain; charset=zlib\n\n"
    b"Your message could not be delivered to <victim@example.net>:\n"
    b"550 5.1.1 <victim@example.net>: Recipient address rejected: User unknown\n",
    "<hostile@drill.test>",
)


def test_scan_judges_the_hostile_bounce_and_every_other(
    dovecot_factory, tmp_path: Path
) -> None:
    server = dovecot_factory()
    login = server.accounts[0]
    bounces, ordinary = drill_bounces(12, "hb"), drill_ordinary(6, "ho")
    mail = [*bounces[:6], HOSTILE, *ordinary, *bounces[6:]]
    append_all(server, login, mail)
    env = service_env(tmp_path / "home")
    add_account(env, "hostile", server, login)
    done = ndrguard(env, "scan")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    state = State(tmp_path / "home" / "state.sqlite")
    try:
        rows = {r.message_id: r for r in state.verdicts("hostile", limit=100)}
    finally:
        state.close()
    hostile = rows["<hostile@drill.test>"]
    assert hostile.kind == "failure", hostile  # read as the bounce it is, defects and all
    assert len(rows) == len(bounces) + 1
    # block-all: every bounce, the hostile one too, is quarantined; ordinary mail stays.
    assert_accounted_for(server, login, ordinary, [*bounces, HOSTILE])


def test_a_message_that_trips_the_core_is_kept_as_unreadable_and_the_pass_goes_on(
    dovecot_factory, tmp_path: Path
) -> None:
    # No input is known to trip the core any more (tests/fuzz/ keeps looking), so the fault is
    # put in: the real decider raises for one marked message, as an unknown bug would.
    server = dovecot_factory()
    login = server.accounts[0]
    bounces = drill_bounces(10, "ub")
    trip = with_message_id(bounces[0].replace(b"Subject:", b"X-Trip: yes\nSubject:", 1), "<trip@x>")
    append_all(server, login, [*bounces[:5], trip, *bounces[5:]])
    account = Account(
        name="u", host=server.host, port=server.imaps_port, username=login.user,
        ca_file=server.cafile, policy=Policy.BLOCK_ALL,
    )  # fmt: skip
    class Tripping(AccountJudge):
        def __call__(self, raw: bytes, arrived: datetime | None) -> Decision:
            if b"X-Trip: yes" in raw:
                raise RecursionError("maximum recursion depth exceeded")
            return super().__call__(raw, arrived)

    decide = Tripping(account_judge(None, "block-all", None).context)

    state = State(tmp_path / "state.sqlite")
    box = ImapMailbox.connect(account, login.password)
    try:
        result = Scanner(account, box, state, decide).run_pass()
        again = Scanner(account, box, state, decide).run_pass()
        rows = {r.message_id: r for r in state.verdicts("u", limit=100)}
    finally:
        box.close()
        state.close()
    assert result.judged == len(bounces) + 1
    assert result.quarantined == len(bounces)
    assert again.judged == 0, "the unreadable message was fetched and judged again"
    tripped = rows["<trip@x>"]
    assert (tripped.kind, tripped.verdict, tripped.state) == (
        "unreadable", "unreadable", VerdictState.KEPT
    )
    assert "RecursionError: maximum recursion depth exceeded" in tripped.reason
    assert_accounted_for(server, login, [trip], bounces)
