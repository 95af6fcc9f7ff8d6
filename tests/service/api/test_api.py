"""The local API against a real service process on the demo Maildir, over the real socket.

Each test names the fault or the user's action it stands for: a client with the wrong key, a
local user who is not the owner, a second service started by mistake, a service killed under
a subscribed tray, and the operations the tray and the CLI use.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from multiprocessing.connection import Client

import pytest

from ndrguard.service.api.channel import connect
from ndrguard.service.api.client import HELLO_WAIT, ApiClient, EventStream
from ndrguard.service.api.protocol import (
    ActionFailed,
    BadRequest,
    NotFound,
    ServiceUnavailable,
    decode,
)
from ndrguard.ui.launcher import SERVICE_COMMAND
from tests.ui.service_process import ServiceProcess, wait_for

# The probe needs only the standard library; the other user may not be allowed to run the venv's
# interpreter (it can live under /root), so it runs Debian's.
SYSTEM_PYTHON = "/usr/bin/python3"


def test_a_client_with_the_wrong_key_is_refused(service: ServiceProcess, tmp_path):
    wrong = tmp_path / "api.key"
    wrong.write_text(secrets.token_hex(32))
    wrong.chmod(0o600)
    with pytest.raises(ServiceUnavailable, match="refused"):
        connect(replace(service.endpoint, key_file=wrong))
    assert service.client().call("hello")["api"] == 1  # and the service still serves the owner


def test_a_key_file_others_can_read_is_not_used(service: ServiceProcess, tmp_path):
    lax = tmp_path / "api.key"
    shutil.copy(service.endpoint.key_file, lax)
    lax.chmod(0o644)
    with pytest.raises(Exception, match="chmod 600"):
        connect(replace(service.endpoint, key_file=lax))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create a throwaway local user")
@pytest.mark.skipif(not os.path.exists(SYSTEM_PYTHON), reason=f"{SYSTEM_PYTHON} is missing")
def test_another_local_user_cannot_reach_the_api_even_with_the_key(service: ServiceProcess):
    user = f"ngt{secrets.token_hex(3)}"
    subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", user], check=True)
    try:
        # Open the way down to the runtime dir, so that only its own 0700 stands in the way.
        service.home.chmod(0o755)
        key = service.endpoint.key_file.read_bytes().strip()
        probe = (
            "import sys\nfrom multiprocessing.connection import Client\n"
            "try:\n"
            f"    Client({service.endpoint.address!r}, 'AF_UNIX',\n"
            "           authkey=sys.stdin.buffer.read())\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n"
            "else:\n    print('CONNECTED')\n"
        )
        out = subprocess.run(
            ["runuser", "-u", user, "--", SYSTEM_PYTHON, "-I", "-c", probe],
            input=key,
            capture_output=True,
            timeout=30,
        )
        assert pwd.getpwnam(user).pw_uid != os.getuid()
        assert out.stdout.decode().startswith("PermissionError"), out
    finally:
        service.home.chmod(0o700)
        subprocess.run(["userdel", user], check=False)


def test_a_second_service_refuses_to_start_beside_the_first(service: ServiceProcess):
    out = subprocess.run(
        SERVICE_COMMAND,
        env=service.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    # Refused by the state's writer lock, naming the service that holds it.
    assert service.proc is not None
    assert f"`ndrguard run` (pid {service.proc.pid}" in out.stderr, out.stderr
    assert service.client().call("hello")["pid"] == service.proc.pid


def test_raw_pickle_free_protocol_and_version_check(service: ServiceProcess):
    conn = Client(service.endpoint.address, "AF_UNIX", authkey=service.endpoint.key())
    conn.send_bytes(json.dumps({"v": 99, "id": 1, "op": "hello"}).encode())
    answer = json.loads(conn.recv_bytes())
    assert answer["ok"] is False and answer["error"]["code"] == "version"
    conn.send_bytes(b"\x80\x04pickle?")
    assert json.loads(conn.recv_bytes())["error"]["code"] == "bad-request"
    conn.close()


def test_status_verdict_pages_and_summary(client: ApiClient):
    status = client.call("status")
    assert [a["account"] for a in status["accounts"]] == ["demo"]
    first = client.call("verdicts", limit=5)
    assert len(first["items"]) == 5 and first["next_before"] == first["items"][-1]["id"]
    second = client.call("verdicts", limit=5, before=first["next_before"])
    assert max(i["id"] for i in second["items"]) < min(i["id"] for i in first["items"])
    real = client.call("verdicts", verdicts=["legit"], details=True)["items"]
    assert real and all(i["details"]["recipients"] or i["details"]["original"] for i in real)
    summary = client.call("summary", days=3)
    assert len(summary["days"]) == 3 and summary["totals"]["quarantined"] >= 1


def test_unknown_operations_and_ids_are_errors_with_words(client: ApiClient):
    with pytest.raises(BadRequest, match="unknown operation"):
        client.call("format_disk")
    with pytest.raises(NotFound, match="no message with id 999999"):
        client.call("restore", ids=[999999])


def test_restore_moves_the_message_back_to_the_inbox(service: ServiceProcess, client):
    row = client.call("verdicts", states=["quarantined"], limit=1)["items"][0]
    path = service.mail / ".Backscatter"
    before = {p.name.split(":")[0] for p in service.files("Backscatter")}
    answer = client.call("restore", ids=[row["id"]])
    assert (answer["restored"], answer["failed"]) == ([row["id"]], {})
    (now,) = answer["items"]
    assert (now["state"], now["folder"]) == ("restored", "INBOX")
    after = {p.name.split(":")[0] for p in service.files("Backscatter")}
    (moved,) = before - after
    assert any(p.name.startswith(moved) for p in service.files()), path
    again = client.call("restore", ids=[row["id"]])
    assert again["restored"] == [] and "not in quarantine" in again["failed"][str(row["id"])]


def test_mark_legitimate_remembers_and_restores(client: ApiClient):
    row = client.call("verdicts", states=["quarantined"], limit=1)["items"][0]
    answer = client.call("mark_legit", ids=[row["id"]])
    assert answer["marked"] == [row["id"]] and answer["restored"] == [row["id"]]
    (now,) = [i for i in client.call("verdicts", limit=500)["items"] if i["id"] == row["id"]]
    assert now["verdict"] == "legit" and now["state"] == "restored"


def test_message_is_text_only(client: ApiClient):
    row = client.call("verdicts", states=["quarantined"], limit=1)["items"][0]
    view = client.call("message", id=row["id"])
    assert view["text"] and all(isinstance(h, list) for h in view["headers"])


def test_pause_resume_and_scan_now(client: ApiClient):
    paused = client.call("pause")
    assert paused["paused"] and paused["accounts"][0]["state"] == "paused"
    resumed = client.call("resume")
    assert not resumed["paused"]
    wait_for(lambda: client.call("status")["accounts"][0]["state"] == "watching", what="watch")
    assert client.call("scan") == {"scanning": ["demo"]}


def test_reload_keeps_the_running_config_when_the_file_is_broken(service, client):
    config = service.home / "config.toml"
    good = config.read_text()
    config.write_text("[[accounts]\nbroken")
    try:
        with pytest.raises(ActionFailed, match="not valid TOML"):
            client.call("reload")
        assert client.call("status")["config_error"]
    finally:
        config.write_text(good)
    assert client.call("reload")["config_error"] is None


def test_test_account_says_what_it_found(client: ApiClient):
    assert client.call("test_account", name="demo")["ok"] is True
    answer = client.call("test_account", account={"name": "x", "maildir": "/nonexistent"})
    assert answer["ok"] is False


def test_events_arrive_and_a_killed_service_is_noticed_at_once():
    proc = ServiceProcess(burst=5)
    try:
        proc.start()
        proc.wait_ready()
        stream = EventStream(proc.endpoint)
        assert stream.snapshot["accounts"][0]["state"] == "watching"
        client = proc.client()
        newest = client.call("verdicts", limit=1)["items"][0]["id"]
        proc.deliver(proc.box.burst)
        wait_for(
            lambda: client.call("verdicts", limit=1)["items"][0]["id"] >= newest + 5,
            what="the burst to be judged",
        )
        last = client.call("verdicts", limit=1)["items"][0]["id"]
        seen: set[int] = set()
        deadline = time.monotonic() + 30
        while max(seen, default=0) < last and time.monotonic() < deadline:
            event = stream.next(timeout=10)
            if event and event[0] == "verdicts":
                seen |= {i["id"] for i in event[1]["items"]}
        assert set(range(newest + 1, last + 1)) <= seen
        proc.kill()
        killed = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            while True:
                stream.next(timeout=5)
        assert time.monotonic() - killed < 2
    finally:
        proc.close()


def test_status_answers_while_another_process_holds_the_database():
    """Stands for an `ndrguard scan` (or a backup tool) writing the state database while the
    service runs: a worker then waits up to 30 s for the write lock, holding the service's
    database lock meanwhile. `status` must answer from memory, not wait behind it (the tray
    would look frozen, a script checking `status` would hang)."""
    proc = ServiceProcess(burst=5)
    holder = None
    try:
        proc.start()
        proc.wait_ready()
        client = proc.client()
        newest = client.call("verdicts", limit=1)["items"][0]["id"]
        holder = sqlite3.connect(proc.home / "state.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, held until the test lets go
        proc.deliver(proc.box.burst)
        time.sleep(3)  # the worker has judged the burst and waits for the lock to store it
        assert client.call("verdicts", limit=1)["items"][0]["id"] == newest  # nothing stored
        for _ in range(5):
            asked = time.monotonic()
            answer = ApiClient(proc.endpoint, timeout=10).call("status")
            took = time.monotonic() - asked
            assert took < 2, f"status took {took:.1f} s with the database held"
            assert answer["accounts"][0]["account"] == "demo"
        holder.execute("ROLLBACK")
        wait_for(
            lambda: client.call("verdicts", limit=1)["items"][0]["id"] >= newest + 5,
            what="the burst to be stored once the lock is free",
        )
    finally:
        if holder is not None:
            holder.close()
        proc.close()


def test_a_frozen_service_is_told_as_such_not_waited_for():
    """Stands for a service stopped by SIGSTOP (a debugger, a laptop's frozen cgroup): the
    kernel still accepts connections for it, and nothing answers. `ndrguard status` says so
    within its bound instead of hanging, and does not call the service "not running"."""
    proc = ServiceProcess(burst=1)
    try:
        proc.start()
        proc.wait_ready()
        assert proc.proc is not None
        os.kill(proc.proc.pid, signal.SIGSTOP)
        try:
            asked = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "ndrguard.service.cli.main", "status"],
                env=proc.env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            took = time.monotonic() - asked
        finally:
            os.kill(proc.proc.pid, signal.SIGCONT)
        assert done.returncode == 1, done.stdout
        assert "does not answer" in done.stderr and "not running" not in done.stderr, done.stderr
        assert took < HELLO_WAIT + 15, f"status took {took:.0f} s against a frozen service"
        assert proc.client().call("status")["accounts"][0]["account"] == "demo"  # thawed: fine
    finally:
        proc.close()


def test_decode_refuses_non_objects():
    with pytest.raises(BadRequest):
        decode(b"[1, 2]")
