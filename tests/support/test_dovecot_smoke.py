"""The test Dovecot does what the IMAP tests rely on (tests/support/dovecot.py).

Each test names the server behaviour a later IMAP test will stand on: TLS that verifies
against the test certificate, MOVE advertised or not, IDLE hearing of LDA deliveries, quota
refusals, and a server that dies, hangs or restarts.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from tests.support.dovecot import DEFAULT_CAPABILITIES, Dovecot, wait_dead
from tests.support.procs import session_pids

pytestmark = pytest.mark.imap

MESSAGE = (
    b"From: Carol <carol@remote.test>\r\n"
    b"To: alice@example.test\r\n"
    b"Subject: smoke test\r\n"
    b"Message-ID: <smoke-1@remote.test>\r\n"
    b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
    b"\r\n"
    b"hello\r\n"
)


def login(server: Dovecot, user: str, password: str, *, timeout: float = 10) -> IMAPClient:
    """IMAPS on 127.0.0.1, verifying the server against the test certificate."""
    client = IMAPClient(
        server.host, server.imaps_port, ssl_context=server.ssl_context(), timeout=timeout
    )
    client.login(user, password)
    return client


def drop(client: IMAPClient) -> None:
    """Close a client whose server died or hung under it (no LOGOUT is possible)."""
    with contextlib.suppress(OSError, IMAPClientError):
        client.shutdown()  # closes imaplib's file object, then the socket
    with contextlib.suppress(OSError, IMAPClientError):
        client.socket().close()  # in case shutdown() failed half-way on a dead connection


def test_imaps_login_verifies_certificate_append_select(dovecot, imap_account):
    client = login(dovecot, imap_account.user, imap_account.password)
    try:
        caps = set(client.capabilities())
        assert {b"IMAP4REV1", b"IDLE", b"UIDPLUS", b"MOVE", b"SPECIAL-USE"} <= caps
        resp = client.append("INBOX", MESSAGE)
        assert b"APPENDUID" in resp
        info = client.select_folder("INBOX")
        assert info[b"EXISTS"] == 1
        uids = client.search(["HEADER", "Message-ID", "<smoke-1@remote.test>"])
        assert len(uids) == 1
        body = client.fetch(uids, ["RFC822"])[uids[0]][b"RFC822"]
        assert body == MESSAGE
        folders = {name: flags for flags, _sep, name in client.list_folders()}
        assert b"\\Sent" in folders["Sent"] and "Quarantine" in folders
    finally:
        client.logout()


def test_certificate_names_localhost_and_is_refused_without_it(dovecot, imap_account):
    # The name "localhost" is in the SAN too, so clients may use either.
    client = IMAPClient(
        "localhost", dovecot.imaps_port, ssl_context=dovecot.ssl_context(), timeout=10
    )
    client.login(imap_account.user, imap_account.password)
    client.logout()
    # A client with the system's CAs only must refuse the self-signed certificate.
    with pytest.raises(ssl.SSLError):
        IMAPClient(
            dovecot.host, dovecot.imaps_port, ssl_context=ssl.create_default_context(), timeout=10
        )


def test_starttls_on_the_plain_port(dovecot, imap_account):
    client = IMAPClient(dovecot.host, dovecot.imap_port, ssl=False, timeout=10)
    assert b"STARTTLS" in client.capabilities()
    client.starttls(dovecot.ssl_context())
    client.login(imap_account.user, imap_account.password)
    assert client.noop()
    client.logout()


def test_move_disabled_advertises_everything_but_move(dovecot_factory):
    plain = dovecot_factory()
    no_move = dovecot_factory(move=False)
    user, password = next(iter(plain.users.items()))
    c1, c2 = login(plain, user, password), login(no_move, user, password)
    try:
        # imapclient reports Dovecot's own list as sent ("IMAP4rev1"); compare case-blind.
        with_move = {c.upper() for c in c1.capabilities()}
        without = {c.upper() for c in c2.capabilities()}
    finally:
        c1.logout()
        c2.logout()
    assert with_move - without == {b"MOVE"}
    assert without - with_move == set()
    # The hard-coded list in dovecot.py is what this Dovecot really sends.
    assert {c.upper().encode() for c in DEFAULT_CAPABILITIES} == with_move


def test_lda_delivery_wakes_an_idle_client(dovecot, imap_account):
    client = login(dovecot, imap_account.user, imap_account.password)
    try:
        client.select_folder("INBOX")
        client.idle()
        dovecot.deliver(imap_account.user, MESSAGE, sender="carol@remote.test")
        responses = client.idle_check(timeout=10)
        client.idle_done()
        assert any(r[1] == b"EXISTS" for r in responses if len(r) > 1), responses
    finally:
        client.logout()


def test_quota_refuses_saves_into_the_small_folder_only(dovecot_factory):
    server = dovecot_factory(
        quota={"*": "10M", "Quarantine": "4K"}, mailboxes=("Sent", "Quarantine")
    )
    user, password = next(iter(server.users.items()))
    big = MESSAGE + b"x" * 3000 + b"\r\n"
    client = login(server, user, password)
    try:
        assert b"QUOTA" in client.capabilities()
        client.append("INBOX", big)
        client.append("INBOX", big)
        with pytest.raises(IMAPClientError, match="OVERQUOTA"):
            client.append("Quarantine", big)
        client.select_folder("INBOX")
        # COPY (the fallback where MOVE is missing) adds to the usage and is refused; MOVE
        # within the same quota root does not grow it, and Dovecot lets it through.
        with pytest.raises(IMAPClientError, match="OVERQUOTA"):
            client.copy([1], "Quarantine")
        client.move([1], "Quarantine")
        client.append("INBOX", big)  # INBOX still takes mail
    finally:
        client.logout()


def test_kill_takes_master_and_sessions_and_start_comes_back(dovecot_factory):
    server = dovecot_factory()
    user, password = next(iter(server.users.items()))
    client = login(server, user, password)
    pids = server.pids
    assert len(pids) >= 3  # master, its services, this session's imap process
    server.kill()
    wait_dead(pids)
    with pytest.raises((IMAPClientError, OSError)):
        client.noop()
    drop(client)
    server.start()  # same ports as before
    again = login(server, user, password)
    assert again.noop()
    again.logout()


def test_killing_only_the_master_leaves_sessions_alive(dovecot_factory):
    server = dovecot_factory()
    user, password = next(iter(server.users.items()))
    client = login(server, user, password)
    sid = server.pids[0]
    server.kill_master()
    assert client.noop()  # the session's imap process lives on
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.imap_port), timeout=2).close()
    assert session_pids(sid)
    server.kill()
    assert not session_pids(sid)
    drop(client)


def test_freeze_hangs_and_thaw_resumes(dovecot_factory):
    server = dovecot_factory()
    user, password = next(iter(server.users.items()))
    client = login(server, user, password, timeout=0.5)
    server.freeze()
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, OSError, IMAPClientError)):
        client.noop()
    assert time.monotonic() - started < 5
    server.thaw()
    drop(client)  # its stream is out of step after the timeout; start afresh
    fresh = login(server, user, password)
    assert fresh.noop()
    fresh.logout()


def test_restart_keeps_ports_and_mail(dovecot_factory):
    server = dovecot_factory()
    user, password = next(iter(server.users.items()))
    server.deliver(user, MESSAGE)
    ports = (server.imap_port, server.imaps_port)
    server.restart()
    assert (server.imap_port, server.imaps_port) == ports
    client = login(server, user, password)
    try:
        assert client.select_folder("INBOX")[b"EXISTS"] == 1
    finally:
        client.logout()
