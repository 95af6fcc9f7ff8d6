"""Helpers for the service's tests against the test Dovecot: config, CLI runs, mailbox views."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from imapclient import IMAPClient

from ndrguard.service.api.client import ApiClient
from ndrguard.service.api.protocol import ApiError
from ndrguard.service.demo import mail as demo_mail
from ndrguard.service.mailboxes.base import header_value
from tests.support.dovecot import Account, Dovecot
from tests.support.procs import wait_until
from tests.ui.service_process import endpoint_for

ROOT = Path(__file__).resolve().parents[2]
NDRGUARD = [sys.executable, "-m", "ndrguard.service.cli.main"]


def service_env(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "NDRGUARD_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "tests.support.keyring_file.FileKeyring",
        "PYTHONPATH": str(ROOT),
    }


def ndrguard(env: dict[str, str], *args: str, stdin: str | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NDRGUARD, *args], env=env, input=stdin, capture_output=True, text=True,
        timeout=timeout, cwd=ROOT,
    )  # fmt: skip


def add_account(env: dict[str, str], name: str, server: Dovecot, login: Account,
                policy: str = "block-all", *extra: str) -> None:
    done = ndrguard(
        env, "account", "add", name, "--host", server.host, "--port", str(server.imaps_port),
        "--security", "tls", "--username", login.user, "--ca-file", str(server.cafile),
        "--policy", policy, "--password-stdin", *extra, stdin=login.password + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout


def client(server: Dovecot, login: Account) -> IMAPClient:
    c = IMAPClient(server.host, server.imaps_port, ssl_context=server.ssl_context(), timeout=30)
    c.login(login.user, login.password)
    return c


def folder_view(server: Dovecot, login: Account, folder: str) -> list[tuple[str, bool]]:
    """(content hash, \\Seen?) of every message in `folder` that is not \\Deleted."""
    c = client(server, login)
    try:
        if not c.folder_exists(folder):
            return []
        c.select_folder(folder, readonly=True)
        uids = c.search(["NOT", "DELETED"])
        data = c.fetch(uids, [b"BODY.PEEK[]", b"FLAGS"]) if uids else {}
        return sorted(
            (digest(item[b"BODY[]"]), b"\\Seen" in item[b"FLAGS"]) for item in data.values()
        )
    finally:
        c.logout()


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


def append_all(server: Dovecot, login: Account, messages: Iterable[bytes],
               folder: str = "INBOX") -> None:
    c = client(server, login)
    try:
        for raw in messages:
            c.append(folder, raw)
    finally:
        c.logout()


# -- `ndrguard run` in a child process ---------------------------------------------------


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
    """The running service's status (the API's), accounts by name; {} while none answers."""
    client = ApiClient(endpoint_for(home))
    try:
        snapshot = client.call("status")
    except ApiError:
        return {}
    finally:
        client.close()
    return {**snapshot, "accounts": {a["account"]: a for a in snapshot["accounts"]}}


def wait_state(home: Path, account: str, wanted: str, timeout: float = 30) -> None:
    wait_until(
        lambda: status(home).get("accounts", {}).get(account, {}).get("state") == wanted,
        timeout=timeout, what=f"{account} to be {wanted}: {status(home)}",
    )  # fmt: skip


# -- made-up mail with a Message-ID each, for "every message accounted for" -----------------

_BASE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """`raw` with its top-level Message-ID replaced (or given one: qmail's bounces have none)."""
    head, sep, body = raw.partition(b"\n\n")
    lines = [ln for ln in head.split(b"\n") if not ln.lower().startswith(b"message-id:")]
    return b"\n".join([f"Message-ID: {message_id}".encode(), *lines]) + sep + body


def drill_bounce(rng: random.Random, i: int, tag: str = "b") -> bytes:
    """Forged bounce number `i`, in one of four MTA styles (full, quoted, headers only, empty),
    with the Message-ID <tag-i@drill.test> so that a drill can count it."""
    rcpt = f"victim{i}@example.net"
    if i % 4 == 3:
        raw = demo_mail.qmail_empty(rng, _BASE, demo_mail.USER, rcpt)
    else:
        maker = (demo_mail.postfix_failure, demo_mail.exim_failure, demo_mail.sendmail_failure)
        raw = maker[i % 4](rng, _BASE, demo_mail.USER, rcpt, f"Cheap watches {i}% off")
    return with_message_id(raw, f"<{tag}-{i}@drill.test>")


def drill_message(rng: random.Random, i: int, tag: str = "o") -> bytes:
    """Ordinary message number `i`, with the Message-ID <tag-i@drill.test>: it must stay put."""
    return with_message_id(demo_mail.ordinary(rng, _BASE, i), f"<{tag}-{i}@drill.test>")


def drill_bounces(n: int, tag: str = "b") -> list[bytes]:
    rng = random.Random(f"{tag}-{n}")
    return [drill_bounce(rng, i, tag) for i in range(n)]


def drill_ordinary(n: int, tag: str = "o") -> list[bytes]:
    rng = random.Random(f"{tag}-{n}")
    return [drill_message(rng, i, tag) for i in range(n)]


def ids(messages: Iterable[bytes]) -> list[str]:
    return [header_value(m, "message-id") or "" for m in messages]


def message_ids_in(server: Dovecot, login: Account, folder: str) -> Counter[str]:
    """How often each Message-ID is in `folder` (messages flagged \\Deleted left out)."""
    c = client(server, login)
    try:
        if not c.folder_exists(folder):
            return Counter()
        c.select_folder(folder, readonly=True)
        uids = c.search(["NOT", "DELETED"])
        found: Counter[str] = Counter()
        for chunk in range(0, len(uids), 1000):
            data = c.fetch(uids[chunk : chunk + 1000], [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            for item in data.values():
                head = item[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"]
                found[header_value(head, "message-id") or ""] += 1
        return found
    finally:
        c.logout()


def assert_accounted_for(
    server: Dovecot,
    login: Account,
    inbox: Iterable[bytes],
    quarantine: Iterable[bytes],
    folder: str = "Backscatter",
) -> None:
    """The end of every drill: the same Message-IDs, each exactly once, where its verdict says
    (ordinary mail and real bounces in the INBOX, backscatter in quarantine)."""
    want_inbox, want_quarantine = Counter(ids(inbox)), Counter(ids(quarantine))
    got_inbox = message_ids_in(server, login, "INBOX")
    got_quarantine = message_ids_in(server, login, folder)
    lost = (want_inbox + want_quarantine) - (got_inbox + got_quarantine)
    twice = {m: n for m, n in (got_inbox + got_quarantine).items() if n > 1}
    misplaced = (want_quarantine - got_quarantine) - lost
    assert not lost, f"{sum(lost.values())} message(s) lost, e.g. {sorted(lost)[:5]}"
    assert not twice, f"message(s) there more than once: {sorted(twice.items())[:5]}"
    assert not misplaced, f"{sum(misplaced.values())} left in the inbox: {sorted(misplaced)[:5]}"
    assert got_inbox == want_inbox and got_quarantine == want_quarantine


# -- fast delivery -------------------------------------------------------------------------


def append_pipelined(
    server: Dovecot, login: Account, messages: Sequence[bytes], folder: str = "INBOX",
    window: int = 200,
) -> float:
    """APPEND `messages` as fast as the server takes them; returns the seconds it took.

    LITERAL+ (RFC 7888) lets a client send a message without waiting for the server's "+"
    and pipelining keeps `window` commands in flight, so the server, not the round trips,
    sets the pace. Plain IMAP on loopback: this is a test's delivery agent, not the service.
    """
    sock = socket.create_connection((server.host, server.imap_port), timeout=60)
    reader = sock.makefile("rb")
    started = time.perf_counter()
    try:
        reader.readline()  # greeting
        user, password = login.user, login.password
        sock.sendall(f'L LOGIN "{user}" "{password}"\r\n'.encode())
        _tagged(reader, b"L")
        sent = done = 0
        while done < len(messages):
            while sent < len(messages) and sent - done < window:
                raw = messages[sent].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                sock.sendall(b"A%d APPEND \"%s\" {%d+}\r\n%s\r\n"
                             % (sent, folder.encode(), len(raw), raw))  # fmt: skip
                sent += 1
            _tagged(reader, b"A%d" % done)
            done += 1
        sock.sendall(b"Z LOGOUT\r\n")
        return time.perf_counter() - started
    finally:
        reader.close()
        sock.close()


def _tagged(reader: BinaryIO, tag: bytes) -> None:
    """Read up to the tagged answer `tag`; anything but OK is a failed delivery."""
    while True:
        line = reader.readline()
        if not line:
            raise ConnectionError(f"the server closed the connection before {tag!r}")
        if line.startswith(tag + b" "):
            if not line.startswith(tag + b" OK"):
                raise AssertionError(f"the server refused: {line!r}")
            return


# -- a Dovecot that says "Still here" often, and kicks ------------------------------------


class KeepaliveDovecot(Dovecot):
    """A test Dovecot whose IDLE keepalive comes every `keepalive` seconds (default 2 min)."""

    def __init__(self, *args: Any, keepalive: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keepalive = keepalive

    def render_config(self) -> str:
        return super().render_config() + f"imap_idle_notify_interval = {self.keepalive} secs\n"


def kick(server: Dovecot, user: str) -> None:
    """`doveadm kick`: the administrator ends the user's sessions (they hear BYE)."""
    done = subprocess.run(
        ["doveadm", "-c", str(server.config_path), "kick", user],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
