"""Notifications: one per burst, rate-limited, held in quiet hours, never lost.

Verdicts arrive in floods (hundreds a minute). The first one of a burst opens a window of
WINDOW seconds; everything that arrives in it goes into one notification. After one is shown
the next waits at least MIN_GAP. During quiet hours nothing pops up; what arrived is told in
one notification when they end, real bounces included, so a real bounce is always told.

Where it shows: freedesktop notifications over D-Bus on Linux (they need no tray: GNOME has
none), the tray balloon when there is no notification server, Qt's native balloon elsewhere
(Windows, macOS). `notified` is emitted for every notification whichever way it went out.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from ndrguard.ui.wording import Note, burst_note

log = logging.getLogger(__name__)

WINDOW = 10.0
MIN_GAP = 60.0
APP_NAME = "ndrguard"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From `start` to `end` hour (local time, end exclusive; may wrap past midnight)."""

    start: int
    end: int

    def active(self, now: datetime) -> bool:
        h = now.hour
        return (
            self.start <= h < self.end
            if self.start <= self.end
            else (h >= self.start or h < self.end)
        )

    def seconds_left(self, now: datetime) -> float:
        end = now.replace(hour=self.end, minute=0, second=0, microsecond=0)
        delta = (end - now).total_seconds()
        return delta if delta > 0 else delta + 86400


class BurstNotifier(QObject):
    notified = Signal(str, str)  # title, body

    def __init__(
        self,
        show: Callable[[Note], None],
        window: float = WINDOW,
        min_gap: float = MIN_GAP,
        quiet: QuietHours | None = None,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._show = show
        self.window = window
        self.min_gap = min_gap
        self.quiet = quiet
        self._clock = clock
        self._pending: dict[int, dict[str, Any]] = {}  # verdict id -> latest item
        self._first = 0.0
        self._last_shown = -1e18
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)

    @property
    def idle(self) -> bool:
        """Nothing waiting to be told (tests wait on this instead of sleeping)."""
        return not self._pending and not self._timer.isActive()

    def add(self, items: list[dict[str, Any]]) -> None:
        """Verdicts from the service (new ones, or changed ones: the latest state counts)."""
        fresh = [i for i in items if i.get("verdict") != "not-a-bounce"]
        if not fresh:
            return
        if not self._pending:
            self._first = self._clock()
        for item in fresh:
            self._pending[int(item["id"])] = item
        if not self._timer.isActive():
            gap_left = self._last_shown + self.min_gap - self._clock()
            self._timer.start(int(1000 * max(self.window, gap_left)))

    def flush(self) -> None:
        """Tell what is pending now (the window's end), unless quiet hours hold it back."""
        if not self._pending:
            return
        if self.quiet is not None and self.quiet.active(datetime.now()):
            self._timer.start(int(1000 * self.quiet.seconds_left(datetime.now())) + 1000)
            return
        items = list(self._pending.values())
        minutes = (self._clock() - self._first) / 60
        folders = Counter(str(i["quarantine_folder"]) for i in items if i.get("quarantine_folder"))
        folder = folders.most_common(1)[0][0] if folders else "quarantine"
        self._pending.clear()
        note = burst_note(items, minutes, folder)
        if note is None:
            return
        self._last_shown = self._clock()
        try:
            self._show(note)
        except Exception:  # a broken notification server must not take the tray down
            log.exception("showing a notification failed")
        self.notified.emit(note.title, note.body)


class Notifications:
    """Shows a Note: freedesktop D-Bus first (Linux), then the tray balloon."""

    def __init__(self, tray: QSystemTrayIcon | None) -> None:
        self._tray = tray
        self._dbus = desktop_bus() if sys.platform.startswith("linux") else None

    @property
    def way(self) -> str:
        if self._dbus is not None:
            return "desktop notifications (D-Bus)"
        if self._tray is not None and QSystemTrayIcon.isSystemTrayAvailable():
            return "tray balloon"
        return "none (no notification server, no tray)"

    def show(self, note: Note) -> None:
        if self._dbus is not None and self._dbus(note):
            return
        if self._tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Warning
                if note.urgent
                else QSystemTrayIcon.MessageIcon.Information
            )
            self._tray.showMessage(note.title, note.body, icon, 15000 if note.urgent else 8000)


def desktop_bus() -> Callable[[Note], bool] | None:
    """A sender of freedesktop notifications, or None without a session bus or server.

    The call goes through jeepney (pure Python, already there as keyring's D-Bus library on
    Linux) rather than QtDBus: Notify's signature (susssasa{sv}i) wants a uint32 and a typed
    empty string array, which PySide6 cannot express; QtDBus sends int32 and a variant array,
    and notification servers refuse the message.
    """
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return None
    address = DBusAddress("/org/freedesktop/Notifications", "org.freedesktop.Notifications",
                          "org.freedesktop.Notifications")  # fmt: skip
    try:
        conn = open_dbus_connection(bus="SESSION")
        conn.send_and_get_reply(new_method_call(address, "GetServerInformation"), timeout=2)
    except Exception:  # no bus (KeyError: no address), no server, a server that hangs
        return None

    def send(note: Note) -> bool:
        hints = {"urgency": ("y", 2 if note.urgent else 1), "desktop-entry": ("s", "ndrguard")}
        call = new_method_call(address, "Notify", "susssasa{sv}i", (
            APP_NAME, 0, "mail-mark-junk", note.title, note.body, [], hints, -1,
        ))  # fmt: skip
        try:
            conn.send_and_get_reply(call, timeout=2)
        except Exception as err:  # the bus or the server went away: the tray balloon instead
            log.warning("desktop notification failed: %s", err)
            return False
        return True

    return send
