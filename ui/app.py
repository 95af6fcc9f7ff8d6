"""`ndrguard-tray`: the tray app's entry point and the object that wires its parts together.

Start-up: connect to the service, start it (detached) if none answers, show the icon. Where
the desktop has no tray (GNOME without the AppIndicator extension) the summary window opens
instead and closing it quits; notifications still go out over D-Bus.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from ndrguard.service.api.client import Endpoint, endpoint_for
from ndrguard.service.api.protocol import ApiError
from ndrguard.ui import errors, launcher
from ndrguard.ui.link import ServiceLink
from ndrguard.ui.notify import BurstNotifier, Notifications, QuietHours
from ndrguard.ui.settings import SettingsWindow
from ndrguard.ui.summary import SummaryWindow
from ndrguard.ui.translations import install_translator
from ndrguard.ui.tray import Tray
from ndrguard.ui.wording import (
    DEFAULT,
    REVIEW,
    SIGNIN,
    SUMMARY,
    UNDO,
    Note,
    signin_note,
    undone_note,
)

log = logging.getLogger(__name__)

START_GRACE_MS = 1500  # how long to wait for a running service before starting one


class TrayApp(QObject):
    def __init__(
        self,
        endpoint: Endpoint,
        *,
        start_service: bool = True,
        window: float | None = None,
        quiet: QuietHours | None = None,
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.link = ServiceLink(endpoint, self)
        self.tray = Tray(self.link, self.open_summary, self.open_settings, self.quit, self)
        self.tray.start_action.triggered.connect(self.start_service)
        self.notifications = Notifications(self.tray.icon, self)
        self.notifications.invoked.connect(self.act)
        self.notifier = BurstNotifier(self.notifications.show, quiet=quiet, parent=self)
        self.tray.signin_wanted.connect(self._signin_wanted)
        self.tray.signin_told.connect(self._signin_told)
        self.tray.refused.connect(self._signin_told)
        if window is not None:
            self.notifier.window = window
        self.link.event.connect(self._on_event)
        self.link.connected.connect(self._first_run_check)
        self.has_tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.summary: SummaryWindow | None = None
        self.settings: SettingsWindow | None = None
        self._may_start = start_service
        self.service_process: Any = None
        self._quitting = False

    def start(self) -> None:
        self.link.start()
        self.tray.show()
        if not self.has_tray:
            self.open_summary()
            assert self.summary is not None
            self.summary.closed.connect(self.quit)
        if self._may_start:
            QTimer.singleShot(START_GRACE_MS, self._start_if_missing)

    def _start_if_missing(self) -> None:
        if not self.link.is_connected:
            self.start_service()

    def start_service(self) -> None:
        log.info("no ndrguard service answers; starting one")
        self.service_process = launcher.start_service()

    def _on_event(self, name: str, data: dict[str, Any]) -> None:
        if name == "verdicts":
            self.notifier.add(data.get("items", []))

    # -- what the notifications offer ------------------------------------------------------

    def act(self, key: str, note: Note) -> None:
        """Do what the user chose in a notification (its button, or a click on it)."""
        if key == DEFAULT:
            key = SIGNIN if note.account else SUMMARY
        if key == SIGNIN and note.account:
            self.tray.start_signin(note.account)
        elif key == UNDO and note.moved:
            self.link.call("restore", self._undone, ids=list(note.moved))
        else:
            self.open_summary()
            if key == REVIEW and note.review and self.summary is not None:
                select = getattr(self.summary, "select_ids", None)
                if select is not None:
                    select(list(note.review))

    def _undone(self, result: Any, error: ApiError | None) -> None:
        if error is not None or not isinstance(result, dict):
            words = errors.shown(error) if error else self.tr("no answer")
            self.notifications.show(Note(self.tr("ndrguard: not undone"), words, urgent=True))
            return
        self.notifications.show(undone_note(len(result.get("restored", [])),
                                            len(result.get("failed", {}))))  # fmt: skip

    def _signin_wanted(self, account: str) -> None:
        self.notifications.show(signin_note(account))

    def _signin_told(self, account: str, words: str) -> None:
        self.notifications.show(Note(account, words, urgent=False))

    def _first_run_check(self, snapshot: dict[str, Any]) -> None:
        if not snapshot.get("accounts") and self.settings is None:
            self.open_settings(first_run=True)

    def open_summary(self) -> None:
        if self.summary is None:
            self.summary = SummaryWindow(self.link)
        self.summary.show()
        self.summary.raise_()
        self.summary.refresh()

    def open_settings(self, first_run: bool = False) -> None:
        if self.settings is None:
            self.settings = SettingsWindow(self.link, first_run=first_run)
        self.settings.show()
        self.settings.raise_()
        self.settings.load()

    def shutdown(self) -> None:
        """Tear down in the order Qt needs: windows first (they call the link), then the
        link's threads (joined, so none emits into a freed object), then the tray icon before
        its menu (an icon pointing at a deleted menu is a crash at exit)."""
        if self._quitting:
            return
        self._quitting = True
        for window in (self.summary, self.settings):
            if window is not None:
                window.close()
                window.deleteLater()
        self.summary = self.settings = None
        self.tray.close_dialog()
        self.link.stop()
        self.notifications.close()
        self.tray.close()

    def quit(self) -> None:
        self.shutdown()
        QApplication.quit()


def _quiet(text: str | None) -> QuietHours | None:
    if not text:
        return None
    start, _, end = text.partition("-")
    return QuietHours(int(start), int(end))


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m ndrguard.ui.app`: as `ndrguard-tray` (ui/start.py reads the options)."""
    from ndrguard.ui.start import parse

    return run(parse(argv))


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = QApplication(sys.argv[:1])
    app.setApplicationName("ndrguard")
    app.setQuitOnLastWindowClosed(False)
    install_translator(app)
    tray = TrayApp(
        endpoint_for(args.config),
        start_service=not args.no_start_service,
        quiet=_quiet(args.quiet_hours),
    )
    tray.start()
    installer = launcher.ensure_desktop_entry()
    code = app.exec()
    if installer is not None:
        installer.wait(10)
    return code


if __name__ == "__main__":
    sys.exit(main())
