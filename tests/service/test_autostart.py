"""Autostart files for each platform, written into a throwaway home and read back.

The systemd unit is checked by systemd's own `systemd-analyze verify`. No test talks to a
real user manager (that would start ndrguard in the session running the tests): `enable`
and `disable` run against a `systemctl` on PATH that does what systemd does to the files
(the `default.target.wants` link) and records what it was asked, or refuses as systemd does
without a user bus.
"""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ndrguard.service import autostart

BIN = Path(sys.executable).parent

FAKE_SYSTEMCTL = """#!/bin/sh
echo "$@" >> "$SYSTEMCTL_LOG"
[ -n "$SYSTEMCTL_REFUSE" ] && { echo "Failed to connect to bus: No medium found" >&2; exit 1; }
wants="$XDG_CONFIG_HOME/systemd/user/default.target.wants"
case "$*" in
  "--user enable --now ndrguard.service")
    mkdir -p "$wants" && ln -sf ../ndrguard.service "$wants/ndrguard.service" ;;
  "--user disable --now ndrguard.service") rm -f "$wants/ndrguard.service" ;;
esac
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / ".local/share"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData"))
    monkeypatch.delenv("NDRGUARD_HOME", raising=False)
    return tmp_path


@pytest.fixture
def systemctl(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The recording systemctl first on PATH; its log of calls."""
    bin_dir = home / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text(FAKE_SYSTEMCTL)
    (bin_dir / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    log = home / "systemctl.log"
    monkeypatch.setenv("SYSTEMCTL_LOG", str(log))
    return log


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "ndrguard"), "autostart", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_linux_unit_runs_this_install_with_its_home_and_systemd_accepts_it(home: Path) -> None:
    (entry,) = autostart.entries("service", "/srv/ndr guard", platform="linux")
    entry.install()
    text = (home / ".config/systemd/user/ndrguard.service").read_text()
    assert f'ExecStart="{BIN / "ndrguard"}" "run"' in text
    assert 'Environment="NDRGUARD_HOME=/srv/ndr guard"' in text
    assert "Restart=on-failure" in text
    assert "network-online" not in text, "a user manager has no network-online.target"
    if shutil.which("systemd-analyze"):
        verified = subprocess.run(
            ["systemd-analyze", "verify", str(entry.path)], capture_output=True, text=True
        )
        assert verified.returncode == 0, verified.stderr


def test_linux_tray_entries_have_the_icon_the_notifications_name(home: Path) -> None:
    (entry,) = autostart.entries("tray", platform="linux")
    entry.install()
    autostart.install_desktop_files("linux")
    share = home / ".local/share"
    for desktop in (entry.path, share / "applications/ndrguard-tray.desktop"):
        text = desktop.read_text()
        assert text.startswith("[Desktop Entry]")
        assert f"Exec={BIN / 'ndrguard-tray'}\n" in text
        assert "Icon=ndrguard-tray\n" in text
    assert entry.path == home / ".config/autostart/ndrguard-tray.desktop"
    icon = share / "icons/hicolor/scalable/apps/ndrguard-tray.svg"
    assert icon.read_bytes() == autostart.ICON_FILE.read_bytes()
    assert b"<svg" in icon.read_bytes()


def test_macos_launch_agent_round_trips(home: Path) -> None:
    (entry,) = autostart.entries("service", "/Users/me/ndr", platform="darwin")
    entry.install()
    plist = plistlib.loads(entry.path.read_bytes())
    assert entry.path == home / "Library/LaunchAgents/org.ndrguard.service.plist"
    assert plist == {
        "Label": "org.ndrguard.service",
        "ProgramArguments": [str(BIN / "ndrguard"), "run"],
        "RunAtLoad": True,
        "KeepAlive": True,
        "ProcessType": "Background",
        "EnvironmentVariables": {"NDRGUARD_HOME": "/Users/me/ndr"},
    }
    (tray,) = autostart.entries("tray", platform="darwin")
    tray_plist = plistlib.loads(tray.text)
    assert tray_plist["Label"] == "org.ndrguard.tray" and tray_plist["KeepAlive"] is False
    assert tray_plist["ProgramArguments"] == [str(BIN / "ndrguard-tray")]
    assert tray.on_disable == (["launchctl", "unload", "-w", str(tray.path)],)


def test_windows_startup_commands(home: Path) -> None:
    (tray,) = autostart.entries("tray", "C:\\ndr", platform="win32")
    tray.install()
    assert (
        tray.path
        == home / "AppData/Microsoft/Windows/Start Menu/Programs/Startup/ndrguard-tray.cmd"
    )
    lines = tray.path.read_bytes().decode().split("\r\n")
    assert lines == ['@set "NDRGUARD_HOME=C:\\ndr"', f'@start "" "{BIN / "ndrguard-tray"}"', ""]
    (service,) = autostart.entries("service", platform="win32")
    text = service.text.decode()
    assert text.startswith('@start "" "') and text.endswith(
        '" "-m" "ndrguard.service.cli.main" "run"\r\n'
    )


def test_enable_then_disable_through_systemctl_leaves_nothing(home: Path, systemctl: Path) -> None:
    enabled = cli("enable", env={"NDRGUARD_HOME": str(home / "ndr")})
    assert enabled.returncode == 0, enabled.stderr
    unit = home / ".config/systemd/user/ndrguard.service"
    link = home / ".config/systemd/user/default.target.wants/ndrguard.service"
    assert f'Environment="NDRGUARD_HOME={home / "ndr"}"' in unit.read_text()
    assert link.is_symlink() and link.resolve() == unit
    assert (home / ".local/share/applications/ndrguard-tray.desktop").exists()
    assert "(installed)" in cli("status").stdout
    assert json.loads(cli("status", "--json").stdout)["entries"] == [
        {"path": str(unit), "installed": True}
    ]
    disabled = cli("disable")
    assert disabled.returncode == 0, disabled.stderr
    assert systemctl.read_text().splitlines() == [
        "--user daemon-reload",
        "--user enable --now ndrguard.service",
        "--user disable --now ndrguard.service",
    ]
    assert not unit.exists() and not link.is_symlink()
    assert "(not installed)" in cli("status").stdout


def test_enable_fails_when_systemd_refuses(home: Path, systemctl: Path) -> None:
    refused = cli("enable", env={"SYSTEMCTL_REFUSE": "1"})
    assert refused.returncode == 1
    assert "systemctl --user daemon-reload refused: Failed to connect to bus" in refused.stderr
    assert "will not start at login" in refused.stderr
    assert not (home / ".config/systemd/user/ndrguard.service").exists()


def test_disable_removes_a_link_systemd_could_not_remove(home: Path, systemctl: Path) -> None:
    assert cli("enable").returncode == 0
    link = home / ".config/systemd/user/default.target.wants/ndrguard.service"
    refused = cli("disable", env={"SYSTEMCTL_REFUSE": "1"})
    assert refused.returncode == 1 and "disable --now ndrguard.service refused" in refused.stderr
    assert not link.is_symlink(), "a dangling link was left behind"
    assert not (home / ".config/systemd/user/ndrguard.service").exists()


def test_no_notify_only_writes_and_removes(home: Path, systemctl: Path) -> None:
    assert "wrote" in cli("enable", "--tray", "--no-notify").stdout
    assert (home / ".config/autostart/ndrguard-tray.desktop").exists()
    assert "removed" in cli("disable", "--tray").stdout
    assert not systemctl.exists()
