"""The tray app installs the desktop entry its notifications name, once, on Linux.

Stands for: a user who installed with pip and starts `ndrguard-tray`: the notifications'
desktop-entry hint (ndrguard-tray) must name an entry that exists, with its icon, or the
desktop shows them without the app's name and icon; an entry the user already has (or
edited) is left alone.
"""

from __future__ import annotations

import sys

import pytest

from ndrguard.ui import launcher
from ndrguard.ui.notify import DESKTOP_ENTRY

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG desktops")


def test_the_entry_the_hint_names_is_installed_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("NDRGUARD_HOME", str(tmp_path / "home"))
    entry = tmp_path / "applications" / f"{DESKTOP_ENTRY}.desktop"
    assert launcher.desktop_entry_path() == entry
    proc = launcher.ensure_desktop_entry()
    assert proc is not None and proc.wait(60) == 0
    text = entry.read_text()
    assert f"Icon={DESKTOP_ENTRY}\n" in text and "Exec=" in text
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{DESKTOP_ENTRY}.svg").exists()
    entry.write_text(text + "# the user's own line\n")
    assert launcher.ensure_desktop_entry() is None  # there already: never replaced
    assert entry.read_text().endswith("# the user's own line\n")
