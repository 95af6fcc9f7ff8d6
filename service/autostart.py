"""Starting ndrguard at login, the way each platform expects it.

One class per mechanism, each writing one small file the user can read and delete by hand:
a systemd user unit for the service on Linux (restarts it if it dies, logs to the journal),
an XDG autostart entry for the tray app on Linux desktops, a LaunchAgent on macOS, and a
command file in the Startup folder on Windows (no registry, no admin rights, no pywin32).
The service is the program that must run; the tray app only shows it, and starts it when it
is not running, so on desktops it is enough to autostart the tray.

On Linux the application entry `ndrguard-tray.desktop` and its icon are installed beside
(XDG data dir, hicolor theme): the tray's notifications name that entry in their
`desktop-entry` hint, and desktops show its icon and name with them.

Every file names the program by the absolute path of the executable in this very
environment (the venv's `bin/ndrguard`), so that it runs the same install at login as on the
command line, with nothing looked up on a PATH the session may not have.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ndrguard.errors import NdrguardError

LABEL = "org.ndrguard.service"
UNIT = "ndrguard.service"
APP_ID = "ndrguard-tray"  # the application .desktop entry and icon name; ui/notify.py's hint
ICON_FILE = Path(__file__).parent / "desktop" / f"{APP_ID}.svg"


class AutostartError(NdrguardError):
    """The system refused: the file is not in place, or the program would not start."""

    title = "Autostart failed"


def _executable(name: str) -> Path | None:
    """`name`'s entry-point script beside this interpreter (venv bin/ or Scripts/), if any."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file():
            return candidate.absolute()
    return None


def command(program: str) -> list[str]:
    """The command line that runs `program` (service or tray) from this very install."""
    name, module, tail = (
        ("ndrguard-tray", "ndrguard.ui.start", [])
        if program == "tray"
        else ("ndrguard", "ndrguard.service.cli.main", ["run"])
    )
    exe = _executable(name)
    if exe is not None:
        return [str(exe), *tail]
    return [str(Path(sys.executable).absolute()), "-m", module, *tail]


@dataclass(frozen=True, slots=True)
class Entry:
    """One autostart file: where it goes, what it says, and how to tell the system."""

    path: Path
    text: bytes
    on_enable: tuple[list[str], ...] = ()  # commands that make the system start it
    on_disable: tuple[list[str], ...] = ()  # commands that stop it, before the file goes

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


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _systemd_quote(value: str) -> str:
    """One systemd word: double-quoted, with its backslashes, quotes and % escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def systemd_unit(home: str | None = None) -> Entry:
    """A systemd user unit for `ndrguard run`, restarted on failure.

    No After=network-online.target: a user manager has no such target to wait for, and the
    service needs none (it retries a server it cannot reach).
    """
    env = f"Environment={_systemd_quote(f'NDRGUARD_HOME={home}')}\n" if home else ""
    text = (
        "[Unit]\n"
        "Description=ndrguard: keeps backscatter out of your inbox\n\n"
        "[Service]\n"
        f"ExecStart={' '.join(_systemd_quote(w) for w in command('service'))}\n"
        f"{env}"
        "Restart=on-failure\n"
        "RestartSec=10\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )
    path = _config_home() / "systemd" / "user" / UNIT
    on_enable = (["systemctl", "--user", "daemon-reload"],
                 ["systemctl", "--user", "enable", "--now", UNIT])  # fmt: skip
    on_disable = (["systemctl", "--user", "disable", "--now", UNIT],)
    return Entry(path, text.encode(), on_enable, on_disable)


def _desktop_text(comment: str, extra: str = "") -> bytes:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=ndrguard\n"
        f"Comment={comment}\n"
        f"Exec={shlex.join(command('tray'))}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "Categories=Network;Email;\n"
        f"{extra}"
    ).encode()


def xdg_tray_entry() -> Entry:
    """An XDG autostart .desktop entry for the tray app (GNOME, KDE, Xfce...)."""
    text = _desktop_text("Keeps backscatter out of your inbox", "X-GNOME-Autostart-enabled=true\n")
    return Entry(_config_home() / "autostart" / f"{APP_ID}.desktop", text)


def desktop_files() -> list[Entry]:
    """The application entry the notifications name, and its icon in the hicolor theme."""
    apps = _data_home() / "applications" / f"{APP_ID}.desktop"
    icon = _data_home() / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    return [
        Entry(apps, _desktop_text("The ndrguard tray app: status, summary, settings")),
        Entry(icon, ICON_FILE.read_bytes()),
    ]


def launch_agent(program: str, home: str | None = None) -> Entry:
    """A macOS LaunchAgent: loaded at login, kept alive if it is the service."""
    plist: dict[str, object] = {
        "Label": LABEL if program == "service" else LABEL.replace("service", "tray"),
        "ProgramArguments": command(program),
        "RunAtLoad": True,
        "KeepAlive": program == "service",
        "ProcessType": "Background" if program == "service" else "Interactive",
    }
    if home:
        plist["EnvironmentVariables"] = {"NDRGUARD_HOME": home}
    label = str(plist["Label"])
    path = Path.home() / "Library" / "LaunchAgents" / f"{label}.plist"
    return Entry(
        path,
        plistlib.dumps(plist),
        (["launchctl", "load", "-w", str(path)],),
        (["launchctl", "unload", "-w", str(path)],),
    )


def windows_startup(program: str, home: str | None = None) -> Entry:
    """A .cmd in the user's Startup folder that starts the program without a console window.

    The tray is a GUI script (no console of its own); the service is run through pythonw
    for the same reason. NDRGUARD_HOME is set for that one process by `set` first.
    """
    appdata = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    folder = appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
    words = command(program)
    if program == "service":
        exe = Path(sys.executable)
        pythonw = exe.with_name("pythonw.exe") if exe.name.lower() == "python.exe" else exe
        words = [str(pythonw), "-m", "ndrguard.service.cli.main", "run"]
    env = f'@set "NDRGUARD_HOME={home}"\r\n' if home else ""
    text = env + '@start "" ' + " ".join(f'"{w}"' for w in words) + "\r\n"
    return Entry(folder / f"ndrguard-{program}.cmd", text.encode())


def entries(program: str, home: str | None = None, platform: str = sys.platform) -> list[Entry]:
    """What autostart means for `program` ("service" or "tray") on `platform`."""
    if platform == "darwin":
        return [launch_agent(program, home)]
    if platform.startswith("win"):
        return [windows_startup(program, home)]
    return [systemd_unit(home)] if program == "service" else [xdg_tray_entry()]


def install_desktop_files(platform: str = sys.platform) -> list[str]:
    """Install the application entry and icon (Linux and other XDG desktops only)."""
    if platform == "darwin" or platform.startswith("win"):
        return []
    done = []
    for entry in desktop_files():
        entry.install()
        done.append(f"wrote {entry.path}")
    return done


def enable(program: str, home: str | None = None, tell_system: bool = True) -> list[str]:
    """Install the autostart files and have the system start them; what was done, in words.

    AutostartError when the system refuses: the file is then removed again, so that what is
    on disk never claims an autostart the system does not have.
    """
    done = install_desktop_files()
    for entry in entries(program, home):
        entry.install()
        done.append(f"wrote {entry.path}")
        if not tell_system:
            continue
        for cmd in entry.on_enable:
            refusal = _run(cmd)
            if refusal is not None:
                entry.remove()
                raise AutostartError(
                    f"{refusal}\nremoved {entry.path} again; ndrguard will not start at login. "
                    "(`--no-notify` only writes the file, for a system manager started later.)"
                )
            done.append(f"ran {shlex.join(cmd)}")
    return done


def disable(program: str, tell_system: bool = True) -> list[str]:
    """Stop and disable, then remove the file and any link the system made to it.

    AutostartError when the system refuses to stop it (the file is removed all the same,
    and the enabling link with it, so nothing starts it at the next login).
    """
    done: list[str] = []
    refusals: list[str] = []
    for entry in entries(program):
        if not entry.path.exists():
            continue
        if tell_system:
            for cmd in entry.on_disable:
                refusal = _run(cmd)
                if refusal is None:
                    done.append(f"ran {shlex.join(cmd)}")
                else:
                    refusals.append(refusal)
        if entry.remove():
            done.append(f"removed {entry.path}")
        done += _remove_links_to(entry.path)
    if refusals:
        raise AutostartError("\n".join([*done, *refusals]))
    return done or ["nothing to remove"]


def _remove_links_to(unit: Path) -> list[str]:
    """The `*.wants/` links systemd made to `unit` and did not remove (it was not asked, or
    not running): left behind they dangle, and systemd warns about them at every start."""
    removed = []
    for wants in unit.parent.glob("*.wants"):
        link = wants / unit.name  # not globbed: glob skips a link that dangles already
        if link.is_symlink():
            link.unlink()
            removed.append(f"removed {link}")
    return removed


def _run(cmd: list[str]) -> str | None:
    """Run a system command; None when it succeeded, else why it did not, in words."""
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"could not run {shlex.join(cmd)}: {err}"
    if result.returncode:
        why = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        return f"{shlex.join(cmd)} refused: {why}"
    return None
