"""Drill: one writer per state. A second `ndrguard run` on the same home, and a `scan` or a
`restore` while another process holds the state without an API, are refused naming it; a
`scan` beside a running service goes through its API. A flood on a Dovecot without MOVE
(COPY + \\Deleted + UID EXPUNGE) with scans started alongside must end with every message
exactly once and the counters exact."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.drills.common import peak_rss_mb, report, size, tally
from tests.service.imap_util import (
    NDRGUARD,
    ROOT,
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

pytestmark = [pytest.mark.imap, pytest.mark.drill]

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from ndrguard.service.store.writer_lock import WriterLock\n"
    "held = WriterLock(Path(sys.argv[1]), 'run').acquire()\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def test_a_writer_without_an_api_refuses_scan_restore_and_a_second_run(
    dovecot, imap_account, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", dovecot, imap_account)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home / "state.sqlite")],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for args in (["scan"], ["rejudge"], ["restore", "1"], ["mark-legitimate", "1"], ["run"]):
            done = ndrguard(env, *args, timeout=60)
            assert done.returncode == 1, (args, done.stdout, done.stderr)
            assert f"`ndrguard run` (pid {holder.pid}" in done.stderr, (args, done.stderr)
            assert "was not started" in done.stderr
        # Readers are not writers: they still answer.
        assert json.loads(ndrguard(env, "status", "--json").stdout)["running"] is False
        assert ndrguard(env, "scan", "--dry-run").returncode == 0
    finally:
        holder.kill()
        holder.wait()
    # The kernel dropped the lock with its process: no stale lock to clean up by hand.
    assert ndrguard(env, "scan").returncode == 0


def test_flood_without_move_with_scans_alongside_is_moved_exactly_once(
    dovecot_factory, tmp_path: Path
) -> None:
    began = time.monotonic()
    n = size(600, 2000)
    server = dovecot_factory(move=False)
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(50), drill_bounces(n, tag="flood")
    append_pipelined(server, login, ordinary)
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login)
    scans: list[subprocess.Popen[str]] = []
    with running(env, home) as service:
        wait_state(home, "a", "watching", timeout=120)
        second = ndrguard(env, "run", timeout=60)
        assert second.returncode == 1 and f"(pid {service.pid}" in second.stderr, second.stderr
        for i in range(0, n, n // 4):
            append_pipelined(server, login, bounces[i : i + n // 4])
            for _ in range(2):
                scans.append(subprocess.Popen(
                    [*NDRGUARD, "scan"], env=env, cwd=ROOT, text=True,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                ))  # fmt: skip
            if i == 0:  # and a rejudge in the middle of it all, through the service as well
                rejudge = subprocess.Popen(
                    [*NDRGUARD, "rejudge"], env=env, cwd=ROOT, text=True,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                )  # fmt: skip
        outs = [p.communicate(timeout=300) for p in scans]
        rejudged = rejudge.communicate(timeout=300)
        assert rejudge.returncode == 0, rejudged
        wait_until(
            lambda: sum(message_ids_in(server, login, "Backscatter").values()) >= n,
            timeout=size(300, 900), what="the whole flood in quarantine",
        )  # fmt: skip
        wait_until(lambda: ndrguard_status(env)["open_moves"] == 0, timeout=60,
                   what="the journal settled")  # fmt: skip
        peak = peak_rss_mb(service.pid)
    for p, (out, err) in zip(scans, outs, strict=True):
        assert p.returncode == 0, err
        assert "The running service" in out, out
    result = tally(server, login, ordinary, bounces)
    status = ndrguard_status(env)
    verdicts = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    judged = Counter(v["message_id"] for v in verdicts)
    c = client(server, login)
    c.select_folder("INBOX", readonly=True)
    left_deleted = len(c.search(["DELETED"]))
    c.logout()
    report("one-writer-flood", time.monotonic() - began, result, bounces=n, scans=len(scans),
           judged_twice=sum(k - 1 for k in judged.values() if k > 1),
           left_deleted=left_deleted, counted=status["counters"].get("quarantined"),
           service_peak_rss_mb=peak)  # fmt: skip
    assert max(judged.values()) == 1, "a message was judged twice"
    assert left_deleted == 0, "originals left \\Deleted in the INBOX"
    assert status["counters"]["quarantined"] == n
    assert not [v for v in verdicts if v["state"] == "gone"], "verdicts wrongly gone"


def ndrguard_status(env: dict[str, str]) -> dict:
    return json.loads(ndrguard(env, "status", "--json").stdout)["accounts"]["a"]
