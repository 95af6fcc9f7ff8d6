"""Starting ndrguard at login, the way each platform expects it.

One class per mechanism, each writing one small file the user can read and delete by hand:
a systemd user unit for the service on Linux (restarts it if it dies, logs to the journal),
an XDG autostart entry for the tray app on Linux desktops, a LaunchAgent on macOS, and a
command file in the Startup folder on Windows (no registry, no admin rights, no pywin32).
The service is the program that must run; the tray app only shows it, and starts it when it
is not running, so on desktops it is enough to autostart the tray.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LABEL = "org.ndrguard.service"


def _command(program: str) -> list[str]:
    """The command line that runs `program` (service or tray) with this very interpreter."""
    if program == "tray":
        return [sys.executable, "-m", "ndrguard.ui.app"]
    return [sys.executable, "-m", "ndrguard.service.cli.main", "run"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One autostart file: where it goes, what it says, and how to tell the system."""

    path: Path
    text: bytes
    notify: tuple[list[str], ...] = ()  # commands that make the system notice the change

    def install(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_bytes(self.text)
        tmp.replace(self.path)

    def remove(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def systemd_unit(home: str | None = None) -> Entry:
    """A systemd user unit for `ndrguard run`, restarted on failure."""
    env = f"Environment=NDRGUARD_HOME={home}\n" if home else ""
    text = (
        "[Unit]\n"
        "Description=ndrguard: keeps backscatter out of your inbox\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        f"ExecStart={shlex.join(_command('service'))}\n"
        f"{env}"
        "Restart=on-failure\n"
        "RestartSec=10\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )
    path = _config_home() / "systemd" / "user" / "ndrguard.service"
    notify = (["systemctl", "--user", "daemon-reload"],
              ["systemctl", "--user", "enable", "--now", "ndrguard.service"])  # fmt: skip
    return Entry(path, text.encode(), notify)


def xdg_tray_entry() -> Entry:
    """An XDG autostart .desktop entry for the tray app (GNOME, KDE, Xfce...)."""
    text = (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=ndrguard\n"
        "Comment=Keeps backscatter out of your inbox\n"
        f"Exec={shlex.join(_command('tray'))}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )
    return Entry(_config_home() / "autostart" / "ndrguard-tray.desktop", text.encode())


def launch_agent(program: str, home: str | None = None) -> Entry:
    """A macOS LaunchAgent: loaded at login, kept alive if it is the service."""
    plist: dict[str, object] = {
        "Label": LABEL if program == "service" else LABEL.replace("service", "tray"),
        "ProgramArguments": _command(program),
        "RunAtLoad": True,
        "KeepAlive": program == "service",
        "ProcessType": "Background" if program == "service" else "Interactive",
    }
    if home:
        plist["EnvironmentVariables"] = {"NDRGUARD_HOME": home}
    label = str(plist["Label"])
    path = Path.home() / "Library" / "LaunchAgents" / f"{label}.plist"
    notify = (["launchctl", "load", "-w", str(path)],)
    return Entry(path, plistlib.dumps(plist), notify)


def windows_startup(program: str) -> Entry:
    """A .cmd in the user's Startup folder that starts the program without a console window."""
    appdata = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    folder = appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
    exe = Path(sys.executable)
    pythonw = exe.with_name("pythonw.exe") if exe.name.lower() == "python.exe" else exe
    args = _command(program)[1:]
    text = f'@start "" "{pythonw}" {" ".join(args)}\r\n'
    return Entry(folder / f"ndrguard-{program}.cmd", text.encode())


def entries(program: str, home: str | None = None, platform: str = sys.platform) -> list[Entry]:
    """What autostart means for `program` ("service" or "tray") on `platform`."""
    if platform == "darwin":
        return [launch_agent(program, home)]
    if platform.startswith("win"):
        return [windows_startup(program)]
    return [systemd_unit(home)] if program == "service" else [xdg_tray_entry()]


def enable(program: str, home: str | None = None, tell_system: bool = True) -> list[str]:
    """Install the autostart files; return what was done, in words."""
    done = []
    for entry in entries(program, home):
        entry.install()
        done.append(f"wrote {entry.path}")
        if tell_system:
            for command in entry.notify:
                done.append(_run(command))
    return done


def disable(program: str) -> list[str]:
    done = []
    for entry in entries(program):
        if entry.remove():
            done.append(f"removed {entry.path}")
    return done or ["nothing to remove"]


def _run(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"could not run {shlex.join(command)}: {err}"
    if result.returncode:
        return f"{shlex.join(command)} failed: {(result.stderr or result.stdout).strip()}"
    return f"ran {shlex.join(command)}"
