"""Keeps the Qt tests from hanging or touching the desktop (Vorta's rules).

- offscreen Qt: no display needed, and no window ever grabs the screen;
- no session or system D-Bus: notifications fall back to the tray path, whose `notified`
  signal the tests watch, and nothing waits on a bus that is not there;
- keyring in a JSON file of the test's home: no keychain prompt can block a run;
- pytest-qt's session `qapp`; every tray app a test makes (`make_tray`) is torn down in
  order when the test ends (windows, link threads, icon, menu, then the app object itself,
  deleted while the test still runs rather than whenever the garbage collector gets to it:
  that is what crashed pytest-qt's teardown now and then);
- every service a test starts is a real process on the demo
  Maildir with its own temp home (state database included), stopped when the test ends.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent"
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.keyring_file.FileKeyring"

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from ndrguard.service.api.channel import Endpoint
from ndrguard.ui.app import TrayApp
from tests.ui.service_process import ServiceProcess


@pytest.fixture
def service() -> Iterator[ServiceProcess]:
    proc = ServiceProcess()
    proc.start()
    proc.wait_ready()
    os.environ["NDRGUARD_HOME"] = str(proc.home)
    os.environ["NDRGUARD_TEST_KEYRING"] = str(proc.home / "keyring.json")
    yield proc
    proc.close()
    os.environ.pop("NDRGUARD_HOME", None)


@pytest.fixture
def make_tray(qtbot: Any) -> Iterator[Callable[..., TrayApp]]:
    """`make_tray(endpoint, **kw)`: a started TrayApp, shut down and deleted after the test."""
    made: list[TrayApp] = []

    def make(endpoint: Endpoint, **kw: Any) -> TrayApp:
        app = TrayApp(endpoint, start_service=False, **kw)
        made.append(app)
        return app

    yield make
    for app in reversed(made):
        app.shutdown()
        app.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    made.clear()
