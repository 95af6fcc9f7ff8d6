"""Drill: nothing the service writes is readable by others, and no secret is written at all;
a relay in the middle that strips STARTTLS gets no login; plain IMAP to another machine needs
the user's explicit word."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ndrguard.service.mailboxes.base import TlsMissing
from ndrguard.service.mailboxes.imap import ImapMailbox
from ndrguard.service.settings import toml_edit
from ndrguard.service.settings.config import Account, ConfigError, parse
from tests.service.imap_util import (
    NDRGUARD,
    ROOT,
    add_account,
    append_pipelined,
    drill_bounces,
    message_ids_in,
    ndrguard,
    running,
    service_env,
    wait_state,
)
from tests.support.procs import wait_until

BATV_SECRET = "5f1b9e0c7a2d4e6f8a0b1c2d3e4f5a6b-drill-batv-secret"


@contextlib.contextmanager
def running_verbose(env: dict[str, str], home: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`ndrguard run -v`: debug logging, where a careless library would log a LOGIN line."""
    with (home / "run.out").open("wb") as out:
        proc = subprocess.Popen([*NDRGUARD, "run", "-v"], env=env, cwd=ROOT, stdout=out,
                                stderr=out)  # fmt: skip
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.imap
@pytest.mark.drill
@pytest.mark.parametrize(
    ("umask", "verbose"), [(0o022, False), (0o000, True)], ids=["umask-022", "umask-000-verbose"]
)
def test_files_are_private_whatever_the_umask_and_hold_no_secret(
    dovecot, imap_account, tmp_path: Path, umask: int, verbose: bool
) -> None:
    """022 is the usual umask (files 0644, folders 0755 unless the service says otherwise);
    000 the most open one, with `run -v` logging at debug level."""
    home = tmp_path / "home"
    env = {**service_env(home), "NDRGUARD_TEST_KEYRING": str(tmp_path / "keyring.json")}
    old = os.umask(umask)
    try:
        add_account(env, "a", dovecot, imap_account)
        subprocess.run(
            [sys.executable, "-c", "import keyring,sys; keyring.set_password('ndrguard', "
             "'batv-3', sys.argv[1])", BATV_SECRET],
            env=env, cwd=ROOT, check=True, timeout=60,
        )  # fmt: skip
        (home / "identity.toml").write_text(
            'addresses = ["alice@example.org"]\n\n[[batv.keys]]\nnumber = 3\n'
            'keyring = "ndrguard/batv-3"\n'
        )
        config = home / "config.toml"
        config.write_text(config.read_text() + 'identity = "identity.toml"\n')
        bounces = drill_bounces(30, tag="private")
        # One bounce to a tag of key 3 that does not verify: judging it needs the secret, so
        # the session below really read it from the keyring (its verdict says so).
        bounces[0] = bounces[0].replace(b"To: alice@example.org",
                                        b"To: prvs=3000abcdef=alice@example.org", 1)  # fmt: skip
        with (running_verbose if verbose else running)(env, home):
            wait_state(home, "a", "watching", timeout=120)
            append_pipelined(dovecot, imap_account, bounces)
            wait_until(lambda: sum(message_ids_in(dovecot, imap_account, "Backscatter")
                                   .values()) == len(bounces), timeout=120,
                       what="the bounces in quarantine")  # fmt: skip
            assert ndrguard(env, "status").returncode == 0
        for args in (["scan"], ["summary", "--json"]):
            assert ndrguard(env, *args).returncode == 0
        verdicts = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
        (tagged,) = [v for v in verdicts if v["message_id"] == "<private-0@drill.test>"]
        assert "key 3" in tagged["reason"] and "signature is wrong" in tagged["reason"], tagged
        # Exits 1 with the service stopped, but writes what it reads like the others.
        assert '"accounts"' in ndrguard(env, "status", "--json").stdout
    finally:
        os.umask(old)
    written = [p for p in home.rglob("*")]
    assert any(p.name == "state.sqlite" for p in written)
    assert any(p.parent.name == "logs" for p in written)
    exposed, leaked = [], []
    # Made by this test, not by the service: the identity, and the console output redirect
    # (its mode is the test's; what the service said into it is searched for secrets all
    # the same: it stands for the journal a systemd unit's output goes to).
    ours = {"identity.toml", "run.out"}
    for path in written:
        mode = path.lstat().st_mode
        if path.name not in ours and stat.S_IMODE(mode) & 0o077 and not stat.S_ISLNK(mode):
            exposed.append(f"{path.relative_to(tmp_path)} {stat.S_IMODE(mode):o}")
        if path.is_file() and not stat.S_ISSOCK(mode):
            data = path.read_bytes()
            for secret in (imap_account.password, BATV_SECRET):
                if secret.encode() in data:
                    leaked.append(f"{path.relative_to(tmp_path)} holds {secret[:6]}...")
    assert not exposed, f"readable by others: {exposed}"
    assert not leaked, f"secrets written: {leaked}"
    if verbose:  # the debug lines were written: the search above read a real debug log
        assert " DEBUG " in (home / "logs" / "ndrguard.log").read_text()


@contextlib.contextmanager
def relay(target: tuple[str, int], strip: bytes | None) -> Iterator[tuple[int, list[bytes]]]:
    """A TCP relay on loopback that deletes `strip` from what the server says (None: passes
    everything); yields its port and what the client sent."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    said: list[bytes] = []
    stop = threading.Event()

    def pump(src: socket.socket, dst: socket.socket, edit: bool) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if edit and strip:
                    data = data.replace(strip, b"")
                if not edit:
                    said.append(data)
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            server = socket.create_connection(target, timeout=10)
            for a, b, edit in ((server, client, True), (client, server, False)):
                threading.Thread(target=pump, args=(a, b, edit), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, said
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.imap
@pytest.mark.drill
def test_starttls_stripped_by_a_relay_in_the_middle_is_refused(dovecot, imap_account) -> None:
    def account(port: int) -> Account:
        return Account(name="mitm", host="127.0.0.1", port=port, security="starttls",
                       username=imap_account.user, ca_file=dovecot.cafile,
                       timeout_seconds=10)  # fmt: skip

    target = (dovecot.host, dovecot.imap_port)
    with relay(target, None) as (port, _):  # the relay itself is sound: an honest one works
        ImapMailbox.connect(account(port), imap_account.password).close()
    with relay(target, b" STARTTLS") as (port, said):
        began = time.monotonic()
        with pytest.raises(TlsMissing, match="did not offer STARTTLS"):
            ImapMailbox.connect(account(port), imap_account.password)
        sent = b"".join(said)
    assert b"LOGIN" not in sent.upper() and imap_account.password.encode() not in sent
    assert time.monotonic() - began < 5


@pytest.mark.parametrize(
    ("host", "allowed", "ok"),
    [("127.0.0.1", False, True), ("::1", False, True), ("localhost", False, True),
     ("192.0.2.7", False, False), ("imap.example.org", False, False),
     ("imap.example.org", True, True)],
)  # fmt: skip
def test_plain_to_another_machine_needs_the_users_word(
    tmp_path: Path, host: str, allowed: bool, ok: bool
) -> None:
    text = (f'[[accounts]]\nname = "p"\nhost = "{host}"\nusername = "u"\nsecurity = "plain"\n'
            + ("allow_plain_over_network = true\n" if allowed else ""))  # fmt: skip
    if ok:
        account = parse(text, tmp_path / "config.toml").account("p")
        again = toml_edit.add_account("", account.to_table())
        assert parse(again, tmp_path / "again.toml").account("p") == account
    else:
        with pytest.raises(ConfigError, match="allow_plain_over_network = true"):
            parse(text, tmp_path / "config.toml")


def test_account_add_refuses_plain_to_another_machine_until_the_user_confirms(
    tmp_path: Path,
) -> None:
    env = {**service_env(tmp_path / "home"), "NDRGUARD_TEST_KEYRING": str(tmp_path / "k.json")}
    args = ["account", "add", "p", "--host", "192.0.2.7", "--security", "plain", "--username",
            "u@example.org", "--password-stdin", "--no-test"]  # fmt: skip
    done = ndrguard(env, *args, stdin="pw\n")
    assert done.returncode == 1 and "--allow-plain-over-network" in done.stderr, done.stderr
    assert not (tmp_path / "home" / "config.toml").exists() or "192.0.2.7" not in (
        tmp_path / "home" / "config.toml"
    ).read_text()
    done = ndrguard(env, *args, "--allow-plain-over-network", stdin="pw\n")
    assert done.returncode == 0, done.stderr
    saved = parse((tmp_path / "home" / "config.toml").read_text(), tmp_path / "c.toml")
    assert saved.account("p").allow_plain_over_network is True


def test_plain_to_another_machine_is_refused_where_the_password_would_leave() -> None:
    """An Account made in code (not read from a file) gets the same refusal at connect():
    this machine's own name (not a literal loopback address; Debian maps it to 127.0.1.1)
    with a listener on every address, which must never see a connection."""
    listener = socket.create_server(("", 0), family=socket.AF_INET)
    listener.settimeout(0.5)
    host = socket.gethostname()
    try:
        account = Account(name="p", host=host, port=listener.getsockname()[1],
                          security="plain", username="u", timeout_seconds=5)  # fmt: skip
        with pytest.raises(TlsMissing, match="unencrypted"):
            ImapMailbox.connect(account, "the-password")
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing was sent, not even a connection
    finally:
        listener.close()


SYSTEM_PYTHON = "/usr/bin/python3"
# Run as the other user with Debian's interpreter and the standard library only (the venv may
# live where that user cannot read). It prints the outcome as one word and the error.
PROBE = (
    "import sys\nfrom multiprocessing.connection import Client\n"
    "try:\n"
    "    c = Client(sys.argv[1], 'AF_UNIX', authkey=sys.stdin.buffer.read())\n"
    "    c.send_bytes(b'{\"v\": 1, \"id\": 1, \"op\": \"hello\"}')\n"
    "    print('ANSWERED', c.recv_bytes()[:60])\n"
    "except Exception as e:\n    print('REFUSED', type(e).__name__, e)\n"
)


def _probe(address: str, key: bytes, user: str | None) -> str:
    command = [SYSTEM_PYTHON, "-I", "-c", PROBE, address]
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    done = subprocess.run(command, input=key, capture_output=True, timeout=60)
    return done.stdout.decode().strip() or done.stderr.decode()[-500:]


@pytest.mark.drill
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create a throwaway local user")
@pytest.mark.skipif(not shutil.which("useradd") or not shutil.which("runuser"),
                    reason="needs useradd and runuser (util-linux, passwd)")  # fmt: skip
@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="SO_PEERCRED is Linux's")
def test_another_local_user_is_refused_even_through_a_lax_folder_holding_the_key() -> None:
    """A second local account made for the drill. The 0700 runtime folder stops it first
    (tests/service/api/test_api.py holds that alone); here the user also opens the folder
    and the socket to everyone and hands the other account the key: the service must still
    refuse it, by the kernel's word on who connected, while its owner is served."""
    from tests.ui.service_process import ServiceProcess

    service = ServiceProcess(burst=3)
    user = f"ngd{secrets.token_hex(3)}"
    subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", user], check=True)
    try:
        service.start()
        service.wait_ready()
        address, key = service.endpoint.address, service.endpoint.key()
        service.home.chmod(0o711)  # the way down open: only run/ 0700 stands in it
        began = time.monotonic()
        first = _probe(address, key, user)
        assert first.startswith("REFUSED PermissionError"), first
        Path(address).parent.chmod(0o711)
        os.chmod(address, 0o666)
        second = _probe(address, key, user)
        assert second.startswith("REFUSED") and "PermissionError" not in second, second
        uid = pwd.getpwnam(user).pw_uid
        log = service.home / "logs" / "ndrguard.log"
        wait_until(lambda: f"refused a connection from uid {uid}" in log.read_text(),
                   timeout=10, what="the refusal in the service's log")  # fmt: skip
        wrong = _probe(address, secrets.token_hex(32).encode(), None)
        assert wrong.startswith("REFUSED"), wrong  # the owner, with a wrong key
        owner = _probe(address, key, None)
        assert owner.startswith("ANSWERED") and '"ok":true' in owner, owner
        assert service.proc is not None
        assert service.client().call("hello")["pid"] == service.proc.pid  # still serving
        print(f"\nDRILL second-local-user: {time.monotonic() - began:.1f} s, 0700 folder: "
              f"{first.split()[1]}, lax folder with the key: {second.split()[1]}, wrong key: "
              f"{wrong.split()[1]}, owner: answered", flush=True)  # fmt: skip
    finally:
        service.close()
        subprocess.run(["userdel", user], check=False)
