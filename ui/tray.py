"""The tray icon and its menu, following the service's state.

The icon's state comes from the service's status snapshot (state.py): watching, paused,
attention, or disconnected the moment the subscription breaks. The menu: a status line, open
summary, pause/resume, scan now, settings, quit. Actions are QActions so that tests (and
keyboard users) trigger the same code the menu does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ndrguard.service.api.protocol import ApiError
from ndrguard.ui.icons import icon_for
from ndrguard.ui.link import ServiceLink
from ndrguard.ui.state import TrayState, needs_user, plural, status_line, to_review, tray_state


class Tray(QObject):
    state_changed = Signal(str)

    def __init__(
        self,
        link: ServiceLink,
        open_summary: Callable[[], None],
        open_settings: Callable[[], None],
        quit_app: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.link = link
        self.snapshot: dict[str, Any] | None = None
        self.state = TrayState.DISCONNECTED
        self.icon = QSystemTrayIcon(parent)
        self.menu = QMenu()
        # The status line is clickable: it opens where the user can act on what it says.
        self.status_action = self._add("Connecting to the ndrguard service…", self.status_clicked)
        self.review_action = self._add("", open_summary)
        self.review_action.setVisible(False)
        self.menu.addSeparator()
        self.summary_action = self._add("Open summary…", open_summary)
        self.pause_action = self._add("Pause", self.toggle_pause)
        self.scan_action = self._add("Scan now", self.scan_now)
        self.settings_action = self._add("Settings…", open_settings)
        self.start_action = self.menu.addAction("Start the service")
        self.menu.addSeparator()
        self.quit_action = self._add("Quit", quit_app)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._open_summary = open_summary
        self._open_settings = open_settings
        link.connected.connect(self._on_snapshot)
        link.disconnected.connect(self._on_disconnected)
        link.event.connect(self._on_event)
        self._render("")

    def _add(self, text: str, slot: Callable[[], None]) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(slot)
        return action

    def show(self) -> None:
        self.icon.show()

    def close(self) -> None:
        """Hide the icon and let go of the menu, icon first: see TrayApp.shutdown."""
        self.icon.hide()
        self.icon.setContextMenu(None)  # type: ignore[arg-type]
        self.menu.deleteLater()

    # -- following the service -------------------------------------------------------------

    def _on_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.snapshot = snapshot
        self._render("")

    def _on_event(self, name: str, data: dict[str, Any]) -> None:
        if name == "status":
            self._on_snapshot(data)

    def _on_disconnected(self, reason: str) -> None:
        self.snapshot = None
        self._render(reason)

    def _render(self, reason: str) -> None:
        state = tray_state(self.snapshot)
        line = status_line(self.snapshot, reason)
        self.status_action.setText(line)
        self.icon.setToolTip(f"ndrguard: {line}")
        up = self.snapshot is not None
        for action in (self.pause_action, self.scan_action):
            action.setEnabled(up)
        self.start_action.setVisible(not up)
        review = to_review(self.snapshot)
        self.review_action.setVisible(up and review > 0)
        self.review_action.setText(f"{plural(review, 'bounce')} to review…")
        self.pause_action.setText("Resume" if up and self.snapshot.get("paused") else "Pause")  # type: ignore[union-attr]
        if state is not self.state or self.icon.icon().isNull():
            self.state = state
            self.icon.setIcon(icon_for(state))
            self.state_changed.emit(str(state))

    # -- actions ---------------------------------------------------------------------------

    def status_clicked(self) -> None:
        """Open the place to act on what the status line says: Settings for a fault the user
        must fix (or no account yet), the service for a lost connection, else the summary."""
        if self.snapshot is None:
            self.start_action.trigger()
        elif (self.snapshot.get("config_error") or needs_user(self.snapshot)
              or not self.snapshot.get("accounts")):  # fmt: skip
            self._open_settings()
        else:
            self._open_summary()

    def toggle_pause(self) -> None:
        op = "resume" if self.snapshot and self.snapshot.get("paused") else "pause"
        self.link.call(op, self._answered)

    def scan_now(self) -> None:
        self.link.call("scan", self._answered)

    def _answered(self, result: Any, error: ApiError | None) -> None:
        if error is not None:
            self.icon.showMessage("ndrguard", f"{error.title}: {error.message}")
        elif isinstance(result, dict) and "accounts" in result:
            self._on_snapshot(result)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self._open_summary()
