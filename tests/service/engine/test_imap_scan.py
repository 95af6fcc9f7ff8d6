"""`ndrguard scan` against a real Dovecot on loopback: the IMAP backend end to end."""

from __future__ import annotations

import json
import random
import shutil
import socket
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ndrguard import recognise_bytes
from ndrguard.batv import sign
from ndrguard.service.demo import mail as demo_mail
from ndrguard.service.mailboxes.imap import KEEPALIVE, USER_TIMEOUT, ImapMailbox
from ndrguard.service.settings.config import Account
from tests.service.imap_util import (
    add_account,
    append_all,
    append_pipelined,
    assert_accounted_for,
    client,
    digest,
    drill_bounces,
    drill_ordinary,
    folder_view,
    ndrguard,
    service_env,
)
from tests.support.dovecot import DEFAULT_CAPABILITIES, Dovecot

pytestmark = pytest.mark.imap

KEPT = ("other", "feedback")  # ordinary mail, and ARF reports without proof of forgery


def samples(n: int, seed: int = 1) -> list[demo_mail.Sample]:
    return list(demo_mail.generate(n, seed=seed))


def expected(made: list[demo_mail.Sample]) -> tuple[list[str], list[str]]:
    keep = sorted(digest(s.data) for s in made if s.expected in KEPT)
    move = sorted(digest(s.data) for s in made if s.expected not in KEPT)
    return keep, move


def hashes(view: list[tuple[str, bool]]) -> list[str]:
    return sorted(h for h, _ in view)


def test_catch_up_moves_backscatter_with_move_and_creates_the_folder(
    dovecot, imap_account, tmp_path: Path
) -> None:
    made = samples(45)
    append_all(dovecot, imap_account, (s.data for s in made))
    env = service_env(tmp_path / "home")
    add_account(env, "work", dovecot, imap_account)
    done = ndrguard(env, "scan", "--account", "work")
    assert done.returncode == 0, done.stderr
    keep, move = expected(made)
    inbox = folder_view(dovecot, imap_account, "INBOX")
    quarantine = folder_view(dovecot, imap_account, "Backscatter")
    assert hashes(inbox) == keep
    assert hashes(quarantine) == move
    assert not any(seen for _, seen in inbox + quarantine), "BODY.PEEK must not set \\Seen"
    again = ndrguard(env, "scan", "--account", "work")
    assert "0 judged, 0 quarantined" in again.stdout, again.stdout


def test_copy_fallback_without_move_expunges_only_what_it_copied(
    dovecot_factory, tmp_path: Path
) -> None:
    server = dovecot_factory(move=False)
    login = server.accounts[0]
    made = samples(30)
    append_all(server, login, (s.data for s in made))
    # Another client's deleted-but-not-expunged message: a plain EXPUNGE would destroy it.
    other = b"From: carol@example.com\r\nSubject: draft\r\nMessage-ID: <keep@x>\r\n\r\nkeep\r\n"
    server.append(login.user, other, flags="\\Deleted")
    env = service_env(tmp_path / "home")
    add_account(env, "nomove", server, login)
    done = ndrguard(env, "scan")
    assert done.returncode == 0, done.stderr
    keep, move = expected(made)
    assert hashes(folder_view(server, login, "INBOX")) == keep
    assert hashes(folder_view(server, login, "Backscatter")) == move
    c = client(server, login)
    c.select_folder("INBOX", readonly=True)
    assert c.search(["DELETED"]), "the other client's \\Deleted message was expunged"
    c.logout()


def test_uidvalidity_change_neither_rejudges_nor_moves_again(
    dovecot_factory, tmp_path: Path
) -> None:
    server = dovecot_factory()
    login = server.accounts[0]
    made = samples(30)
    append_all(server, login, (s.data for s in made))
    env = service_env(tmp_path / "home")
    add_account(env, "acct", server, login)
    assert ndrguard(env, "scan").returncode == 0
    before = uidvalidity(server, login)
    # Renumber the INBOX: Dovecot makes a new UIDVALIDITY when its uidlist and index are gone.
    server.stop()
    maildir = server.maildir(login.user)
    for p in maildir.glob("dovecot*"):
        p.unlink() if p.is_file() else shutil.rmtree(p)
    server.start()
    assert uidvalidity(server, login) != before
    again = ndrguard(env, "scan")
    assert again.returncode == 0, again.stderr
    assert "0 judged, 0 quarantined" in again.stdout, again.stdout
    keep, move = expected(made)
    assert hashes(folder_view(server, login, "INBOX")) == keep
    assert hashes(folder_view(server, login, "Backscatter")) == move


def uidvalidity(server, login) -> int:
    c = client(server, login)
    try:
        return int(c.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"])
    finally:
        c.logout()


def test_sent_index_keeps_a_bounce_of_mail_the_user_sent(
    dovecot, imap_account, tmp_path: Path
) -> None:
    made = samples(30)
    bounces = [s for s in made if s.name.endswith("postfix-full.eml")]
    real, forged = bounces[0], bounces[1]
    returned = recognise_bytes(real.data).original
    assert returned is not None and returned.message_id
    sent = (
        f"From: alice@example.org\r\nTo: someone@example.com\r\nSubject: hi\r\n"
        f"Message-ID: {returned.message_id}\r\n\r\nhello\r\n"
    ).encode()
    append_all(dovecot, imap_account, [sent], folder="Sent")
    append_all(dovecot, imap_account, [real.data, forged.data])
    env = service_env(tmp_path / "home")
    add_account(env, "ev", dovecot, imap_account, "evidence")
    done = ndrguard(env, "scan")
    assert done.returncode == 0, done.stderr
    assert hashes(folder_view(dovecot, imap_account, "INBOX")) == [digest(real.data)]
    assert hashes(folder_view(dovecot, imap_account, "Backscatter")) == [digest(forged.data)]


def test_two_accounts_in_one_scan(dovecot, tmp_path: Path) -> None:
    env = service_env(tmp_path / "home")
    logins = [dovecot.take_account(), dovecot.take_account()]
    batches = [samples(15, seed=7), samples(21, seed=8)]
    for n, (login, made) in enumerate(zip(logins, batches, strict=True)):
        append_all(dovecot, login, (s.data for s in made))
        add_account(env, f"acct{n}", dovecot, login)
    done = ndrguard(env, "scan")
    assert done.returncode == 0, done.stderr
    for login, made in zip(logins, batches, strict=True):
        keep, move = expected(made)
        assert hashes(folder_view(dovecot, login, "INBOX")) == keep
        assert hashes(folder_view(dovecot, login, "Backscatter")) == move


def test_wrong_password_is_a_login_error_for_the_user(dovecot, imap_account, tmp_path) -> None:
    env = service_env(tmp_path / "home")
    done = ndrguard(
        env, "account", "add", "bad", "--host", dovecot.host, "--port", str(dovecot.imaps_port),
        "--username", imap_account.user, "--ca-file", str(dovecot.cafile), "--password-stdin",
        stdin="wrong\n",
    )  # fmt: skip
    assert done.returncode == 1
    assert "Login failed" in done.stderr
    assert "not saved" in done.stderr  # a failed test keeps nothing: trying again works
    assert not (tmp_path / "home" / "config.toml").exists()


def test_untrusted_certificate_is_rejected(dovecot, imap_account, tmp_path) -> None:
    env = service_env(tmp_path / "home")
    done = ndrguard(
        env, "account", "add", "nocert", "--host", dovecot.host, "--port",
        str(dovecot.imaps_port), "--username", imap_account.user, "--password-stdin",
        stdin=imap_account.password + "\n",
    )  # fmt: skip
    assert done.returncode == 1
    assert "Certificate rejected" in done.stderr
    assert "--ca-file" in done.stderr  # the fix is named
    assert not (tmp_path / "home" / "config.toml").exists()


def scanned_with_a_victim(
    dovecot, imap_account, tmp_path: Path
) -> tuple[list[demo_mail.Sample], dict[str, str], int]:
    """Nine demo messages scanned into place, and the id of one quarantined bounce."""
    made = samples(9)
    append_all(dovecot, imap_account, (s.data for s in made))
    env = service_env(tmp_path / "home")
    add_account(env, "r", dovecot, imap_account)
    assert ndrguard(env, "scan").returncode == 0
    summary = json.loads(ndrguard(env, "summary", "--json").stdout)
    victim = next(v for v in summary["verdicts"] if v["state"] == "quarantined")
    return made, env, int(victim["id"])


def assert_one_restored(dovecot, imap_account, made: list[demo_mail.Sample], said: str) -> None:
    """Exactly one bounce back in the INBOX, the rest where the scan put them, none lost."""
    keep, move = expected(made)
    inbox = hashes(folder_view(dovecot, imap_account, "INBOX"))
    quarantine = hashes(folder_view(dovecot, imap_account, "Backscatter"))
    assert len(inbox) == len(keep) + 1 and len(quarantine) == len(move) - 1, said
    assert sorted(inbox + quarantine) == sorted(keep + move)


def test_restore_moves_back_once_and_the_next_scan_leaves_it(
    dovecot, imap_account, tmp_path: Path
) -> None:
    made, env, victim = scanned_with_a_victim(dovecot, imap_account, tmp_path)
    done = ndrguard(env, "restore", str(victim))
    assert done.returncode == 0, done.stderr
    again = ndrguard(env, "restore", str(victim))
    assert again.returncode == 1 and "not in quarantine" in again.stderr
    assert ndrguard(env, "scan").returncode == 0
    assert_one_restored(dovecot, imap_account, made, done.stdout)
    status = json.loads(ndrguard(env, "status", "--json").stdout)
    assert status["accounts"]["r"]["counters"]["restored"] == 1


def test_a_quarantined_verdict_without_its_uid_is_restored_by_message_id(
    dovecot, imap_account, tmp_path: Path
) -> None:
    """Rows an older version left with no quarantine UID once made every restore of that
    message fetch UID 0 ("Invalid uidset"): the message is found by its Message-ID instead."""
    made, env, victim = scanned_with_a_victim(dovecot, imap_account, tmp_path)
    with sqlite3.connect(tmp_path / "home" / "state.sqlite") as db:
        db.execute("UPDATE verdicts SET quarantine_uid=NULL WHERE id=?", (victim,))
    done = ndrguard(env, "restore", str(victim))
    assert done.returncode == 0, done.stderr
    assert_one_restored(dovecot, imap_account, made, done.stdout)


def test_quota_full_quarantine_leaves_the_rest_in_the_inbox_and_says_so(
    dovecot_factory, tmp_path: Path
) -> None:
    # Dovecot lets a MOVE through whatever the quota (usage does not grow); COPY is refused.
    server = dovecot_factory(move=False, quota={"*": "10M", "Backscatter": "1K"})
    login = server.accounts[0]
    made = samples(120)
    append_all(server, login, (s.data for s in made))
    env = service_env(tmp_path / "home")
    add_account(env, "q", server, login)
    done = ndrguard(env, "scan")
    assert done.returncode == 1
    assert "Mailbox full" in done.stderr
    keep, move = expected(made)
    inbox = hashes(folder_view(server, login, "INBOX"))
    quarantine = hashes(folder_view(server, login, "Backscatter"))
    assert sorted(inbox + quarantine) == sorted(keep + move)  # nothing lost, nothing twice
    assert set(quarantine) <= set(move)
    again = ndrguard(env, "scan")  # still full: tried again, still nothing lost
    assert again.returncode == 1
    assert hashes(folder_view(server, login, "INBOX")) == inbox
    status = json.loads(ndrguard(env, "status", "--json").stdout)
    assert status["accounts"]["q"]["open_moves"] == 0  # every journal entry was settled


def test_copy_fallback_records_where_each_copy_went(dovecot_factory, tmp_path: Path) -> None:
    # Without MOVE the server names the copies in COPYUID on the COPY's tagged answer; the
    # verdicts must say "quarantined" with that UID (restore needs it), never "gone".
    server = dovecot_factory(move=False)
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(40), drill_bounces(600)
    append_pipelined(server, login, ordinary + bounces)
    env = service_env(tmp_path / "home")
    add_account(env, "c", server, login)
    done = ndrguard(env, "scan")
    assert "600 quarantined" in done.stdout and "gone" not in done.stdout, done.stdout
    assert_accounted_for(server, login, ordinary, bounces)
    summary = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    assert {v["state"] for v in summary} == {"quarantined"}
    assert len({v["quarantine_uid"] for v in summary}) == 600


class NoUidplusDovecot(Dovecot):
    """A server with neither MOVE nor UIDPLUS (old Courier, some hosting providers)."""

    def render_config(self) -> str:
        caps = " ".join(c for c in DEFAULT_CAPABILITIES if c not in ("MOVE", "UIDPLUS"))
        return super().render_config() + f"protocol imap {{\n  imap_capability = {caps}\n}}\n"


def test_without_uidplus_copies_are_found_by_fingerprint_and_nothing_is_expunged(
    tls_certificate, tmp_path: Path
) -> None:
    with NoUidplusDovecot(certificate=tls_certificate) as server:
        login = server.accounts[0]
        ordinary, bounces = drill_ordinary(10), drill_bounces(30)
        append_pipelined(server, login, ordinary + bounces)
        env = service_env(tmp_path / "home")
        add_account(env, "u", server, login)
        done = ndrguard(env, "scan")
        assert "30 quarantined" in done.stdout, done.stdout + done.stderr
        assert_accounted_for(server, login, ordinary, bounces)
        c = client(server, login)
        c.select_folder("INBOX", readonly=True)
        # Only UID EXPUNGE removes just these; a plain EXPUNGE would take other clients'
        # \Deleted mail too, so the originals stay flagged for the user's own client.
        assert len(c.search(["DELETED"])) == 30
        c.logout()
        summary = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
        assert all(v["quarantine_uid"] for v in summary)


def test_quota_full_quarantine_with_move_still_moves(dovecot_factory, tmp_path: Path) -> None:
    # Dovecot does not refuse a MOVE over quota: within one quota root a move does not add to
    # the usage (COPY is refused: see the test above). Servers that do refuse MOVE answer
    # [OVERQUOTA] like COPY, and the service then behaves as in the COPY case.
    server = dovecot_factory(quota={"*": "10M", "Backscatter": "1K"})
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(20), drill_bounces(60)
    append_pipelined(server, login, ordinary + bounces)
    env = service_env(tmp_path / "home")
    add_account(env, "q", server, login)
    done = ndrguard(env, "scan")
    assert done.returncode == 0, done.stderr
    assert_accounted_for(server, login, ordinary, bounces)


def test_the_verdict_is_judged_on_the_servers_arrival_date(
    dovecot, imap_account, tmp_path: Path
) -> None:
    # A bounce to a tag signed on 10 January, delivered (INTERNALDATE) on 11 January, and
    # found weeks later. Its top Received header claims 1 March, when the tag had long
    # expired: judged on that date it would be quarantined as an old tag reused by a spammer.
    signed = date(2026, 1, 10)
    secret_file = tmp_path / "keys" / "batv-1"
    secret_file.parent.mkdir()
    secret_file.write_bytes(b"internaldate-test-secret")
    secret_file.chmod(0o600)
    (tmp_path / "identity.toml").write_text(
        f'addresses = ["{demo_mail.USER}"]\n[batv]\nlifetime_days = 7\ngrace_days = 3\n'
        '[[batv.keys]]\nnumber = 1\nsecret_file = "keys/batv-1"\n'
    )
    tagged = sign(demo_mail.USER, 1, b"internaldate-test-secret", signed)
    raw = demo_mail.exim_failure(random.Random(3), datetime(2026, 1, 11, tzinfo=UTC), tagged,
                                 "bob@example.com", "Minutes")  # fmt: skip
    raw = b"Received: from mx.example.net by mx.example.org; Sun, 1 Mar 2026 09:00:00 +0000\n" + raw
    c = client(dovecot, imap_account)
    c.append("INBOX", raw, msg_time=datetime(2026, 1, 11, 9, 0, tzinfo=UTC))
    c.logout()
    env = service_env(tmp_path / "home")
    add_account(env, "d", dovecot, imap_account, "batv",
                "--identity", str(tmp_path / "identity.toml"))  # fmt: skip
    assert ndrguard(env, "scan").returncode == 0
    (verdict,) = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    assert verdict["verdict"] == "legit", verdict["reason"]
    assert "1 day(s) before it arrived" in json.dumps(verdict["evidence"])
    assert hashes(folder_view(dovecot, imap_account, "INBOX")) == [digest(raw)]


def test_mark_legitimate_moves_back_and_is_never_quarantined_again(
    dovecot, imap_account, tmp_path: Path
) -> None:
    ordinary, bounces = drill_ordinary(5), drill_bounces(6)
    append_pipelined(dovecot, imap_account, ordinary + bounces)
    env = service_env(tmp_path / "home")
    add_account(env, "m", dovecot, imap_account)
    assert ndrguard(env, "scan").returncode == 0
    verdicts = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    real = next(v for v in verdicts if v["message_id"] == "<b-2@drill.test>")
    done = ndrguard(env, "mark-legitimate", str(real["id"]))
    assert done.returncode == 0, done.stderr
    assert "moved back to m/INBOX" in done.stdout
    back = [b for b in bounces if b"<b-2@drill.test>" in b]
    assert_accounted_for(dovecot, imap_account, ordinary + back,
                         [b for b in bounces if b not in back])  # fmt: skip
    assert "0 judged, 0 quarantined" in ndrguard(env, "scan").stdout
    assert_accounted_for(dovecot, imap_account, ordinary + back,
                         [b for b in bounces if b not in back])  # fmt: skip
    after = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    row = next(v for v in after if v["id"] == real["id"])
    assert (row["verdict"], row["state"]) == ("legit", "restored")
    assert row["reason"] == "marked legitimate by the user"
    counters = json.loads(ndrguard(env, "status", "--json").stdout)["accounts"]["m"]["counters"]
    assert counters["marked-legit"] == 1


def test_mark_legitimate_before_the_move_keeps_it_in_place(
    dovecot_factory, tmp_path: Path
) -> None:
    # The quarantine is full (COPY refused), so the verdicts wait; the user marks one as real.
    # Once there is room again every other bounce moves, and that one stays.
    server = dovecot_factory(move=False, quota={"*": "10M", "Backscatter": "1K"})
    login = server.accounts[0]
    bounces = drill_bounces(8)
    append_pipelined(server, login, bounces)
    env = service_env(tmp_path / "home")
    add_account(env, "p", server, login)
    assert ndrguard(env, "scan").returncode == 1  # Mailbox full
    verdicts = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    pending = [v for v in verdicts if v["state"] == "quarantine-pending"]
    assert pending
    chosen = pending[0]
    done = ndrguard(env, "mark-legitimate", str(chosen["id"]))
    assert done.returncode == 0 and "stays in p/INBOX" in done.stdout, done.stdout + done.stderr
    server.stop()
    server.quota = None
    server.start()
    assert ndrguard(env, "scan").returncode == 0
    kept = [b for b in bounces if chosen["message_id"].encode() in b]
    assert_accounted_for(server, login, kept, [b for b in bounces if b not in kept])


def test_the_connection_carries_keepalive_and_user_timeout(dovecot, imap_account) -> None:
    # A black-holed network is noticed by TCP itself within seconds, not after 15 minutes.
    account = Account(
        name="k", host=dovecot.host, port=dovecot.imaps_port, username=imap_account.user,
        ca_file=dovecot.cafile, timeout_seconds=45,
    )  # fmt: skip
    box = ImapMailbox.connect(account, imap_account.password)
    try:
        sock = box._c.socket()
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        for name, value in KEEPALIVE:
            assert sock.getsockopt(socket.IPPROTO_TCP, getattr(socket, name)) == value
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == USER_TIMEOUT * 1000
        assert sock.gettimeout() == 45  # the account's, again, after the login phase's bound
    finally:
        box.close()
