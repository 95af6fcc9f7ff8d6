"""`ndrguard run` against a real Dovecot: IDLE delivery, SIGTERM, and the fault drills of
issue 4 (server killed without BYE, restarted, frozen past the read timeout; config replaced
by a broken file and then a good one). Each drill ends with every message accounted for."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ndrguard.service import demo_mail
from tests.service.imap_util import (
    NDRGUARD,
    ROOT,
    add_account,
    digest,
    folder_view,
    service_env,
)
from tests.support.procs import wait_until

pytestmark = [pytest.mark.imap, pytest.mark.slow]


def bounces(n: int, seed: int) -> list[bytes]:
    return [s.data for s in demo_mail.generate(n * 3, seed=seed) if s.expected == "failure"][:n]


@contextlib.contextmanager
def running(env: dict[str, str], home: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = (home / "run.out").open("wb")
    proc = subprocess.Popen([*NDRGUARD, "run"], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def status(home: Path) -> dict:
    try:
        return json.loads((home / "status.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def wait_state(home: Path, account: str, wanted: str, timeout: float = 30) -> None:
    wait_until(
        lambda: status(home).get("accounts", {}).get(account, {}).get("state") == wanted,
        timeout=timeout, what=f"{account} to be {wanted}: {status(home)}",
    )  # fmt: skip


def wait_quarantined(server, login, expected: list[bytes], timeout: float = 30) -> None:
    want = sorted(digest(m) for m in expected)
    wait_until(
        lambda: sorted(h for h, _ in folder_view(server, login, "Backscatter")) == want,
        timeout=timeout, what="the bounces in quarantine",
    )  # fmt: skip


def setup(dovecot_factory, tmp_path: Path, config_extra: str = "", **server_options):
    server = dovecot_factory(**server_options)
    login = server.accounts[0]
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login)
    if config_extra:
        cfg = home / "config.toml"
        cfg.write_text(cfg.read_text() + config_extra)
    return server, login, env, home


def test_idle_delivery_is_quarantined_quickly_and_sigterm_stops_cleanly(
    dovecot_factory, tmp_path: Path
) -> None:
    server, login, env, home = setup(dovecot_factory, tmp_path)
    mail = bounces(3, seed=3)
    with running(env, home) as proc:
        wait_state(home, "a", "watching")
        started = time.monotonic()
        server.deliver(login.user, mail[0])
        wait_quarantined(server, login, mail[:1])
        assert time.monotonic() - started < 5, "IDLE should hear of new mail within a second"
        for m in mail[1:]:
            server.deliver(login.user, m)
        wait_quarantined(server, login, mail)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    assert folder_view(server, login, "INBOX") == []


def drill(server, login, env, home, fault: Callable[[], None], timeout: float = 60) -> None:
    mail = bounces(4, seed=11)
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
    assert folder_view(server, login, "INBOX") == []


def test_drill_server_killed_without_bye(dovecot_factory, tmp_path: Path) -> None:
    server, login, env, home = setup(dovecot_factory, tmp_path)

    def fault() -> None:
        server.kill()
        time.sleep(1.5)
        server.start()

    drill(server, login, env, home, fault)


def test_drill_server_restarted(dovecot_factory, tmp_path: Path) -> None:
    server, login, env, home = setup(dovecot_factory, tmp_path)
    drill(server, login, env, home, server.restart)


def test_drill_server_frozen_past_the_read_timeout(dovecot_factory, tmp_path: Path) -> None:
    server, login, env, home = setup(dovecot_factory, tmp_path, "timeout_seconds = 3\n")

    def fault() -> None:
        server.freeze()
        time.sleep(8)
        server.thaw()

    drill(server, login, env, home, fault)


def test_drill_broken_config_keeps_the_running_one(dovecot_factory, tmp_path: Path) -> None:
    server, login, env, home = setup(dovecot_factory, tmp_path)
    cfg = home / "config.toml"
    good = cfg.read_text()
    mail = bounces(2, seed=5)
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
