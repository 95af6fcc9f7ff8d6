"""Notifications: one per burst, rate-limited, held in quiet hours, never lost; with actions.

Verdicts arrive in floods (hundreds a minute). The first one of a burst opens a window of
WINDOW seconds; everything that arrives in it goes into one notification. After one is shown
the next waits at least MIN_GAP. During quiet hours nothing pops up; what arrived is told in
one notification when they end. A real bounce of the user's own mail kept in the inbox is
not part of any burst: it is told at once, outside the window and the gap, by the subject of
the message that failed (quiet hours hold it too, and tell it when they end).

Where it shows: freedesktop notifications over D-Bus on Linux, with their action buttons
(Open summary, Review, Undo last move, Sign in again; they need no tray: GNOME has none);
the tray balloon when there is no notification server, and Qt's native balloon elsewhere
(Windows, macOS), where a click on the balloon does the note's default action. `invoked`
says which action the user chose, whichever way the note went out; `notified` is emitted for
every notification.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from ndrguard.service.api.protocol import Outcome
from ndrguard.ui.wording import DEFAULT, Note, burst_note, is_real_kept, real_bounce_note

log = logging.getLogger(__name__)

WINDOW = 10.0
MIN_GAP = 60.0
APP_NAME = "ndrguard"
DESKTOP_ENTRY = "ndrguard-tray"  # the .desktop file `ndrguard autostart desktop` installs
PATH = "/org/freedesktop/Notifications"
NAME = "org.freedesktop.Notifications"


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
        self._held: list[dict[str, Any]] = []  # real bounces kept back by quiet hours
        self._told: set[int] = set()  # real bounces told already (a verdict may come twice)

    @property
    def idle(self) -> bool:
        """Nothing waiting to be told (tests wait on this instead of sleeping)."""
        return not self._pending and not self._held and not self._timer.isActive()

    def add(self, items: list[dict[str, Any]]) -> None:
        """Verdicts from the service (new ones, or changed ones: the latest state counts)."""
        real = [i for i in items if is_real_kept(i) and int(i["id"]) not in self._told]
        for item in real:
            self._told.add(int(item["id"]))
            self._pending.pop(int(item["id"]), None)
            self._tell_real(item)
        fresh = [i for i in items
                 if i.get("verdict") != Outcome.NOT_A_BOUNCE and not is_real_kept(i)]  # fmt: skip
        if not fresh:
            return
        if not self._pending:
            self._first = self._clock()
        for item in fresh:
            self._pending[int(item["id"])] = item
        if not self._timer.isActive():
            gap_left = self._last_shown + self.min_gap - self._clock()
            self._timer.start(int(1000 * max(self.window, gap_left)))

    def _quiet_now(self) -> bool:
        if self.quiet is not None and self.quiet.active(datetime.now()):
            self._timer.start(int(1000 * self.quiet.seconds_left(datetime.now())) + 1000)
            return True
        return False

    def _tell_real(self, item: dict[str, Any]) -> None:
        """A real bounce: now, on its own (not counted against the burst's gap)."""
        if self._quiet_now():
            self._held.append(item)
            return
        self._emit(real_bounce_note(item))

    def _emit(self, note: Note) -> None:
        try:
            self._show(note)
        except Exception:  # a broken notification server must not take the tray down
            log.exception("showing a notification failed")
        self.notified.emit(note.title, note.body)

    def flush(self) -> None:
        """Tell what is pending now (the window's end), unless quiet hours hold it back."""
        if not self._pending and not self._held:
            return
        if self._quiet_now():
            return
        # Told now, so the timer that would have told it is stopped: left running (after an
        # early flush, with the gap's minute still to go) it held back the next burst, whose
        # add() found it active and started none of its own.
        self._timer.stop()
        held, self._held = self._held, []
        for item in held:
            self._emit(real_bounce_note(item))
        if not self._pending:
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
        self._emit(note)


class Notifications(QObject):
    """Shows a Note: freedesktop D-Bus first (Linux), then the tray balloon.

    `invoked(key, note)` when the user chose one of the note's actions: a button of the
    desktop notification, or a click on the balloon (the note's default action).
    """

    invoked = Signal(str, object)  # action key, the Note

    def __init__(self, tray: QSystemTrayIcon | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._balloon: Note | None = None  # the last note shown as a balloon: what a click means
        self._dbus = DesktopBus.open(self._on_action) if sys.platform.startswith("linux") else None
        self._shown: dict[int, Note] = {}  # notification id (the server's) -> note
        self._actions.connect(self._relay)
        if tray is not None:
            tray.messageClicked.connect(self._balloon_clicked)

    _actions = Signal(int, str)  # from the D-Bus thread: notification id, action key

    @property
    def way(self) -> str:
        if self._dbus is not None:
            return "desktop notifications (D-Bus)"
        if self._tray is not None and QSystemTrayIcon.isSystemTrayAvailable():
            return "tray balloon"
        return "none (no notification server, no tray)"

    def show(self, note: Note) -> None:
        if self._dbus is not None:
            nid = self._dbus.notify(note)
            if nid is not None:
                self._shown[nid] = note
                while len(self._shown) > 50:  # old ones cannot be acted on any more
                    del self._shown[next(iter(self._shown))]
                return
        if self._tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Warning
                if note.urgent
                else QSystemTrayIcon.MessageIcon.Information
            )
            self._balloon = note
            self._tray.showMessage(note.title, note.body, icon, 15000 if note.urgent else 8000)

    def note(self, nid: int) -> Note | None:
        """The note shown as desktop notification `nid` (while it can still be acted on)."""
        return self._shown.get(nid)

    def close(self) -> None:
        if self._dbus is not None:
            self._dbus.close()
            self._dbus = None

    def _on_action(self, nid: int, key: str) -> None:
        self._actions.emit(nid, key)  # queued onto the GUI thread

    def _relay(self, nid: int, key: str) -> None:
        note = self._shown.get(nid)
        if note is not None:
            self.invoked.emit(key, note)

    def _balloon_clicked(self) -> None:
        note = self._balloon
        if note is not None and note.default is not None:
            self.invoked.emit(DEFAULT, note)


class _Signals:
    """The queue jeepney's router puts matching signals in: handed straight on."""

    def __init__(self, handle: Callable[[Any], None]) -> None:
        self._handle = handle

    def put_nowait(self, msg: Any) -> None:
        try:
            self._handle(msg)
        except Exception:  # never let a bad signal end jeepney's receiver thread
            log.exception("a notification signal could not be handled")


def _router_class() -> Any:
    from jeepney.io.threading import DBusRouter

    class Router(DBusRouter):
        """jeepney's router, whose receiver thread ends quietly when the bus goes away (the
        session ending, a test's private bus stopped): no traceback on stderr, and sends
        fail from then on, so notes go to the tray balloon."""

        def _receiver(self) -> None:
            try:
                super()._receiver()
            except OSError as err:
                log.info("the session bus went away: %s", err)

    return Router


def _new_router(conn: Any) -> Any:
    return _router_class()(conn)


class DesktopBus:
    """freedesktop notifications with actions, over jeepney's threaded router.

    The calls go through jeepney (pure Python, already there as keyring's D-Bus library on
    Linux) rather than QtDBus: Notify's signature (susssasa{sv}i) wants a uint32 and typed
    arrays, which PySide6 cannot express; QtDBus sends int32 and a variant array, and
    notification servers refuse the message. The router's own thread receives the server's
    ActionInvoked signals; `on_action(id, key)` is called on that thread.
    """

    def __init__(self, router: Any, conn: Any, on_action: Callable[[int, str], None]) -> None:
        from jeepney import DBusAddress, MatchRule, message_bus

        self._router = router
        self._conn = conn
        self._address = DBusAddress(PATH, NAME, NAME)
        self._on_action = on_action
        self._lock = threading.Lock()
        self.actions_supported = False
        rule = MatchRule(type="signal", interface=NAME, member="ActionInvoked", path=PATH)
        router.send_and_get_reply(message_bus.AddMatch(rule), timeout=2)
        self._filter = router.filter(rule, queue=_Signals(self._signal))

    @classmethod
    def open(cls, on_action: Callable[[int, str], None]) -> DesktopBus | None:
        """None without a session bus or a notification server that answers."""
        try:
            from jeepney import new_method_call
            from jeepney.io.threading import open_dbus_connection
        except ImportError:
            return None
        try:
            conn = open_dbus_connection(bus="SESSION")
        except Exception:  # no bus (KeyError: no address), a bus that refuses us
            return None
        router = _new_router(conn)
        try:
            bus = cls(router, conn, on_action)
            reply = router.send_and_get_reply(
                new_method_call(bus._address, "GetCapabilities"), timeout=2)
            if reply.header.message_type.name != "method_return":
                raise OSError(f"GetCapabilities: {reply.body}")
            bus.actions_supported = "actions" in reply.body[0]
        except Exception:  # no server, a server that hangs
            router.close()
            conn.close()
            return None
        return bus

    def notify(self, note: Note) -> int | None:
        """Show `note`; the server's id for it, or None when the server failed us."""
        from jeepney import new_method_call

        actions: list[str] = []
        if self.actions_supported:
            for key, label in note.actions:
                actions += [key, label]
        hints = {"urgency": ("y", 2 if note.urgent else 1),
                 "desktop-entry": ("s", DESKTOP_ENTRY)}  # fmt: skip
        call = new_method_call(self._address, "Notify", "susssasa{sv}i", (
            APP_NAME, 0, DESKTOP_ENTRY, note.title, note.body, actions, hints, -1,
        ))  # fmt: skip
        try:
            reply = self._router.send_and_get_reply(call, timeout=2)
        except Exception as err:  # the bus or the server went away: the tray balloon instead
            log.warning("desktop notification failed: %s", err)
            return None
        if reply.header.message_type.name != "method_return":
            log.warning("desktop notification refused: %s", reply.body)
            return None
        return int(reply.body[0])

    def _signal(self, msg: Any) -> None:
        nid, key = msg.body
        self._on_action(int(nid), str(key))

    def close(self) -> None:
        with self._lock:
            self._filter.close()
            self._router.close()
            self._conn.close()

