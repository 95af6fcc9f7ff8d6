"""The device sign-in (RFC 8628) in a small window: the address to open, the code to type.

A device grant is for a machine whose browser cannot be used for the sign-in (a server, a
locked-down desktop, a provider that wants it): the user opens the provider's page on any
device and types a short code there. The service runs the grant (the API's `signin` with
`device`) and answers with the code at once; this window shows the address and the code, each
with a Copy button, and follows `signin_status` until the service says how it ended. Closing
it while the service still waits cancels the sign-in, so no grant is left pending unseen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ndrguard.service.api.protocol import ApiError
from ndrguard.ui import errors
from ndrguard.ui.link import ServiceLink

POLL_MS = 1000  # how often the window asks how the sign-in is going


class DeviceSigninDialog(QDialog):
    signin_done = Signal(str, dict)  # account, the sign-in's last status (signed-in, failed...)

    def __init__(
        self,
        link: ServiceLink,
        started: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        """`started` is the API's answer to `signin` with `device`: account, user_code,
        verification_uri (and verification_uri_complete, when the provider gives one)."""
        super().__init__(parent)
        self.link = link
        self.account = str(started["account"])
        self.code = str(started["user_code"])
        self.uri = str(started["verification_uri"])
        self.waiting = True
        # How the address reaches the browser (tests put an HTTP client here).
        self.open_url: Any = QDesktopServices.openUrl
        self._complete = str(started.get("verification_uri_complete") or self.uri)
        self.setWindowTitle(self.tr("ndrguard — sign in to {account}").format(
            account=self.account))  # fmt: skip
        self.setAccessibleName(self.tr("Sign in with a code"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "To let ndrguard read {account}, open this address in a browser, on this or any "
                "other device, and enter the code there."
            ).format(account=self.account),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.address = QLineEdit(self.uri, self)
        self.address.setReadOnly(True)
        self.address.setAccessibleName(self.tr("The address to open"))
        self.copy_address = QPushButton(self.tr("Copy &address"), self)
        self.copy_address.clicked.connect(lambda: self._copy(self.uri))
        self.open_button = QPushButton(self.tr("&Open in the browser"), self)
        self.open_button.clicked.connect(lambda: self.open_url(QUrl(self._complete)))
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.copy_address)
        row.addWidget(self.open_button)
        layout.addLayout(row)

        self.code_label = QLabel(self.code, self)
        font = QFont(self.code_label.font())
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2)
        self.code_label.setFont(font)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAccessibleName(self.tr("The code to enter"))
        self.copy_code = QPushButton(self.tr("&Copy code"), self)
        self.copy_code.clicked.connect(lambda: self._copy(self.code))
        row = QHBoxLayout()
        row.addWidget(self.code_label, 1)
        row.addWidget(self.copy_code)
        layout.addLayout(row)

        self.status = QLabel(self.tr("Waiting for you to sign in…"), self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("How the sign-in is going"))
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _copy(self, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)

    def _poll(self) -> None:
        self.link.call("signin_status", self._answered, account=self.account)

    def _answered(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if not self.waiting:
            return
        if error is not None:
            # Told, and asked again: the service may be busy or restarting.
            self.status.setText(self.tr("Cannot ask how the sign-in is going: {why}").format(
                why=errors.shown(error)))  # fmt: skip
            return
        if result is None or result.get("state") == "waiting":
            return
        self._finish(result)

    def _finish(self, result: dict[str, Any]) -> None:
        self.waiting = False
        self._timer.stop()
        if result.get("state") == "signed-in":
            self.status.setText(self.tr("✔ Signed in; the service is watching {account}.")
                                .format(account=self.account))  # fmt: skip
        else:
            why = result.get("detail") or result.get("state") or ""
            self.status.setText(self.tr("✘ Not signed in: {why}").format(why=why))
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.copy_code.setEnabled(False)
        self.open_button.setEnabled(False)
        self.signin_done.emit(self.account, result)

    def reject(self) -> None:
        """Cancel (or the window's close button) while the service waits for the code ends
        that sign-in; once it ended, it only closes."""
        if self.waiting:
            self.waiting = False
            self._timer.stop()
            self.link.call("signin_cancel", None, account=self.account)
        super().reject()

    def closeEvent(self, event: Any) -> None:
        self._timer.stop()
        super().closeEvent(event)
