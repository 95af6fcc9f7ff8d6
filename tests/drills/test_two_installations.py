"""Drill: two installations (two homes, a laptop and a desktop) watch one IMAP account. Each
judges every bounce; the claim keyword on the server (service/mailboxes/claims.py) must let
exactly one of them move each message: with MOVE and with COPY + EXPUNGE alike."""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path

import pytest

from tests.drills.common import peak_rss_mb, report, size, tally
from tests.service.imap_util import (
    add_account,
    append_pipelined,
    client,
    drill_bounces,
    drill_ordinary,
    message_ids_in,
    ndrguard,
    running,
    service_env,
    wait_state,
)
from tests.support.procs import wait_until

pytestmark = [pytest.mark.imap, pytest.mark.drill, pytest.mark.slow]


@pytest.mark.parametrize("move", [True, False], ids=["move", "copy-expunge"])
def test_two_installations_on_one_account_move_each_message_once(
    dovecot_factory, tmp_path: Path, move: bool
) -> None:
    began = time.monotonic()
    n = size(400, 3000)
    server = dovecot_factory(move=move)
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(40), drill_bounces(n, tag="shared")
    append_pipelined(server, login, ordinary)
    homes = [tmp_path / "laptop", tmp_path / "desktop"]
    envs = [service_env(h) for h in homes]
    for env in envs:
        add_account(env, "a", server, login)
    with running(envs[0], homes[0]) as laptop, running(envs[1], homes[1]) as desktop:
        for home in homes:
            wait_state(home, "a", "watching", timeout=120)
        for i in range(0, n, 100):  # arrivals in bursts, as a flood comes
            append_pipelined(server, login, bounces[i : i + 100])
        wait_until(
            lambda: sum(message_ids_in(server, login, "Backscatter").values()) >= n,
            timeout=size(300, 1200), what="the whole flood in quarantine",
        )  # fmt: skip
        time.sleep(3)  # a second mover would show now
        for env in envs:
            wait_until(partial(_settled, env), timeout=60, what="the journals settled")
        peaks = [peak_rss_mb(laptop.pid), peak_rss_mb(desktop.pid)]
    result = tally(server, login, ordinary, bounces)
    moved_by = [_status(env)["counters"].get("quarantined", 0) for env in envs]
    c = client(server, login)
    c.select_folder("INBOX", readonly=True)
    left_deleted = len(c.search(["DELETED"]))
    c.logout()
    report(f"two-installations-{'move' if move else 'copy'}", time.monotonic() - began, result,
           bounces=n, moved_by_each=moved_by, left_deleted=left_deleted,
           service_peak_rss_mb=peaks)  # fmt: skip
    assert sum(moved_by) == n, f"moves counted {moved_by} for {n} messages"
    assert left_deleted == 0


def _status(env: dict[str, str]) -> dict:
    return json.loads(ndrguard(env, "status", "--json").stdout)["accounts"]["a"]


def _settled(env: dict[str, str]) -> bool:
    return _status(env)["open_moves"] == 0
