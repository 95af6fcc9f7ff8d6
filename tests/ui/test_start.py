"""`ndrguard-tray`'s options that answer before Qt starts: --version, --install-desktop-entry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ndrguard import __version__

TRAY = Path(sys.executable).parent / "ndrguard-tray"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return {**env, "QT_QPA_PLATFORM": "", "XDG_DATA_HOME": str(tmp_path / "share")}


def test_version_answers_without_qt_or_a_display(tmp_path: Path) -> None:
    done = subprocess.run([str(TRAY), "--version"], capture_output=True, text=True,
                          env=_env(tmp_path), timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ndrguard-tray {__version__}\n"
    probe = ("import sys\nfrom ndrguard.ui.start import main\ntry:\n    main(['--version'])\n"
             "except SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if 'PySide' in m))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=_env(tmp_path), timeout=60)  # fmt: skip
    assert loaded.stdout.strip().endswith("[]"), f"--version imported Qt: {loaded.stdout}"


def test_install_desktop_entry_installs_what_the_notifications_name(tmp_path: Path) -> None:
    done = subprocess.run([str(TRAY), "--install-desktop-entry"], capture_output=True, text=True,
                          env=_env(tmp_path), timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    entry = tmp_path / "share/applications/ndrguard-tray.desktop"
    icon = tmp_path / "share/icons/hicolor/scalable/apps/ndrguard-tray.svg"
    assert done.stdout.splitlines() == [f"wrote {entry}", f"wrote {icon}"]
    text = entry.read_text()
    assert f"Exec={TRAY}\n" in text and "Icon=ndrguard-tray\n" in text
    assert icon.read_text().lstrip().startswith("<?xml")
