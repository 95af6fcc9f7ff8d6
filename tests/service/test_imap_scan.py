"""`ndrguard scan` against a real Dovecot on loopback: the IMAP backend end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ndrguard import recognise_bytes
from ndrguard.service import demo_mail
from tests.service.imap_util import (
    add_account,
    append_all,
    client,
    digest,
    folder_view,
    ndrguard,
    service_env,
)

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


def test_untrusted_certificate_is_rejected(dovecot, imap_account, tmp_path) -> None:
    env = service_env(tmp_path / "home")
    done = ndrguard(
        env, "account", "add", "nocert", "--host", dovecot.host, "--port",
        str(dovecot.imaps_port), "--username", imap_account.user, "--password-stdin",
        stdin=imap_account.password + "\n",
    )  # fmt: skip
    assert done.returncode == 1
    assert "Certificate rejected" in done.stderr


def test_restore_moves_back_once_and_the_next_scan_leaves_it(
    dovecot, imap_account, tmp_path: Path
) -> None:
    made = samples(9)
    append_all(dovecot, imap_account, (s.data for s in made))
    env = service_env(tmp_path / "home")
    add_account(env, "r", dovecot, imap_account)
    assert ndrguard(env, "scan").returncode == 0
    summary = json.loads(ndrguard(env, "summary", "--json").stdout)
    victim = next(v for v in summary["verdicts"] if v["state"] == "quarantined")
    done = ndrguard(env, "restore", str(victim["id"]))
    assert done.returncode == 0, done.stderr
    again = ndrguard(env, "restore", str(victim["id"]))
    assert again.returncode == 1 and "not in quarantine" in again.stderr
    assert ndrguard(env, "scan").returncode == 0
    keep, move = expected(made)
    inbox = hashes(folder_view(dovecot, imap_account, "INBOX"))
    quarantine = hashes(folder_view(dovecot, imap_account, "Backscatter"))
    assert len(inbox) == len(keep) + 1 and len(quarantine) == len(move) - 1
    assert sorted(inbox + quarantine) == sorted(keep + move)
    status = json.loads(ndrguard(env, "status", "--json").stdout)
    assert status["accounts"]["r"]["counters"]["restored"] == 1


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
