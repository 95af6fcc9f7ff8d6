"""Drill: the user renames or deletes the quarantine folder; the service recreates it (its UIDs
start at 1 again) and fills it with new backscatter. `restore ID` and `mark-legitimate ID` must
then move the very message the verdict names, found in the renamed folder by Message-ID and
content, or say that it cannot be found; never the new message that now has the old UID."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.drills.common import ndrguard_measured, report, tally, verdicts_agree
from tests.service.imap_util import (
    add_account,
    append_pipelined,
    client,
    drill_bounces,
    drill_ordinary,
    ids,
    message_ids_in,
    ndrguard,
    service_env,
)

pytestmark = [pytest.mark.imap, pytest.mark.drill]


def measured(env: dict[str, str], peaks: list[float], *args: str):
    """A command that moves mail, its peak RSS kept in `peaks` for the drill's line."""
    done, mb = ndrguard_measured(env, *args)
    peaks.append(mb)
    return done


def verdict_of(env: dict[str, str], message_id: str) -> dict:
    verdicts = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    (found,) = [v for v in verdicts if v["message_id"] == message_id]
    return found


def test_restore_after_the_quarantine_was_renamed_then_deleted(
    dovecot_factory, tmp_path: Path
) -> None:
    began = time.monotonic()
    peaks: list[float] = []
    server = dovecot_factory()
    login = server.accounts[0]
    ordinary, first, second = drill_ordinary(5), drill_bounces(8, "first"), drill_bounces(8, "new")
    append_pipelined(server, login, ordinary + first)
    env = service_env(tmp_path / "home")
    add_account(env, "a", server, login)
    assert measured(env, peaks, "scan").returncode == 0
    assert sum(message_ids_in(server, login, "Backscatter").values()) == len(first)
    victim = verdict_of(env, ids(first)[5])
    assert victim["state"] == "quarantined"

    c = client(server, login)
    c.rename_folder("Backscatter", "Old backscatter")
    c.logout()
    append_pipelined(server, login, second)
    assert measured(env, peaks, "scan").returncode == 0  # recreates Backscatter: UIDs from 1 again
    new_there = message_ids_in(server, login, "Backscatter")
    assert sorted(new_there) == sorted(ids(second))
    # The old quarantine UID of the victim names a new bounce now: the trap of the drill.
    assert victim["quarantine_uid"] <= len(second)

    done = measured(env, peaks, "restore", str(victim["id"]))
    assert done.returncode == 0, done.stderr
    inbox = message_ids_in(server, login, "INBOX")
    assert inbox[victim["message_id"]] == 1, "the asked-for message was not restored"
    assert message_ids_in(server, login, "Backscatter") == new_there, "another message moved"
    assert victim["message_id"] not in message_ids_in(server, login, "Old backscatter")
    assert verdict_of(env, victim["message_id"])["state"] == "restored"

    # mark-legitimate shares the path: another victim, found the same way.
    other = verdict_of(env, ids(first)[2])
    done = measured(env, peaks, "mark-legitimate", str(other["id"]))
    assert done.returncode == 0, done.stderr + done.stdout
    assert message_ids_in(server, login, "INBOX")[other["message_id"]] == 1
    assert message_ids_in(server, login, "Backscatter") == new_there

    # Deleted for good: the restore says so and moves nothing.
    lost = verdict_of(env, ids(first)[0])
    c = client(server, login)
    c.delete_folder("Old backscatter")
    c.logout()
    before = message_ids_in(server, login, "INBOX")
    done = measured(env, peaks, "restore", str(lost["id"]))
    assert done.returncode == 1
    assert "cannot be found" in done.stderr, done.stderr
    assert message_ids_in(server, login, "INBOX") == before
    assert message_ids_in(server, login, "Backscatter") == new_there
    assert verdict_of(env, lost["message_id"])["state"] == "quarantined"
    status = json.loads(ndrguard(env, "status", "--json").stdout)["accounts"]["a"]
    assert status["open_moves"] == 0
    kept = [m for m in first if ids([m])[0] in (victim["message_id"], other["message_id"])]
    # The rest of the first flood went with the folder the user deleted.
    result = tally(server, login, ordinary + kept, second)
    report("renamed-quarantine", time.monotonic() - began, result, cannot_be_found=1,
           largest_command_rss_mb=max(peaks))


def test_rejudge_after_the_inbox_was_renumbered_moves_each_bounce_once(
    dovecot_factory, tmp_path: Path
) -> None:
    """Monitored first (judged, left in the INBOX), then the INBOX renumbered (index lost, a
    backup restored), then the policy changed and `rejudge` run before any scan: the stored
    UIDs name nothing or other messages now. Each bounce must still be found (Message-ID and
    content) and moved exactly once; the ordinary mail stays."""
    began = time.monotonic()
    peaks: list[float] = []
    server = dovecot_factory()
    login = server.accounts[0]
    ordinary, bounces = drill_ordinary(12), drill_bounces(12, "renumbered")
    mixed = [m for pair in zip(ordinary, bounces, strict=True) for m in pair]
    append_pipelined(server, login, mixed)
    home = tmp_path / "home"
    env = service_env(home)
    add_account(env, "a", server, login, "monitor")
    assert measured(env, peaks, "scan").returncode == 0
    assert message_ids_in(server, login, "INBOX") == Counter(ids(mixed))
    server.stop()
    for p in server.maildir(login.user).glob("dovecot*"):
        p.unlink() if p.is_file() else shutil.rmtree(p)
    server.start()
    config = home / "config.toml"
    config.write_text(config.read_text().replace('policy = "monitor"', 'policy = "block-all"'))
    done = measured(env, peaks, "rejudge")
    assert done.returncode == 0, done.stderr + done.stdout
    verdicts = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    wrong = verdicts_agree(server, login, [v for v in verdicts if v["kind"] != "other"])
    judged = Counter(v["message_id"] for v in verdicts)
    status = json.loads(ndrguard(env, "status", "--json").stdout)["accounts"]["a"]
    result = tally(server, login, ordinary, bounces)
    report("rejudge-after-renumbering", time.monotonic() - began, result,
           bounces=len(bounces), verdict_elsewhere=len(wrong),
           judged_twice=sum(k - 1 for k in judged.values()),
           largest_command_rss_mb=max(peaks))  # fmt: skip
    assert not wrong, wrong[:5]
    assert max(judged.values()) == 1
    assert status["open_moves"] == 0
