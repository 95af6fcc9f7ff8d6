"""Every way an account's setup goes wrong says the likely cause and the fix, fast.

Stands for: a new user typing `ndrguard account add` against a real Dovecot with the wrong
host, the wrong port, TLS against the STARTTLS port and the reverse, a wrong password, or a
self-signed certificate without its CA file. Each message must name what to change (the
option or setting), the command must end within the stated timeout, and nothing is saved.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from ndrguard.service.mailboxes.imap import INTERACTIVE_TIMEOUT
from tests.service.imap_util import ndrguard, service_env


def add(tmp_path: Path, dovecot, login, *options: str, password: str | None = None):
    env = service_env(tmp_path / "home")
    started = time.monotonic()
    done = ndrguard(
        env, "account", "add", "work", "--username", login.user, "--password-stdin", *options,
        stdin=(password or login.password) + "\n", timeout=60,
    )  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr
    assert not (tmp_path / "home" / "config.toml").exists()  # nothing saved
    assert "Traceback" not in done.stderr
    return done.stderr, took


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_host_that_does_not_resolve(tmp_path, dovecot, imap_account):
    said, _ = add(tmp_path, dovecot, imap_account, "--host", "no-such-host.invalid",
                  "--port", "993")  # fmt: skip
    assert "cannot resolve host 'no-such-host.invalid'" in said and "--host" in said, said


def test_a_port_where_nothing_listens(tmp_path, dovecot, imap_account):
    said, _ = add(tmp_path, dovecot, imap_account, "--host", "127.0.0.1",
                  "--port", str(closed_port()))  # fmt: skip
    assert "connection refused" in said and "--port" in said, said


def test_tls_against_the_plain_port_says_use_starttls(tmp_path, dovecot, imap_account):
    said, _ = add(tmp_path, dovecot, imap_account, "--host", "127.0.0.1", "--port",
                  str(dovecot.imap_port), "--security", "tls")  # fmt: skip
    assert "answers plain IMAP" in said and "--security starttls" in said, said
    assert "WRONG_VERSION_NUMBER" not in said


def test_plain_against_the_tls_port_fails_fast_and_says_use_tls(tmp_path, dovecot, imap_account):
    said, took = add(tmp_path, dovecot, imap_account, "--host", "127.0.0.1", "--port",
                     str(dovecot.imaps_port), "--security", "starttls")  # fmt: skip
    assert f"within {INTERACTIVE_TIMEOUT:g} s" in said and "--security tls" in said, said
    assert took < INTERACTIVE_TIMEOUT + 10  # start-up of the CLI included; not 15 s + retries


def test_a_wrong_password_without_python_noise(tmp_path, dovecot, imap_account):
    said, _ = add(tmp_path, dovecot, imap_account, "--host", "127.0.0.1", "--port",
                  str(dovecot.imaps_port), "--ca-file", str(dovecot.cafile),
                  password="wrong")  # fmt: skip
    assert "Login failed" in said and "password" in said.split("refused the login")[1], said
    assert "b'" not in said and 'b"' not in said


def test_a_self_signed_certificate_names_the_ca_file(tmp_path, dovecot, imap_account):
    said, _ = add(tmp_path, dovecot, imap_account, "--host", "127.0.0.1", "--port",
                  str(dovecot.imaps_port))  # fmt: skip
    assert "Certificate rejected" in said and "--ca-file" in said, said


@pytest.mark.parametrize("command", [["scan"], ["account", "list"], ["summary"]])
def test_a_config_file_that_does_not_exist(tmp_path, command):
    env = service_env(tmp_path / "home")
    done = ndrguard(env, *command, "--config", str(tmp_path / "typo.toml"))
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "typo.toml: no such file" in said and "--config" in said, said
