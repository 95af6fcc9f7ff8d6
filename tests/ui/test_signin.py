"""OAuth sign-in from the tray and from the settings' first run, against the test
authorization server (oauthlib's endpoints, tests/support/oauth_server.py) and a Dovecot that
accepts only the tokens that server issued and still considers active (the fixtures of
tests/service/oauth/).

Stands for: a new user adding a Microsoft 365 or Gmail account in the first run (provider,
client ID, Sign in, the browser, back: watched), and a user whose grant is gone (the account
shows amber, "Sign in again" is in the menu and in a notification whose action starts the
sign-in). The browser is an HTTP client logging in at the server's form, put where the app
would call QDesktopServices.openUrl.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
import requests
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox

from ndrguard.ui.device_signin import DeviceSigninDialog
from tests.service.oauth.conftest import (  # noqa: F401 - fixtures used by name
    CLIENT_ID,
    PASSWORD,
    USER,
    oauth_dovecot,
    oauth_server,
)
from tests.support.oauth_browser import sign_in
from tests.ui.service_process import ServiceProcess, wait_for

pytestmark = [pytest.mark.imap, pytest.mark.slow]


class Browser:
    """Opens the sign-in page as a user's browser would: logs in, lands on the redirect."""

    def __init__(self, ca: str) -> None:
        self.ca = ca
        self.opened: list[str] = []
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: QUrl) -> bool:
        self.opened.append(url.toString())
        thread = threading.Thread(target=self._visit, args=(url.toString(),), daemon=True)
        thread.start()
        self.threads.append(thread)
        return True

    def _visit(self, url: str) -> None:
        try:
            sign_in(url, USER, PASSWORD, self.ca).raise_for_status()
        except BaseException as err:  # told by the test, not lost in a thread
            self.errors.append(err)

    def join(self) -> None:
        for t in self.threads:
            t.join(30)
        assert not self.errors, self.errors


@pytest.fixture
def no_account() -> Iterator[ServiceProcess]:
    proc = ServiceProcess(empty=True)
    proc.start()
    proc.wait_ready(watching=False)
    yield proc
    proc.close()


def account_state(proc: ServiceProcess, name: str) -> str | None:
    status = proc.client().call("status")
    return next((a["state"] for a in status["accounts"] if a["account"] == name), None)


def oauth_config(server, imap, cert) -> str:
    return (
        '[[accounts]]\nname = "work"\nhost = "127.0.0.1"\n'
        f"port = {imap.imaps_port}\nusername = \"{USER}\"\nca_file = \"{cert.cert}\"\n"
        'policy = "block-all"\n'
        f'oauth = {{ provider = "generic", client_id = "{CLIENT_ID}", issuer = "{server.base}", '
        f'scope = "imap offline_access", ca_file = "{cert.cert}" }}\n'
    )


def test_first_run_adds_an_oauth_account_and_signs_in(
    qtbot, no_account, make_tray, oauth_server, oauth_dovecot, tls_certificate  # noqa: F811
):
    proc = no_account
    app = make_tray(proc.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.settings is not None, timeout=10_000)  # the first run
    s = app.settings
    qtbot.waitUntil(s.save_button.isEnabled, timeout=10_000)
    s.name.setText("work")
    s.host.setText("127.0.0.1")
    s.port.setValue(oauth_dovecot.imaps_port)
    s.username.setText(USER)
    s.ca_file.setText(str(tls_certificate.cert))
    s.signin.setCurrentIndex(s.signin.findData("generic"))
    assert not s.password.isEnabled() and s.client_id.isEnabled()
    assert not s.signin_button.isEnabled()  # not saved yet: the service has no such account
    s.client_id.setText(CLIENT_ID)
    s.issuer.setText(oauth_server.base)
    s.scope.setText("imap offline_access")
    with qtbot.waitSignal(s.saved, timeout=15_000):
        s.save_button.click()
    assert "Saved to" in s.status.text(), s.status.text()
    config = (proc.home / "config.toml").read_text()
    assert 'provider = "generic"' in config and CLIENT_ID in config
    wait_for(lambda: account_state(proc, "work") == "signin-needed", timeout=30)
    qtbot.waitUntil(s.signin_button.isEnabled, timeout=10_000)
    browser = Browser(str(tls_certificate.cert))
    s.open_url = browser
    with qtbot.waitSignal(s.signin_done, timeout=60_000) as done:
        s.signin_button.click()
    browser.join()
    assert done.args[1]["state"] == "signed-in", done.args
    assert browser.opened and browser.opened[0].startswith(oauth_server.base)
    wait_for(lambda: account_state(proc, "work") == "watching", timeout=60)
    # No token in the config the window wrote.
    with oauth_server.store.lock:
        tokens = list(oauth_server.store.tokens)
    assert tokens and not any(t in (proc.home / "config.toml").read_text() for t in tokens)


def test_a_gone_grant_shows_amber_and_the_notification_signs_in_again(
    qtbot, no_account, make_tray, oauth_server, oauth_dovecot, tls_certificate  # noqa: F811
):
    proc = no_account
    proc.stop()
    (proc.home / "config.toml").write_text(oauth_config(oauth_server, oauth_dovecot,
                                                        tls_certificate))  # fmt: skip
    proc.start()
    proc.wait_ready(watching=False)
    wait_for(lambda: account_state(proc, "work") == "signin-needed", timeout=30)
    app = make_tray(proc.endpoint)
    told: list[tuple[str, str]] = []
    app.notifier.notified.connect(lambda t, b: told.append((t, b)))
    shown: list = []
    original_show = app.notifications.show

    def show(note) -> None:
        shown.append(note)
        original_show(note)

    app.notifications.show = show
    app.start()
    qtbot.waitUntil(lambda: "work" in app.tray.signin_actions, timeout=15_000)
    assert str(app.tray.state) == "attention"
    action = app.tray.signin_actions["work"]
    assert action.text() == "Sign in again to work…"
    assert "work: sign in again" in app.tray.status_action.text()
    qtbot.waitUntil(lambda: any(n.account == "work" for n in shown), timeout=10_000)
    note = next(n for n in shown if n.account == "work")
    assert ("signin", "Sign in again") in note.actions and note.urgent
    browser = Browser(str(tls_certificate.cert))
    app.tray.open_url = browser
    app.tray.icon.messageClicked.emit()  # the click on the notification (the balloon here)
    qtbot.waitUntil(lambda: bool(browser.opened), timeout=30_000)
    browser.join()
    wait_for(lambda: account_state(proc, "work") == "watching", timeout=60)
    qtbot.waitUntil(lambda: "work" not in app.tray.signin_actions, timeout=15_000)
    qtbot.waitUntil(lambda: str(app.tray.state) == "watching", timeout=15_000)


def enter_code(address: str, code: str, ca: str) -> None:
    """What the user does on another device: open the address, type the code, sign in."""
    with requests.Session() as s:
        page = s.get(address, timeout=10, verify=ca)
        page.raise_for_status()
        assert 'name="user_code"' in page.text, page.text[:200]
        action = re.search(r'action="([^"]+)"', page.text)
        assert action is not None, page.text[:200]
        form = {"user_code": code, "username": USER, "password": PASSWORD}
        reply = s.post(urllib.parse.urljoin(address, action.group(1)), data=form,
                       timeout=10, verify=ca)  # fmt: skip
        reply.raise_for_status()


@pytest.fixture
def grant_gone(no_account, oauth_server, oauth_dovecot, tls_certificate):  # noqa: F811
    """The service with an OAuth account whose grant is missing (it waits in signin-needed)."""
    proc = no_account
    proc.stop()
    (proc.home / "config.toml").write_text(oauth_config(oauth_server, oauth_dovecot,
                                                        tls_certificate))  # fmt: skip
    proc.start()
    proc.wait_ready(watching=False)
    wait_for(lambda: account_state(proc, "work") == "signin-needed", timeout=30)
    return proc


def open_code_window(qtbot, app) -> DeviceSigninDialog:
    qtbot.waitUntil(lambda: "work" in app.tray.code_actions, timeout=15_000)
    action = app.tray.code_actions["work"]
    assert action.text() == "Sign in to work with a code…"
    action.trigger()
    qtbot.waitUntil(lambda: app.tray.device_dialog is not None, timeout=30_000)
    dialog = app.tray.device_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_a_device_sign_in_shows_the_code_and_the_address_until_it_is_done(
    qtbot, grant_gone, make_tray, oauth_server, tls_certificate  # noqa: F811
):
    """`account signin work --device` from the tray: a window with the address and the code
    (each copied by a button), following the service until the code was entered elsewhere."""
    proc = grant_gone
    app = make_tray(proc.endpoint)
    app.start()
    dialog = open_code_window(qtbot, app)
    with oauth_server.store.lock:
        issued = [d.user_code for d in oauth_server.store.devices.values() if not d.used]
    assert dialog.code_label.text() in issued  # the code the server issued, as it is typed
    assert dialog.address.text() == oauth_server.base + "/device"
    dialog.copy_code.click()
    assert QGuiApplication.clipboard().text() == dialog.code_label.text()
    dialog.copy_address.click()
    assert QGuiApplication.clipboard().text() == dialog.address.text()
    assert dialog.status.text() == "Waiting for you to sign in…"
    with qtbot.waitSignal(dialog.signin_done, timeout=60_000) as done:
        enter_code(dialog.address.text(), dialog.code_label.text(), str(tls_certificate.cert))
    assert done.args[0] == "work" and done.args[1]["state"] == "signed-in", done.args
    assert dialog.status.text() == "✔ Signed in; the service is watching work."
    assert not dialog.copy_code.isEnabled()
    wait_for(lambda: account_state(proc, "work") == "watching", timeout=60)
    qtbot.waitUntil(lambda: "work" not in app.tray.code_actions, timeout=15_000)
    assert oauth_server.active_tokens(USER)  # Dovecot took a token of this grant


def test_closing_the_code_window_cancels_the_sign_in(qtbot, grant_gone, make_tray):
    proc = grant_gone
    app = make_tray(proc.endpoint)
    app.start()
    dialog = open_code_window(qtbot, app)
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel) is not None
    dialog.close()  # the window's own close button
    assert not dialog.isVisible()
    client = proc.client()
    try:
        wait_for(lambda: client.call("signin_status", account="work")["state"] == "cancelled",
                 timeout=30)  # fmt: skip
    finally:
        client.close()
