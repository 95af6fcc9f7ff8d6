"""Helpers for the service's tests against the test Dovecot: config, CLI runs, mailbox views."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from imapclient import IMAPClient

from tests.support.dovecot import Account, Dovecot

ROOT = Path(__file__).resolve().parents[2]
NDRGUARD = [sys.executable, "-m", "ndrguard.service.cli"]


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
