"""Drill: nothing the service writes is readable by others, and no secret is written at all;
a relay in the middle that strips STARTTLS gets no login; plain IMAP to another machine needs
the user's explicit word."""

from __future__ import annotations

import contextlib
import os
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


@pytest.mark.imap
@pytest.mark.drill
def test_files_are_private_whatever_the_umask_and_hold_no_secret(
    dovecot, imap_account, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {**service_env(home), "NDRGUARD_TEST_KEYRING": str(tmp_path / "keyring.json")}
    old = os.umask(0o022)  # a usual umask: files 0644, folders 0755 unless the service says
    try:
        add_account(env, "a", dovecot, imap_account)
        subprocess.run(
            [sys.executable, "-c", "import keyring,sys; keyring.set_password('ndrguard', "
             "'batv-3', sys.argv[1])", BATV_SECRET],
            env=env, cwd=ROOT, check=True, timeout=60,
        )  # fmt: skip
        (home / "identity.toml").write_text(
            'addresses = ["user@example.org"]\n\n[[batv.keys]]\nnumber = 3\n'
            'keyring = "ndrguard/batv-3"\n'
        )
        config = home / "config.toml"
        config.write_text(config.read_text() + 'identity = "identity.toml"\n')
        bounces = drill_bounces(30, tag="private")
        with running(env, home):
            wait_state(home, "a", "watching", timeout=120)
            append_pipelined(dovecot, imap_account, bounces)
            wait_until(lambda: sum(message_ids_in(dovecot, imap_account, "Backscatter")
                                   .values()) == len(bounces), timeout=120,
                       what="the bounces in quarantine")  # fmt: skip
            assert ndrguard(env, "status").returncode == 0
        for args in (["scan"], ["summary", "--json"]):
            assert ndrguard(env, *args).returncode == 0
        # Exits 1 with the service stopped, but writes what it reads like the others.
        assert '"accounts"' in ndrguard(env, "status", "--json").stdout
    finally:
        os.umask(old)
    written = [p for p in home.rglob("*")]
    assert any(p.name == "state.sqlite" for p in written)
    assert any(p.parent.name == "logs" for p in written)
    exposed, leaked = [], []
    # Made by this test, not by the service: the identity, and the console output redirect.
    ours = {"identity.toml", "run.out"}
    for path in written:
        if path.name in ours:
            continue
        mode = path.lstat().st_mode
        if stat.S_IMODE(mode) & 0o077 and not stat.S_ISLNK(mode):
            exposed.append(f"{path.relative_to(tmp_path)} {stat.S_IMODE(mode):o}")
        if path.is_file() and not stat.S_ISSOCK(mode):
            data = path.read_bytes()
            for secret in (imap_account.password, BATV_SECRET):
                if secret.encode() in data:
                    leaked.append(f"{path.relative_to(tmp_path)} holds {secret[:6]}...")
    assert not exposed, f"readable by others: {exposed}"
    assert not leaked, f"secrets written: {leaked}"


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
