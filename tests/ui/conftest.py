"""Keeps the Qt tests from hanging or touching the desktop (Vorta's rules).

- offscreen Qt: no display needed, and no window ever grabs the screen;
- no session or system D-Bus: notifications fall back to the tray path, whose `notified`
  signal the tests watch, and nothing waits on a bus that is not there;
- keyring in a JSON file of the test's home: no keychain prompt can block a run;
- pytest-qt's session `qapp`; every service a test starts is a real process on the demo
  Maildir with its own temp home (state database included), stopped when the test ends.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent"
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.keyring_file.FileKeyring"

from collections.abc import Iterator

import pytest

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
