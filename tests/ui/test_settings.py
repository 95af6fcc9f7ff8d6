"""Settings and first run against a real service with no account yet.

Stands for: a new user opens the tray app; with no account configured the settings window
opens by itself as a first run, they add the demo Maildir, test it, save, and the service
starts watching it at once; the password and BATV secret go to the keyring, not the file.
"""

from __future__ import annotations

import json

import pytest

from tests.ui.service_process import ServiceProcess


@pytest.fixture
def fresh_service():
    proc = ServiceProcess(empty=True)
    proc.start()
    proc.wait_ready(watching=False)
    yield proc
    proc.close()


def test_first_run_adds_an_account_that_the_service_then_watches(qtbot, fresh_service, make_tray):
    service = fresh_service
    app = make_tray(service.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.settings is not None, timeout=10_000)
    s = app.settings
    qtbot.waitUntil(s.save_button.isEnabled, timeout=10_000)  # the service answered
    assert s.welcome.isVisible() or s.welcome.text().startswith("<b>Welcome")
    s.name.setText("demo")
    s.kind.setCurrentIndex(1)
    s.maildir.setText(str(service.mail))
    s.addresses.setText("alice@example.org")
    s.relays.setText("mail.example.org")
    s.batv_number.setValue(0)
    s.batv_secret.setText("ndrguard-demo-key-not-secret")
    with qtbot.waitSignal(s.tested, timeout=10_000) as tested:
        s.test_button.click()
    assert tested.args[0]["ok"] is True
    with qtbot.waitSignal(s.saved, timeout=10_000):
        s.save_button.click()
    config = (service.home / "config.toml").read_text()
    assert 'name = "demo"' in config and "secret" not in config
    identity = (service.home / "identity-demo.toml").read_text()
    assert "ndrguard-demo-key-not-secret" not in identity and "keyring" in identity
    keyring = json.loads((service.home / "keyring.json").read_text())
    assert "ndrguard-batv\0demo-0" in keyring
    service.wait_ready(watching=True)
    qtbot.waitUntil(
        lambda: (
            "Watching 1 of 1" in app.tray.status_action.text()
            or "undecided" in app.tray.status_action.text()
        ),
        timeout=10_000,
    )
