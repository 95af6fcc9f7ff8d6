"""Drill: the service is SIGKILLed in the middle of a batch of moves on a real Dovecot, then
restarted. Every Message-ID must end up exactly once, in the inbox or in quarantine as its
verdict says; the journal must be settled; no message may be judged or counted twice."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.service.imap_util import (
    ROOT,
    add_account,
    append_pipelined,
    assert_accounted_for,
    drill_bounces,
    drill_ordinary,
    message_ids_in,
    ndrguard,
    running,
    service_env,
    wait_state,
)
from tests.support.procs import wait_until

pytestmark = [pytest.mark.imap, pytest.mark.slow]

BOUNCES = 1200  # three batches of moves (scanner.BATCH = 500); the crash is in the second


@pytest.mark.parametrize(
    ("moment", "move"),
    [("before", True), ("after", True), ("copied", False)],
    ids=["intents-written", "moved-not-journalled", "copied-not-expunged"],
)
def test_sigkill_mid_batch_then_restart_accounts_for_every_message(
    dovecot_factory, tmp_path: Path, moment: str, move: bool
) -> None:
    server = dovecot_factory(move=move)
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(300), drill_bounces(BOUNCES)
    append_pipelined(server, login, ordinary + bounces)
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login)
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.service.engine.crashing_imap", moment, "2", "run"],
        env=env, cwd=ROOT, capture_output=True, timeout=300,
    )  # fmt: skip
    assert crashed.returncode == -9, crashed.stderr.decode()[-2000:]
    there = message_ids_in(server, login, "Backscatter")
    assert 0 < sum(there.values()) < BOUNCES, "not killed in the middle"
    with running(env, home):
        wait_state(home, "a", "watching", timeout=120)
    assert_accounted_for(server, login, ordinary, bounces)
    status = json.loads(ndrguard(env, "status", "--json").stdout)["accounts"]["a"]
    assert status["open_moves"] == 0
    assert status["counters"]["quarantined"] == BOUNCES  # each move counted once
    verdicts = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    judged = Counter(v["message_id"] for v in verdicts)
    assert max(judged.values()) == 1, "a message was judged twice"
    assert sum(judged.values()) >= BOUNCES


def test_sigkill_at_a_random_moment_of_a_flood(dovecot_factory, tmp_path: Path) -> None:
    """A real kill -9 from outside, as soon as the first moves of a flood land."""
    server = dovecot_factory()
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(50), drill_bounces(1000, tag="flood")
    append_pipelined(server, login, ordinary)
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login)
    with running(env, home) as proc:
        wait_state(home, "a", "watching")
        append_pipelined(server, login, bounces)
        wait_until(lambda: sum(message_ids_in(server, login, "Backscatter").values()) > 0,
                   timeout=60, interval=0.01, what="the first moves")  # fmt: skip
        proc.kill()
        proc.wait()
    with running(env, home):
        wait_state(home, "a", "watching", timeout=120)
        wait_until(lambda: sum(message_ids_in(server, login, "Backscatter").values()) == 1000,
                   timeout=120, what="the whole flood in quarantine")  # fmt: skip
    assert_accounted_for(server, login, ordinary, bounces)
