"""Settings and first run: accounts, what proves mail is yours, policy and quarantine folder.

Everything goes through the service (account_save, test_account): the window never writes the
config or the keyring itself, so a check the service would refuse cannot be saved behind its
back. An account that exists is edited in place: the window sends only the settings the user
changed, and the service changes those in the file and nothing else, so what the form does not
show (folders, sent, timeouts, key references, comments) survives a Save. Test sends the same
arguments as Save: what was tested is what is stored. Passwords and BATV secrets are sent
once, stored in the keyring by the service, and never shown again. With no account
configured the window opens by itself as a first run: it says what ndrguard needs and offers
the demo mailbox to try it on.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ndrguard.service.api.protocol import ApiError
from ndrguard.ui.link import ServiceLink

POLICIES = {
    "evidence": "Keep bounces with proof, move forged and unproved ones (recommended)",
    "batv": "Keep only bounces with a valid BATV tag or from my relay",
    "block-all": "Move every bounce away (quick relief; real ones too)",
    "monitor": "Only report; move nothing",
}
SECURITY = {"tls": "TLS (port 993)", "starttls": "STARTTLS (port 143)", "plain": "none (unsafe)"}
FIRST_RUN = (
    "<b>Welcome to ndrguard.</b> Add the mail account whose inbox fills with bounces for mail "
    "you never sent. ndrguard moves those to a quarantine folder and keeps real bounces where "
    "they are. Nothing is ever deleted. To try it first, choose <i>Maildir</i> and the demo "
    "mailbox that <code>ndrguard demo --home DIR</code> writes."
)


_IDENTITY_LISTS = ("addresses", "relays", "dkim_domains")


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]


class SettingsWindow(QWidget):
    saved = Signal(dict)  # the accounts after a save
    tested = Signal(dict)  # the result of "Test"

    def __init__(
        self, link: ServiceLink, first_run: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.link = link
        self.accounts: list[dict[str, Any]] = []
        self.editing: str | None = None
        self.loaded: dict[str, Any] = {}  # the form as loaded: Save sends what differs
        self.setWindowTitle("ndrguard — settings")
        layout = QVBoxLayout(self)
        self.welcome = QLabel(FIRST_RUN, self)
        self.welcome.setWordWrap(True)
        self.welcome.setVisible(first_run)
        layout.addWidget(self.welcome)
        row = QHBoxLayout()
        self.list = QListWidget(self)
        self.list.setMaximumWidth(200)
        self.list.currentRowChanged.connect(self._pick)
        row.addWidget(self.list)
        row.addLayout(self._form(), 1)
        layout.addLayout(row, 1)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("New account", self)
        self.test_button = QPushButton("Test", self)
        self.remove_button = QPushButton("Remove", self)
        self.save_button = QPushButton("Save", self)
        for b in (self.new_button, self.test_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.new_button.clicked.connect(self.new_account)
        self.test_button.clicked.connect(self.test)
        self.remove_button.clicked.connect(self.remove)
        self.save_button.clicked.connect(self.save)
        # Until the service has said what is configured, a save could overwrite what the user
        # is typing with an empty form (or the reverse): nothing can be saved before that.
        self.save_button.setEnabled(False)
        self.resize(820, 600)

    def _form(self) -> QVBoxLayout:
        box = QVBoxLayout()
        account = QGroupBox("Account", self)
        f = QFormLayout(account)
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        self.kind.addItems(["IMAP server", "Maildir (local folder)"])
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.host, self.username, self.password = QLineEdit(self), QLineEdit(self), QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("stored in the system keyring")
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(993)
        self.security = QComboBox(self)
        for key, words in SECURITY.items():
            self.security.addItem(words, key)
        self.maildir = QLineEdit(self)
        self.ca_file = QLineEdit(self)
        self.ca_file.setPlaceholderText("the system's CAs; or your company's / server's CA file")
        self.ca_button = QPushButton("Choose…", self)
        self.ca_button.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_button)
        # A self-signed server: its certificate trusted by the SHA-256 digest the user saw.
        self.fingerprint = QLineEdit(self)
        self.fingerprint.setReadOnly(True)
        self.fingerprint.setPlaceholderText("none: the certificate is checked against the CAs")
        self.trust_button = QPushButton("Trust this certificate…", self)
        self.trust_button.clicked.connect(self.trust_certificate)
        self.untrust_button = QPushButton("Forget", self)
        self.untrust_button.clicked.connect(self.fingerprint.clear)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.fingerprint, 1)
        pin_row.addWidget(self.trust_button)
        pin_row.addWidget(self.untrust_button)
        self.trust_dialog: QMessageBox | None = None
        for label, widget in (
            ("Name", self.name),
            ("Kind", self.kind),
            ("Server", self.host),
            ("Port", self.port),
            ("Security", self.security),
            ("User", self.username),
            ("Password", self.password),
        ):
            f.addRow(label, widget)
        f.addRow("CA certificate file", ca_row)
        f.addRow("Pinned certificate", pin_row)
        f.addRow("Maildir folder", self.maildir)
        box.addWidget(account)
        rules = QGroupBox("What to do, and what proves a bounce is yours", self)
        g = QFormLayout(rules)
        self.policy = QComboBox(self)
        for key, words in POLICIES.items():
            self.policy.addItem(words, key)
        self.quarantine = QLineEdit("Backscatter", self)
        self.addresses = QLineEdit(self)
        self.addresses.setPlaceholderText("you@example.org, other@example.org")
        self.relays = QLineEdit(self)
        self.relays.setPlaceholderText("mail.example.org, 192.0.2.0/24")
        self.dkim = QLineEdit(self)
        self.dkim.setPlaceholderText("example.org")
        self.batv_number = QSpinBox(self)
        self.batv_number.setRange(0, 9)
        self.batv_secret = QLineEdit(self)
        self.batv_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.batv_secret.setPlaceholderText("your relay's BATV secret (to the keyring)")
        for label, widget in (
            ("Policy", self.policy),
            ("Quarantine folder", self.quarantine),
            ("My addresses", self.addresses),
            ("My relays", self.relays),
            ("DKIM domains", self.dkim),
            ("BATV key number", self.batv_number),
            ("BATV secret", self.batv_secret),
        ):
            g.addRow(label, widget)
        box.addWidget(rules)
        self.capabilities = QLabel(self)
        self.capabilities.setWordWrap(True)
        box.addWidget(self.capabilities)
        self._kind_changed()
        return box

    def _kind_changed(self) -> None:
        imap = self.kind.currentIndex() == 0
        for w in (self.host, self.port, self.security, self.username, self.password,
                  self.ca_file, self.ca_button, self.fingerprint, self.trust_button,
                  self.untrust_button):  # fmt: skip
            w.setEnabled(imap)
        self.maildir.setEnabled(not imap)

    # -- loading ---------------------------------------------------------------------------

    def load(self) -> None:
        self.link.call("config_get", self._loaded)

    def _loaded(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.status.setText(f"Cannot read the settings: {error.message if error else ''}")
            return
        self.accounts = result["accounts"]
        self.save_button.setEnabled(True)
        self.list.clear()
        for a in self.accounts:
            self.list.addItem(a["name"])
        self.welcome.setVisible(self.welcome.isVisible() and not self.accounts)
        if self.accounts:
            self.list.setCurrentRow(0)
        else:
            self.new_account()

    def _pick(self, row: int) -> None:
        if not 0 <= row < len(self.accounts):
            return
        a = self.accounts[row]
        self.editing = a["name"]
        self.name.setText(a["name"])
        self.kind.setCurrentIndex(1 if a["maildir"] else 0)
        self.host.setText(a["host"])
        self.port.setValue(int(a["port"]))
        self.security.setCurrentIndex(max(0, self.security.findData(a["security"])))
        self.username.setText(a["username"])
        self.password.clear()
        self.maildir.setText(a["maildir"] or "")
        self.policy.setCurrentIndex(max(0, self.policy.findData(a["policy"])))
        self.quarantine.setText(a["quarantine"])
        ident = a.get("identity") or {}
        self.addresses.setText(", ".join(ident.get("addresses", [])))
        self.relays.setText(", ".join(ident.get("relays", [])))
        self.dkim.setText(", ".join(ident.get("dkim_domains", [])))
        self.ca_file.setText(a.get("ca_file") or "")
        self.fingerprint.setText(a.get("tls_fingerprint") or "")
        keys = (ident.get("batv") or {}).get("keys") or []
        self.batv_number.setValue(int(keys[0]["number"]) if keys else 0)
        self.batv_secret.clear()
        self.batv_secret.setPlaceholderText(
            "stored (keep it blank to leave it)" if keys
            else "your relay's BATV secret (to the keyring)"
        )  # fmt: skip
        self.loaded = self.form_values()

    def new_account(self) -> None:
        self.editing = None
        self.loaded = {}
        self.list.clearSelection()
        for w in (
            self.name,
            self.host,
            self.username,
            self.password,
            self.maildir,
            self.addresses,
            self.relays,
            self.dkim,
            self.batv_secret,
            self.ca_file,
            self.fingerprint,
        ):
            w.clear()
        self.quarantine.setText("Backscatter")
        self.name.setFocus()

    # -- acting ----------------------------------------------------------------------------

    def form_values(self) -> dict[str, Any]:
        """What the form says, as config keys (the account's) and identity keys (lists)."""
        values: dict[str, Any] = {
            "name": self.name.text().strip(),
            "quarantine": self.quarantine.text().strip(),
            "policy": self.policy.currentData(),
            "addresses": _split(self.addresses.text()),
            "relays": _split(self.relays.text()),
            "dkim_domains": _split(self.dkim.text()),
        }
        if self.kind.currentIndex() == 1:
            values["maildir"] = self.maildir.text().strip()
        else:
            values |= {
                "host": self.host.text().strip(),
                "port": self.port.value(),
                "security": self.security.currentData(),
                "username": self.username.text().strip(),
                "ca_file": self.ca_file.text().strip() or None,
                "tls_fingerprint": self.fingerprint.text().strip() or None,
            }
        return values

    def save_args(self) -> dict[str, Any]:
        """The arguments of account_save (and of Test, the same): a new account whole, an
        existing one as the settings the user changed; None removes a setting."""
        now = self.form_values()
        args: dict[str, Any] = {}
        lists = {k: now.pop(k) for k in _IDENTITY_LISTS}
        if self.editing is None:
            args["account"] = {k: v for k, v in now.items() if v not in (None, "")}
            if any(lists.values()):
                args["identity"] = lists
        else:
            before = dict(self.loaded)
            old_lists = {k: before.pop(k, []) for k in _IDENTITY_LISTS}
            changes = {k: v for k, v in now.items() if before.get(k) != v}
            # Switching IMAP <-> Maildir drops the other kind's settings.
            changes |= {k: None for k in before if k not in now and before[k] not in (None, "")}
            args |= {"name": self.editing, "changes": changes}
            changed = {k: v for k, v in lists.items() if v != old_lists[k]}
            if changed:
                args["identity"] = {k: v or None for k, v in changed.items()}
        if self.batv_secret.text():
            args["batv_key"] = {"number": self.batv_number.value(),
                                "secret": self.batv_secret.text()}  # fmt: skip
        if self.password.text():
            args["password"] = self.password.text()
        return args

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "The CA certificate that signed the server's certificate", self.ca_file.text(),
            "Certificates (*.pem *.crt *.cer);;All files (*)",
        )  # fmt: skip
        if path:
            self.ca_file.setText(path)

    def trust_certificate(self) -> None:
        """Fetch the server's certificate and show its fingerprint; pinned only once the user
        has seen it and said yes (compare it with what the server's administrator says)."""
        self.capabilities.setText("Fetching the server's certificate…")
        self.link.call("peer_certificate", self._got_certificate, host=self.host.text().strip(),
                       port=self.port.value(), security=self.security.currentData())  # fmt: skip

    def _got_certificate(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.capabilities.setText(f"No certificate: {error.message if error else ''}")
            return
        self.capabilities.setText("")
        host = f"{self.host.text().strip()}:{self.port.value()}"
        box = QMessageBox(QMessageBox.Icon.Question, "Trust this certificate?",
                          f"{host} shows a certificate with the SHA-256 fingerprint\n\n"
                          f"{result['sha256']}\n\nTrust it only if this is the fingerprint "
                          "the server's administrator gave you. ndrguard will then accept "
                          "this certificate, and no other, for this account.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)  # fmt: skip
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda answer: self._trusted(answer, result["sha256"]))
        self.trust_dialog = box
        box.open()

    def _trusted(self, answer: int, fingerprint: str) -> None:
        if answer == QMessageBox.StandardButton.Yes:
            self.fingerprint.setText(fingerprint)
            self.capabilities.setText("Pinned; press Test, then Save.")

    def test(self) -> None:
        self.capabilities.setText("Testing…")
        self.link.call("test_account", self._tested, **self.save_args())

    def _tested(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.capabilities.setText(f"Test failed: {error.message if error else ''}")
            return
        text = ("✔ " if result["ok"] else "✘ ") + result["message"]
        if result["capabilities"]:
            caps = set(result["capabilities"])
            text += "<br>" + " · ".join(
                f"{c}: {'yes' if c in caps else 'no'}"
                for c in ("IDLE", "MOVE", "UIDPLUS", "SPECIAL-USE")
            )
            text += f"<br>Sent folder: {result['sent_folder'] or 'not found'}"
        self.capabilities.setText(text)
        self.tested.emit(result)

    def save(self) -> None:
        self.link.call("account_save", self._saved, **self.save_args())

    def remove(self) -> None:
        if self.editing:
            self.link.call("account_remove", self._saved, name=self.editing)

    def _saved(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.status.setText(f"Not saved: {error.message if error else ''}")
            return
        self.status.setText(f"Saved to {result['config_file']}; the service uses it now.")
        self.password.clear()
        self.batv_secret.clear()
        self._loaded(result, None)
        self.saved.emit(result)
