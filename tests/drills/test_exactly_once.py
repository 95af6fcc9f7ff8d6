"""Drill (issue 12 item 5): exactly once under every fault. The service is SIGKILLed at
random points of a flood on a server without MOVE (so also between COPY and EXPUNGE) and in
the middle of restores; the INBOX is renumbered (UIDVALIDITY) and the quarantine folder renamed
and deleted by the user while it runs. Each ends with every message exactly once, where its
verdict says, and no journal entry open. (A second ndrguard on the same state:
test_one_writer.py; a full quarantine: tests/service/engine/test_imap_scan.py. The existing
SIGKILL-mid-batch drills at fixed moments: tests/service/engine/test_crash_imap.py.)"""

from __future__ import annotations

import json
import random
import shutil
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from imapclient.exceptions import IMAPClientError

from ndrguard.service.api.client import ApiClient
from ndrguard.service.api.protocol import ApiError
from tests.drills.common import report, size, tally, verdicts_agree
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
from tests.ui.service_process import endpoint_for

pytestmark = [pytest.mark.imap, pytest.mark.drill, pytest.mark.slow]


def _status(env: dict[str, str]) -> dict:
    return json.loads(ndrguard(env, "status", "--json").stdout)["accounts"]["a"]


def _verdicts(env: dict[str, str]) -> list[dict]:
    return json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]


def _in_quarantine(server, login, folders=("Backscatter",)) -> int:
    return sum(sum(message_ids_in(server, login, f).values()) for f in folders)


def _settled(env: dict[str, str], home: Path) -> None:
    wait_until(lambda: _status(env)["open_moves"] == 0, timeout=60, what="the journal settled")


def test_sigkill_at_random_points_of_a_flood_without_move(dovecot_factory, tmp_path: Path):
    began = time.monotonic()
    n, kills = size(600, 2000), size(6, 20)
    rng = random.Random(5)
    server = dovecot_factory(move=False)
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(60), drill_bounces(n, tag="killed")
    append_pipelined(server, login, ordinary)
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login)
    chunk = n // kills
    moments, open_after = [], []  # open journal entries each kill left: moves cut in half
    for k in range(kills):
        with running(env, home) as proc:
            part = bounces[k * chunk : (k + 1) * chunk if k < kills - 1 else n]
            threading.Thread(target=append_pipelined, args=(server, login, part),
                             daemon=True).start()  # fmt: skip
            # The kill comes as the round's first copies land (a random few ms later): between
            # COPY and EXPUNGE, or before the journal heard of the move.
            watcher = client(server, login)
            already = _count(watcher)
            t0 = time.monotonic()
            while _count(watcher) <= already and proc.poll() is None:
                assert time.monotonic() - t0 < 120, "the round's moves never came"
            time.sleep(rng.uniform(0, 0.005))
            proc.kill()
            moment = time.monotonic() - t0
            watcher.logout()
            proc.wait()
            moments.append(round(moment, 1))
        open_after.append(_status(env)["open_moves"])
        time.sleep(0.5)  # the last APPENDs of the part land while nothing runs
    with running(env, home):
        wait_state(home, "a", "watching", timeout=180)
        wait_until(lambda: _in_quarantine(server, login) >= n, timeout=size(300, 900),
                   what="the whole flood in quarantine")  # fmt: skip
        _settled(env, home)
    result = tally(server, login, ordinary, bounces)
    verdicts = _verdicts(env)
    judged = Counter(v["message_id"] for v in verdicts)
    wrong = verdicts_agree(server, login, verdicts)
    counted = _status(env)["counters"].get("quarantined")
    report("sigkill-random-points", time.monotonic() - began, result, bounces=n,
           kills=kills, moments_s=moments, open_moves_after_each_kill=open_after,
           judged_twice=sum(c - 1 for c in judged.values()),
           verdict_elsewhere=len(wrong), counted=counted)  # fmt: skip
    assert not wrong, wrong[:5]
    assert max(judged.values()) == 1
    assert counted == n


def test_sigkill_in_the_middle_of_restores(dovecot_factory, tmp_path: Path):
    began = time.monotonic()
    n = size(200, 600)
    server = dovecot_factory(move=False)
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(20), drill_bounces(n, tag="restored")
    append_pipelined(server, login, ordinary + bounces)
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login)
    assert ndrguard(env, "scan").returncode == 0
    ids = sorted(v["id"] for v in _verdicts(env) if v["state"] == "quarantined")
    assert len(ids) == n
    wanted = ids[: n // 2]
    with running(env, home) as proc:
        wait_state(home, "a", "watching", timeout=120)

        def restore_in_small_calls() -> None:
            api = ApiClient(endpoint_for(home))
            try:
                for i in range(0, len(wanted), 5):
                    api.call("restore", ids=wanted[i : i + 5])
            except ApiError:
                pass  # the service was killed under it: the point of the drill
            finally:
                api.close()

        threading.Thread(target=restore_in_small_calls, daemon=True).start()
        wait_until(lambda: sum(message_ids_in(server, login, "INBOX").values())
                   > len(ordinary) + len(wanted) // 4, timeout=120, interval=0.05,
                   what="some restores done")  # fmt: skip
        proc.kill()
        proc.wait()
    restored_when_killed = sum(message_ids_in(server, login, "INBOX").values()) - len(ordinary)
    with running(env, home):
        wait_state(home, "a", "watching", timeout=120)
        _settled(env, home)
        left = [v["id"] for v in _verdicts(env)
                if v["id"] in set(wanted) and v["state"] == "quarantined"]  # fmt: skip
        if left:
            api = ApiClient(endpoint_for(home))
            answer = api.call("restore", ids=left)
            api.close()
            assert sorted(answer["restored"]) == sorted(left), answer["failed"]
        _settled(env, home)
    back = {v["message_id"] for v in _verdicts(env) if v["id"] in set(wanted)}
    inbox = ordinary + [b for b in bounces if _mid(b) in back]
    result = tally(server, login, inbox, [b for b in bounces if _mid(b) not in back])
    wrong = verdicts_agree(server, login, [v for v in _verdicts(env) if v["kind"] != "other"])
    report("sigkill-during-restore", time.monotonic() - began, result, asked=len(wanted),
           restored_before_the_kill=restored_when_killed, verdict_elsewhere=len(wrong))  # fmt: skip
    assert not wrong, wrong[:5]
    assert _status(env)["counters"].get("restored") == len(wanted)


def test_uidvalidity_change_and_quarantine_renamed_and_deleted_while_running(
    dovecot_factory, tmp_path: Path
):
    began = time.monotonic()
    n = size(150, 600)
    server = dovecot_factory()
    login = server.accounts[0]
    ordinary = drill_ordinary(40)
    first, second, third, fourth = (drill_bounces(n, tag=t) for t in ("p1", "p2", "p3", "p4"))
    append_pipelined(server, login, ordinary)
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login)
    with running(env, home):
        wait_state(home, "a", "watching", timeout=120)
        append_pipelined(server, login, first)
        wait_until(lambda: _in_quarantine(server, login) == n, timeout=120, what="part 1")
        c = client(server, login)
        c.rename_folder("Backscatter", "Old backscatter")  # the user tidies up
        c.logout()
        append_pipelined(server, login, second)
        wait_until(lambda: _in_quarantine(server, login) == n, timeout=120, what="part 2")
        # The INBOX renumbered under the running service (index lost, backup restored).
        before = _uidvalidity(server, login)
        server.stop()
        for p in server.maildir(login.user).glob("dovecot*"):
            p.unlink() if p.is_file() else shutil.rmtree(p)
        server.start()
        assert _uidvalidity(server, login) != before
        append_pipelined(server, login, third)
        wait_until(lambda: _in_quarantine(server, login) == 2 * n, timeout=180,
                   what="part 3 after the renumbering")  # fmt: skip
        # The user deletes the quarantine folder (parts 2 and 3 with it); mail keeps coming.
        c = client(server, login)
        c.delete_folder("Backscatter")
        c.logout()
        append_pipelined(server, login, fourth)
        wait_until(lambda: _in_quarantine(server, login) == n, timeout=180,
                   what="part 4 moved to a recreated quarantine")  # fmt: skip
        _settled(env, home)
    # Parts 2 and 3 went with the folder the user deleted; part 1 is in the renamed one.
    result = tally(server, login, ordinary, first + fourth,
                   folders=("INBOX", "Backscatter", "Old backscatter"))  # fmt: skip
    verdicts = _verdicts(env)
    judged = Counter(v["message_id"] for v in verdicts)
    report("uidvalidity-rename-delete", time.monotonic() - began, result, parts=4, each=n,
           judged_twice=sum(k - 1 for k in judged.values()))  # fmt: skip
    assert max(judged.values()) == 1, "judged again after the renumbering"


def _count(c) -> int:
    """Messages in the quarantine folder now: one STATUS on a connection kept open, so
    that it can be asked every millisecond or so."""
    try:
        return int(c.folder_status("Backscatter", [b"MESSAGES"])[b"MESSAGES"])
    except IMAPClientError:  # not created yet
        return 0


def _uidvalidity(server, login) -> int:
    c = client(server, login)
    try:
        return int(c.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"])
    finally:
        c.logout()


def _mid(raw: bytes) -> str:
    from ndrguard.service.mailboxes.base import header_value

    return header_value(raw, "message-id") or ""
