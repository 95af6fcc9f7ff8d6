"""The tray icon and its menu, following the service's state.

The icon's state comes from the service's status snapshot (state.py): watching, paused,
attention, or disconnected the moment the subscription breaks. The menu: a status line, one
"Sign in again" per account whose OAuth grant is gone (and one "with a code": the device
grant, whose address and code a small window shows, device_signin.py), open summary,
pause/resume (and pause for an hour or until tomorrow morning), scan now, settings, quit.
Actions are QActions so that tests (and keyboard users, through the mnemonics) trigger the
same code the menu does.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ndrguard.service.api.protocol import ApiError
from ndrguard.ui import errors
from ndrguard.ui.device_signin import DeviceSigninDialog
from ndrguard.ui.icons import icon_for
from ndrguard.ui.link import ServiceLink
from ndrguard.ui.state import (
    TrayState,
    needs_user,
    review_text,
    signin_needed,
    status_line,
    to_review,
    tray_state,
)

MORNING = 8  # "until tomorrow" ends at this hour of the next day, local time


def tomorrow_morning(now: datetime | None = None) -> datetime:
    day = (now or datetime.now()) + timedelta(days=1)
    return day.replace(hour=MORNING, minute=0, second=0, microsecond=0)


class Tray(QObject):
    state_changed = Signal(str)
    # An account's grant is gone (it entered "signin-needed"): the app tells the user, with
    # an action that starts the sign-in.
    signin_wanted = Signal(str)
    # A sign-in ended or could not start: account, words for the user.
    signin_told = Signal(str, str)
    # A menu action the service refused: title, words (told as a notification, which reaches
    # the user on desktops without a tray too, unlike the tray's own balloon).
    refused = Signal(str, str)

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
        self.menu.setAccessibleName(self.tr("ndrguard menu"))
        # The status line is clickable: it opens where the user can act on what it says.
        self.status_action = self._add(self.tr("Connecting to the ndrguard service…"),
                                       self.status_clicked)  # fmt: skip
        self.review_action = self._add("", open_summary)
        self.review_action.setVisible(False)
        self._signin_anchor = self.menu.addSeparator()
        self.signin_actions: dict[str, QAction] = {}
        self.code_actions: dict[str, QAction] = {}  # the same sign-in, with a code
        self.device_dialog: DeviceSigninDialog | None = None
        self.summary_action = self._add(self.tr("&Open summary…"), open_summary)
        self.pause_action = self._add(self.tr("&Pause"), self.toggle_pause)
        self.pause_hour_action = self._add(self.tr("Pause for one &hour"), self.pause_for_hour)
        self.pause_tomorrow_action = self._add(
            self.tr("Pause until &tomorrow morning"), self.pause_until_tomorrow
        )
        self.scan_action = self._add(self.tr("S&can now"), self.scan_now)
        self.settings_action = self._add(self.tr("&Settings…"), open_settings)
        self.start_action = self.menu.addAction(self.tr("Start the ser&vice"))
        self.menu.addSeparator()
        self.quit_action = self._add(self.tr("&Quit"), quit_app)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._open_summary = open_summary
        self._open_settings = open_settings
        # How a sign-in's page reaches the browser (tests put an HTTP client here).
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._signin_told: set[str] = set()  # accounts whose "sign in again" was told
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

    def close_dialog(self) -> None:
        """Close the device sign-in window, if one is open (before the link stops)."""
        if self.device_dialog is not None:
            self.device_dialog.close()
            self.device_dialog.deleteLater()
            self.device_dialog = None

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
        self.icon.setToolTip(self.tr("ndrguard: {line}").format(line=line))
        up = self.snapshot is not None
        paused = bool(up and self.snapshot.get("paused"))  # type: ignore[union-attr]
        for action in (self.pause_action, self.scan_action):
            action.setEnabled(up)
        for action in (self.pause_hour_action, self.pause_tomorrow_action):
            action.setVisible(up and not paused)
        self.start_action.setVisible(not up)
        review = to_review(self.snapshot)
        self.review_action.setVisible(up and review > 0)
        self.review_action.setText(review_text(review))
        self.pause_action.setText(self.tr("&Resume") if paused else self.tr("&Pause"))
        self._render_signins()
        if state is not self.state or self.icon.icon().isNull():
            self.state = state
            self.icon.setIcon(icon_for(state))
            self.state_changed.emit(str(state))

    def _render_signins(self) -> None:
        """One "Sign in again to NAME…" per account whose grant is gone; each is told once
        when it goes (signin_wanted), again only after it came back and went again."""
        wanted = signin_needed(self.snapshot) if self.snapshot is not None else []
        for name in list(self.signin_actions):
            if name not in wanted:
                self.menu.removeAction(self.signin_actions.pop(name))
                self.menu.removeAction(self.code_actions.pop(name))
        for name in wanted:
            if name not in self.signin_actions:
                action = QAction(self.tr("Sign in again to {account}…").format(account=name),
                                 self.menu)  # fmt: skip
                action.triggered.connect(functools.partial(self.start_signin, name))
                self.menu.insertAction(self._signin_anchor, action)
                self.signin_actions[name] = action
                code = QAction(self.tr("Sign in to {account} with a code…").format(account=name),
                               self.menu)  # fmt: skip
                code.triggered.connect(functools.partial(self.start_signin, name, True))
                self.menu.insertAction(self._signin_anchor, code)
                self.code_actions[name] = code
            if name not in self._signin_told:
                self._signin_told.add(name)
                self.signin_wanted.emit(name)
        if self.snapshot is not None:
            self._signin_told &= set(wanted)

    # -- actions ---------------------------------------------------------------------------

    def status_clicked(self) -> None:
        """Open the place to act on what the status line says: the sign-in for an account
        whose grant is gone, Settings for another fault the user must fix (or no account
        yet), the service for a lost connection, else the summary."""
        if self.snapshot is None:
            self.start_action.trigger()
        elif signin_needed(self.snapshot) and not self.snapshot.get("config_error"):
            self.start_signin(signin_needed(self.snapshot)[0])
        elif (self.snapshot.get("config_error") or needs_user(self.snapshot)
              or not self.snapshot.get("accounts")):  # fmt: skip
            self._open_settings()
        else:
            self._open_summary()

    def toggle_pause(self) -> None:
        op = "resume" if self.snapshot and self.snapshot.get("paused") else "pause"
        self.link.call(op, self._answered)

    def pause_for_hour(self) -> None:
        self.link.call("pause", self._answered, until=time.time() + 3600)

    def pause_until_tomorrow(self) -> None:
        self.link.call("pause", self._answered, until=tomorrow_morning().timestamp())

    def scan_now(self) -> None:
        self.link.call("scan", self._answered)

    def start_signin(self, account: str, device: bool = False) -> None:
        """Ask the service to sign `account` in; it answers with the page to open in the
        browser (or, with `device`, the code to type at an address), then finishes by itself."""
        self.link.call("signin", functools.partial(self._signin_started, account),
                       account=account, device=device)  # fmt: skip

    def _signin_started(self, account: str, result: Any, error: ApiError | None) -> None:
        if error is not None or not isinstance(result, dict):
            words = errors.shown(error) if error else self.tr("no answer")
            self.signin_told.emit(account, self.tr("Cannot sign in: {why}").format(why=words))
            return
        if result.get("url"):
            self.open_url(QUrl(str(result["url"])))
        elif result.get("user_code"):
            self.close_dialog()  # a sign-in started again replaces the one before
            self.device_dialog = DeviceSigninDialog(self.link, result)
            self.device_dialog.show()
            self.device_dialog.raise_()

    def _answered(self, result: Any, error: ApiError | None) -> None:
        if error is not None:
            self.refused.emit(errors.title(error.title), error.message)
        elif isinstance(result, dict) and "accounts" in result:
            self._on_snapshot(result)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self._open_summary()
