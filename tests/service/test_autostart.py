"""Autostart files for each platform, written into a throwaway home."""

from __future__ import annotations

import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from ndrguard.service import autostart


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData"))
    return tmp_path


def test_linux_service_is_a_systemd_user_unit_that_restarts(home: Path) -> None:
    (entry,) = autostart.entries("service", "/srv/ndr", platform="linux")
    entry.install()
    text = (home / ".config/systemd/user/ndrguard.service").read_text()
    assert f"ExecStart={sys.executable} -m ndrguard.service.cli.main run" in text
    assert "Environment=NDRGUARD_HOME=/srv/ndr" in text
    assert "Restart=on-failure" in text
    assert entry.remove() and not entry.path.exists()


def test_linux_tray_is_an_xdg_autostart_entry(home: Path) -> None:
    (entry,) = autostart.entries("tray", platform="linux")
    entry.install()
    text = (home / ".config/autostart/ndrguard-tray.desktop").read_text()
    assert text.startswith("[Desktop Entry]") and "-m ndrguard.ui.app" in text


def test_macos_launch_agent_keeps_the_service_alive(home: Path) -> None:
    (entry,) = autostart.entries("service", platform="darwin")
    entry.install()
    plist = plistlib.loads(entry.path.read_bytes())
    assert entry.path.parent == home / "Library" / "LaunchAgents"
    assert plist["KeepAlive"] is True and plist["RunAtLoad"] is True
    assert plist["ProgramArguments"][-2:] == ["ndrguard.service.cli.main", "run"]


def test_windows_startup_command(home: Path) -> None:
    (entry,) = autostart.entries("tray", platform="win32")
    entry.install()
    assert "Startup" in entry.path.parts
    assert entry.path.read_bytes().startswith(b'@start ""')


def test_cli_enable_status_disable(home: Path) -> None:
    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "ndrguard.service.cli.main", "autostart", *args],
            capture_output=True, text=True, check=True,
        )
        return done.stdout

    assert "wrote" in cli("enable", "--no-notify")
    assert "(installed)" in cli("status")
    assert "removed" in cli("disable")
    assert "(not installed)" in cli("status")
