"""`ndrguard run` against a real Dovecot: IDLE delivery, SIGTERM, and the fault drills of
issue 4: the server kicks the client (BYE), is killed without BYE, restarted, frozen past the
read timeout, frozen while its keepalives tell the service how long silence may last; a flood
of bounces; the config replaced by a broken file and then a good one; a second folder that is
polled. Each drill ends with every message accounted for: the same Message-IDs, each exactly
once, in the inbox or in quarantine as its verdict says. (The SIGKILL drills are in
test_crash_imap.py.)"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from ndrguard.service.engine.folder_watch import IDLE_CONNECTIONS
from tests.service.imap_util import (
    KeepaliveDovecot,
    add_account,
    append_pipelined,
    assert_accounted_for,
    drill_bounces,
    drill_ordinary,
    ids,
    kick,
    message_ids_in,
    ndrguard,
    running,
    service_env,
    status,
    wait_state,
)
from tests.support.procs import wait_until

pytestmark = [pytest.mark.imap, pytest.mark.slow]


def wait_quarantined(server, login, expected: list[bytes], timeout: float = 30) -> None:
    want = Counter(ids(expected))
    wait_until(
        lambda: message_ids_in(server, login, "Backscatter") == want,
        timeout=timeout, what=f"{len(expected)} bounce(s) in quarantine",
    )  # fmt: skip


def setup(server, tmp_path: Path, config_extra: str = ""):
    login = server.accounts[0]
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login)
    if config_extra:
        cfg = home / "config.toml"
        cfg.write_text(cfg.read_text() + config_extra)
    return login, env, home


def log_of(home: Path) -> str:
    return (home / "run.out").read_text(errors="replace")


def test_idle_delivery_is_quarantined_quickly_and_sigterm_stops_cleanly(
    dovecot_factory, tmp_path: Path
) -> None:
    server = dovecot_factory()
    login, env, home = setup(server, tmp_path)
    ordinary, mail = drill_ordinary(3), drill_bounces(3)
    append_pipelined(server, login, ordinary)
    with running(env, home) as proc:
        wait_state(home, "a", "watching")
        assert status(home)["accounts"]["a"]["watch"] == {"INBOX": "IDLE"}
        started = time.monotonic()
        server.deliver(login.user, mail[0])
        wait_quarantined(server, login, mail[:1])
        assert time.monotonic() - started < 5, "IDLE should hear of new mail within a second"
        for m in mail[1:]:
            server.deliver(login.user, m)
        wait_quarantined(server, login, mail)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    assert_accounted_for(server, login, ordinary, mail)


def drill(server, login, env, home, fault: Callable[[], None], timeout: float = 60) -> None:
    """Mail before, during and after `fault`; the service must come back by itself."""
    ordinary, mail = drill_ordinary(5), drill_bounces(4)
    append_pipelined(server, login, ordinary)
    with running(env, home):
        wait_state(home, "a", "watching")
        server.deliver(login.user, mail[0])
        wait_quarantined(server, login, mail[:1])
        fault()
        server.deliver(login.user, mail[1])  # arrives while the service is cut off
        wait_state(home, "a", "watching", timeout=timeout)
        server.deliver(login.user, mail[2])
        server.deliver(login.user, mail[3])
        wait_quarantined(server, login, mail, timeout=timeout)
    assert_accounted_for(server, login, ordinary, mail)


def test_drill_server_kicks_the_client(dovecot_factory, tmp_path: Path) -> None:
    server = dovecot_factory()
    login, env, home = setup(server, tmp_path)

    def fault() -> None:
        kick(server, login.user)
        wait_until(lambda: "BYE" in log_of(home), timeout=10, what="the BYE to be noticed")

    drill(server, login, env, home, fault)
    assert "the server ended the session: BYE Server shutting down." in log_of(home)


def test_drill_server_killed_without_bye(dovecot_factory, tmp_path: Path) -> None:
    server = dovecot_factory()
    login, env, home = setup(server, tmp_path)

    def fault() -> None:
        server.kill()
        time.sleep(1.5)
        server.start()

    drill(server, login, env, home, fault)


def test_drill_server_restarted(dovecot_factory, tmp_path: Path) -> None:
    server = dovecot_factory()
    login, env, home = setup(server, tmp_path)
    drill(server, login, env, home, server.restart)


def test_drill_server_frozen_past_the_read_timeout(dovecot_factory, tmp_path: Path) -> None:
    server = dovecot_factory()
    login, env, home = setup(server, tmp_path, "timeout_seconds = 3\n")

    def fault() -> None:
        server.freeze()
        time.sleep(8)
        server.thaw()

    drill(server, login, env, home, fault)


def test_drill_frozen_server_is_found_by_its_missing_keepalives(
    tls_certificate, tmp_path: Path
) -> None:
    # The read timeout is a minute, so only the keepalive rule can notice the freeze fast:
    # this Dovecot says "Still here" every 2 s; 2.5 times that without a word means dead.
    with KeepaliveDovecot(certificate=tls_certificate, keepalive=2) as server:
        login, env, home = setup(server, tmp_path, "timeout_seconds = 60\n")

        def fault() -> None:
            wait_until(lambda: "says 'still here' every 2 s" in log_of(home), timeout=15,
                       what="the keepalive interval to be learnt")  # fmt: skip
            server.freeze()
            frozen = time.monotonic()
            try:
                wait_until(lambda: status(home)["accounts"]["a"]["state"] != "watching",
                           timeout=30, what="the freeze to be noticed")  # fmt: skip
                noticed = time.monotonic() - frozen
            finally:
                server.thaw()
            assert noticed < 12, f"took {noticed:.1f} s; the read timeout alone takes 60 s"

        drill(server, login, env, home, fault)
        assert "no answer from the server: nothing for" in log_of(home)


def test_drill_flood_of_a_thousand_bounces(dovecot_factory, tmp_path: Path) -> None:
    server = dovecot_factory()
    login, env, home = setup(server, tmp_path)
    ordinary, flood = drill_ordinary(30), drill_bounces(1000, tag="flood")
    append_pipelined(server, login, ordinary[:15])
    with running(env, home):
        wait_state(home, "a", "watching")
        append_pipelined(server, login, flood[:500] + ordinary[15:] + flood[500:])
        wait_quarantined(server, login, flood, timeout=120)
    assert_accounted_for(server, login, ordinary, flood)


def test_folders_beyond_the_connection_budget_are_polled_and_status_says_so(
    dovecot_factory, tmp_path: Path
) -> None:
    # One connection IDLEs on one folder; the next IDLE_CONNECTIONS - 1 folders get one each,
    # the rest are looked at every poll.
    lists = [f"L{n}" for n in range(IDLE_CONNECTIONS)]
    server = dovecot_factory(mailboxes=("Sent", *lists))
    folders = ", ".join(f'"{f}"' for f in ["INBOX", *lists])
    login, env, home = setup(server, tmp_path, f"folders = [{folders}]\npoll_seconds = 1\n")
    mail = drill_bounces(3)
    with running(env, home):
        wait_state(home, "a", "watching")
        want = {"INBOX": "IDLE", **{f: "IDLE (own connection)" for f in lists[:-1]},
                lists[-1]: "polled every 1 s"}  # fmt: skip
        assert status(home)["accounts"]["a"]["watch"] == want
        shown = ndrguard(env, "status").stdout
        assert "a: watching" in shown and f"{lists[-1]}: read up to UID 0" in shown, shown
        assert "polled every 1 s" in shown, shown
        append_pipelined(server, login, mail[:1], folder=lists[-1])
        wait_quarantined(server, login, mail[:1], timeout=15)
        append_pipelined(server, login, mail[1:2], folder=lists[0])
        wait_quarantined(server, login, mail[:2], timeout=15)
        server.deliver(login.user, mail[2])
        wait_quarantined(server, login, mail, timeout=15)
    for folder in lists:
        assert message_ids_in(server, login, folder) == Counter()
    assert ndrguard(env, "status").stdout.startswith("The service is not running")


def test_drill_broken_config_keeps_the_running_one(dovecot_factory, tmp_path: Path) -> None:
    server = dovecot_factory()
    login, env, home = setup(server, tmp_path)
    cfg = home / "config.toml"
    good = cfg.read_text()
    ordinary, mail = drill_ordinary(3), drill_bounces(2)
    append_pipelined(server, login, ordinary)
    with running(env, home):
        wait_state(home, "a", "watching")
        tmp = cfg.with_suffix(".new")
        tmp.write_text(good + "\n[[accounts]\nbroken = \n")
        tmp.replace(cfg)  # as editors save: a new file renamed over the old
        wait_until(lambda: status(home).get("config_error"), timeout=10, what="config error")
        server.deliver(login.user, mail[0])
        wait_quarantined(server, login, mail[:1])
        tmp.write_text(good)
        tmp.replace(cfg)
        wait_until(lambda: status(home).get("config_error") is None, timeout=10,
                   what="the error to clear")  # fmt: skip
        server.deliver(login.user, mail[1])
        wait_quarantined(server, login, mail)
    assert_accounted_for(server, login, ordinary, mail)
