"""The settings window edits in place, on a real service watching a real, self-signed Dovecot.

Stands for: a user who set up an account with `ndrguard account add` (a CA file for the
server's self-signed certificate, an identity file whose BATV key lives in a secret file)
and then added by hand what only the file can say (folders, sent, timeouts, a comment). They
open the settings window: a Save with nothing changed must leave both files byte for byte as
they were (the issue's "Save silently breaks a working account"), and changing the policy
must change that one line. A second user adds the same kind of server from the window alone,
with the CA file picked in the form; Test and Save use the same settings.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import ssl
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.service.imap_util import ndrguard
from tests.ui.service_process import ServiceProcess

HAND_WRITTEN = """\
# added by hand after `account add`: what the form does not show
folders = ["INBOX"]
sent = "Sent"
timeout_seconds = 20
poll_seconds = 30
"""


@pytest.fixture
def no_account() -> Iterator[ServiceProcess]:
    proc = ServiceProcess(empty=True)
    yield proc
    proc.close()


def identity_file(proc: ServiceProcess) -> tuple[str, str]:
    secret = proc.home / "batv.key"
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"a-secret-in-a-file\n")
    os.close(fd)
    path = proc.home / "identity.toml"
    text = (
        "# my identity\n"
        'addresses = ["alice@example.test"]\n'
        'domains = ["example.test"]\n'
        'relays = ["mail.example.test"]\n\n'
        "[batv]\nlifetime_days = 7\n\n"
        '[[batv.keys]]\nnumber = 3\nsecret_file = "batv.key"\n'
    )
    path.write_text(text)
    return str(path), text


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_a_save_keeps_every_setting_of_a_config_the_cli_wrote(
    qtbot, dovecot, imap_account, no_account, make_tray
):
    proc = no_account
    ident_path, ident_text = identity_file(proc)
    (proc.home / "config.toml").unlink()
    added = ndrguard(
        proc.env, "account", "add", "work", "--host", "127.0.0.1",
        "--port", str(dovecot.imaps_port), "--username", imap_account.user,
        "--ca-file", str(dovecot.cafile), "--identity", ident_path, "--password-stdin",
        stdin=imap_account.password + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr + added.stdout
    config_path = proc.home / "config.toml"
    config_path.write_text(config_path.read_text() + HAND_WRITTEN)
    before = config_path.read_text()
    assert "ca_file" in before and "identity" in before
    proc.start()
    proc.wait_ready(watching=False)

    app = make_tray(proc.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    app.open_settings()
    s = app.settings
    assert s is not None
    qtbot.waitUntil(lambda: s.editing == "work", timeout=10_000)
    assert s.ca_file.text() == str(dovecot.cafile)
    assert s.save_args() == {"name": "work", "changes": {}}  # nothing changed, nothing sent
    with qtbot.waitSignal(s.tested, timeout=30_000) as tested:
        s.test_button.click()
    assert tested.args[0]["ok"] is True, tested.args[0]
    with qtbot.waitSignal(s.saved, timeout=10_000):
        s.save_button.click()
    assert config_path.read_text() == before
    assert (proc.home / "identity.toml").read_text() == ident_text

    s.policy.setCurrentIndex(s.policy.findData("batv"))
    s.addresses.setText("alice@example.test, al@example.test")
    with qtbot.waitSignal(s.saved, timeout=10_000):
        s.save_button.click()
    assert changed_lines(before, config_path.read_text()) == [
        '-policy = "evidence"',
        '+policy = "batv"',
    ]
    assert changed_lines(ident_text, (proc.home / "identity.toml").read_text()) == [
        '-addresses = ["alice@example.test"]',
        '+addresses = ["alice@example.test", "al@example.test"]',
    ]
    proc.wait_ready(watching=True)


def test_a_self_signed_server_is_added_from_the_window_with_its_ca_file(
    qtbot, dovecot, imap_account, no_account, make_tray
):
    proc = no_account
    proc.start()
    proc.wait_ready(watching=False)
    app = make_tray(proc.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.settings is not None, timeout=10_000)  # the first run
    s = app.settings
    qtbot.waitUntil(s.save_button.isEnabled, timeout=10_000)
    s.name.setText("self-signed")
    s.kind.setCurrentIndex(0)
    s.host.setText("127.0.0.1")
    s.port.setValue(dovecot.imaps_port)
    s.security.setCurrentIndex(s.security.findData("tls"))
    s.username.setText(imap_account.user)
    s.password.setText(imap_account.password)
    with qtbot.waitSignal(s.tested, timeout=30_000) as tested:
        s.test_button.click()
    assert tested.args[0]["ok"] is False  # the system's CAs do not know this server
    assert "Certificate" in tested.args[0]["message"], tested.args[0]
    s.ca_file.setText(str(dovecot.cafile))
    with qtbot.waitSignal(s.tested, timeout=30_000) as tested:
        s.test_button.click()
    assert tested.args[0]["ok"] is True, tested.args[0]
    with qtbot.waitSignal(s.saved, timeout=10_000):
        s.save_button.click()
    config = (proc.home / "config.toml").read_text()
    assert f'ca_file = "{dovecot.cafile}"' in config and imap_account.password not in config
    proc.wait_ready(watching=True)


def test_a_self_signed_server_is_added_by_its_pinned_fingerprint(
    qtbot, dovecot, imap_account, no_account, make_tray
):
    proc = no_account
    proc.start()
    proc.wait_ready(watching=False)
    der = ssl.PEM_cert_to_DER_cert(dovecot.cafile.read_text())
    digest = hashlib.sha256(der).hexdigest().upper()
    expected = "sha256:" + ":".join(digest[i : i + 2] for i in range(0, 64, 2))
    app = make_tray(proc.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.settings is not None, timeout=10_000)
    s = app.settings
    qtbot.waitUntil(s.save_button.isEnabled, timeout=10_000)
    s.name.setText("pinned")
    s.kind.setCurrentIndex(0)
    s.host.setText("127.0.0.1")
    s.port.setValue(dovecot.imaps_port)
    s.security.setCurrentIndex(s.security.findData("tls"))
    s.username.setText(imap_account.user)
    s.password.setText(imap_account.password)
    s.trust_button.click()
    qtbot.waitUntil(lambda: s.trust_dialog is not None and s.trust_dialog.isVisible(),
                    timeout=15_000)  # fmt: skip
    assert expected in s.trust_dialog.text()  # shown to the user before anything is pinned
    assert s.fingerprint.text() == ""
    s.trust_dialog.button(QMessageBox.StandardButton.Yes).click()
    assert s.fingerprint.text() == expected
    with qtbot.waitSignal(s.tested, timeout=30_000) as tested:
        s.test_button.click()
    assert tested.args[0]["ok"] is True, tested.args[0]
    with qtbot.waitSignal(s.saved, timeout=10_000):
        s.save_button.click()
    config = (proc.home / "config.toml").read_text()
    assert f'tls_fingerprint = "{expected}"' in config and "ca_file" not in config
    proc.wait_ready(watching=True)
    # Another certificate than the pinned one is refused, and the message says what to do.
    wrong = "sha256:" + "00" * 32
    s.fingerprint.setText(wrong)
    with qtbot.waitSignal(s.tested, timeout=30_000) as tested:
        s.test_button.click()
    assert tested.args[0]["ok"] is False
    assert "not the one pinned" in tested.args[0]["message"]
    assert "trust the new one" in tested.args[0]["message"]
