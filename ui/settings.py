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

An IMAP account can sign in by OAuth 2 instead of a password (Gmail, Microsoft 365,
Outlook.com, Yahoo, AOL, or any provider with an issuer): the window stores the provider and
the client ID in the account's `oauth` table, and "Sign in" asks the service to run the
sign-in (docs/oauth.md), opening its page in the system browser.

Every field has a label with a mnemonic (Alt+letter) that is its buddy and its accessible
name; Ctrl+S saves, Ctrl+N starts a new account, Ctrl+T tests, Ctrl+W closes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
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

from ndrguard.service.api.protocol import ApiError, Policy
from ndrguard.ui import errors
from ndrguard.ui.link import ServiceLink

translate = QCoreApplication.translate  # by this name lupdate finds the strings


def policies() -> dict[str, str]:
    return {
        Policy.EVIDENCE.value: translate(
            "settings", "Keep bounces with proof, move forged and unproved ones (recommended)"
        ),
        Policy.BATV.value: translate(
            "settings", "Keep only bounces with a valid BATV tag or from my relay"
        ),
        Policy.BLOCK_ALL.value: translate(
            "settings", "Move every bounce away (quick relief; real ones too)"
        ),
        Policy.MONITOR.value: translate("settings", "Only report; move nothing"),
    }


def securities() -> dict[str, str]:
    return {
        "tls": translate("settings", "TLS (port 993)"),
        "starttls": translate("settings", "STARTTLS (port 143)"),
        "plain": translate("settings", "none (unsafe)"),
    }


def sign_ins() -> dict[str, str]:
    """How the account logs in: "" a password, else the OAuth provider's profile name."""
    return {
        "": translate("settings", "Password"),
        "google": translate("settings", "Sign in with Google (Gmail, Workspace)"),
        "microsoft": translate("settings", "Sign in with Microsoft (Outlook.com, Microsoft 365)"),
        "yahoo": translate("settings", "Sign in with Yahoo"),
        "aol": translate("settings", "Sign in with AOL"),
        "generic": translate("settings", "Sign in with another provider (OAuth 2 issuer)"),
    }


def first_run_text() -> str:
    return translate(
        "settings",
        "<b>Welcome to ndrguard.</b> Add the mail account whose inbox fills with bounces for "
        "mail you never sent. ndrguard moves those to a quarantine folder and keeps real "
        "bounces where they are. Nothing is ever deleted. For Gmail or Microsoft 365 choose "
        "<i>Sign in with…</i> and the client ID of your app registration (docs/oauth.md). To "
        "try it first, choose <i>Maildir</i> and the demo mailbox that "
        "<code>ndrguard demo --home DIR</code> writes.",
    )


SIGNIN_POLL_MS = 1000  # how often the window asks how a sign-in is going


_IDENTITY_LISTS = ("addresses", "relays", "dkim_domains")


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]


class SettingsWindow(QWidget):
    saved = Signal(dict)  # the accounts after a save
    tested = Signal(dict)  # the result of "Test"
    signin_done = Signal(str, dict)  # account, the sign-in's last status (signed-in, failed...)

    def __init__(
        self, link: ServiceLink, first_run: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.link = link
        self.accounts: list[dict[str, Any]] = []
        self.editing: str | None = None
        self.loaded: dict[str, Any] = {}  # the form as loaded: Save sends what differs
        self._oauth_loaded: dict[str, Any] = {}  # the account's oauth table as it was
        # How a sign-in's page reaches the browser (tests put an HTTP client here).
        self.open_url: Any = QDesktopServices.openUrl
        self._signing_in: str | None = None
        self._signin_timer = QTimer(self)
        self._signin_timer.setInterval(SIGNIN_POLL_MS)
        self._signin_timer.timeout.connect(self._poll_signin)
        self.setWindowTitle(self.tr("ndrguard — settings"))
        self.setAccessibleName(self.tr("ndrguard settings"))
        layout = QVBoxLayout(self)
        self.welcome = QLabel(first_run_text(), self)
        self.welcome.setWordWrap(True)
        self.welcome.setVisible(first_run)
        layout.addWidget(self.welcome)
        row = QHBoxLayout()
        self.list = QListWidget(self)
        self.list.setMaximumWidth(200)
        self.list.setAccessibleName(self.tr("Accounts"))
        self.list.currentRowChanged.connect(self._pick)
        row.addWidget(self.list)
        row.addLayout(self._form(), 1)
        layout.addLayout(row, 1)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(self.tr("&New account"), self)
        self.test_button = QPushButton(self.tr("&Test"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.save_button = QPushButton(self.tr("&Save"), self)
        for b in (self.new_button, self.test_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Result"))
        layout.addWidget(self.status)
        self.new_button.clicked.connect(self.new_account)
        self.test_button.clicked.connect(self.test)
        self.remove_button.clicked.connect(self.remove)
        self.save_button.clicked.connect(self.save)
        for keys, slot in ((QKeySequence.StandardKey.Save, self.save_button.click),
                           (QKeySequence.StandardKey.New, self.new_button.click),
                           (QKeySequence("Ctrl+T"), self.test_button.click),
                           (QKeySequence.StandardKey.Close, self.close)):  # fmt: skip
            QShortcut(QKeySequence(keys), self, slot)
        # Until the service has said what is configured, a save could overwrite what the user
        # is typing with an empty form (or the reverse): nothing can be saved before that.
        self.save_button.setEnabled(False)
        self.resize(820, 640)

    def _rows(self, form: QFormLayout, rows: list[tuple[str, QWidget | QHBoxLayout]]) -> None:
        """Each row's label is its field's buddy (Alt+letter) and accessible name."""
        for label, field in rows:
            text = QLabel(label, self)
            item = None if isinstance(field, QWidget) else field.itemAt(0)
            widget = field if isinstance(field, QWidget) else (item.widget() if item else None)
            if widget is not None:
                text.setBuddy(widget)
                widget.setAccessibleName(label.replace("&", ""))
            form.addRow(text, field)

    def _form(self) -> QVBoxLayout:
        box = QVBoxLayout()
        account = QGroupBox(self.tr("Account"), self)
        f = QFormLayout(account)
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        self.kind.addItems([self.tr("IMAP server"), self.tr("Maildir (local folder)")])
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.host, self.username, self.password = QLineEdit(self), QLineEdit(self), QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("stored in the system keyring"))
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(993)
        self.security = QComboBox(self)
        for key, words in securities().items():
            self.security.addItem(words, key)
        # Password or OAuth 2: the provider, its client ID, and a tenant / issuer.
        self.signin = QComboBox(self)
        for key, words in sign_ins().items():
            self.signin.addItem(words, key)
        self.signin.currentIndexChanged.connect(self._kind_changed)
        self.client_id = QLineEdit(self)
        self.client_id.setPlaceholderText(self.tr("from your app registration (docs/oauth.md)"))
        self.issuer = QLineEdit(self)
        self.issuer.setPlaceholderText(
            self.tr("Microsoft: your tenant (or blank: common); another provider: its issuer URL"))
        self.scope = QLineEdit(self)
        self.scope.setPlaceholderText(
            self.tr("another provider: the IMAP scope it documents (the others: known)"))
        self.client_secret = QLineEdit(self)
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.setPlaceholderText(
            self.tr("only if the registration has one (to the keyring)"))
        self.signin_button = QPushButton(self.tr("Si&gn in…"), self)
        self.signin_button.clicked.connect(self.sign_in)
        self.maildir = QLineEdit(self)
        self.ca_file = QLineEdit(self)
        self.ca_file.setPlaceholderText(
            self.tr("the system's CAs; or your company's / server's CA file"))
        self.ca_button = QPushButton(self.tr("C&hoose…"), self)
        self.ca_button.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_button)
        # A self-signed server: its certificate trusted by the SHA-256 digest the user saw.
        self.fingerprint = QLineEdit(self)
        self.fingerprint.setReadOnly(True)
        self.fingerprint.setPlaceholderText(
            self.tr("none: the certificate is checked against the CAs"))
        self.trust_button = QPushButton(self.tr("Trust this certifi&cate…"), self)
        self.trust_button.clicked.connect(self.trust_certificate)
        self.untrust_button = QPushButton(self.tr("&Forget"), self)
        self.untrust_button.clicked.connect(self.fingerprint.clear)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.fingerprint, 1)
        pin_row.addWidget(self.trust_button)
        pin_row.addWidget(self.untrust_button)
        signin_row = QHBoxLayout()
        signin_row.addWidget(self.client_id, 1)
        signin_row.addWidget(self.signin_button)
        self.trust_dialog: QMessageBox | None = None
        self._rows(f, [
            (self.tr("N&ame"), self.name),
            (self.tr("&Kind"), self.kind),
            (self.tr("Ser&ver"), self.host),
            (self.tr("&Port"), self.port),
            (self.tr("Securit&y"), self.security),
            (self.tr("&User"), self.username),
            (self.tr("Log in with"), self.signin),
            (self.tr("Pass&word"), self.password),
            (self.tr("Client I&D"), signin_row),
            (self.tr("Tenant / &issuer"), self.issuer),
            (self.tr("Scope"), self.scope),
            (self.tr("Client secret"), self.client_secret),
            (self.tr("CA certificate fi&le"), ca_row),
            (self.tr("Pinned certificate"), pin_row),
            (self.tr("&Maildir folder"), self.maildir),
        ])  # fmt: skip
        box.addWidget(account)
        rules = QGroupBox(self.tr("What to do, and what proves a bounce is yours"), self)
        g = QFormLayout(rules)
        self.policy = QComboBox(self)
        for key, words in policies().items():
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
        self.batv_secret.setPlaceholderText(self.tr("your relay's BATV secret (to the keyring)"))
        self._rows(g, [
            (self.tr("P&olicy"), self.policy),
            (self.tr("&Quarantine folder"), self.quarantine),
            (self.tr("My add&resses"), self.addresses),
            (self.tr("My relays"), self.relays),
            (self.tr("DKIM domains"), self.dkim),
            (self.tr("&BATV key number"), self.batv_number),
            (self.tr("BATV s&ecret"), self.batv_secret),
        ])  # fmt: skip
        box.addWidget(rules)
        self.capabilities = QLabel(self)
        self.capabilities.setWordWrap(True)
        self.capabilities.setAccessibleName(self.tr("Test result"))
        box.addWidget(self.capabilities)
        self._kind_changed()
        return box

    def _kind_changed(self) -> None:
        imap = self.kind.currentIndex() == 0
        for w in (self.host, self.port, self.security, self.username, self.signin,
                  self.ca_file, self.ca_button, self.fingerprint, self.trust_button,
                  self.untrust_button):  # fmt: skip
            w.setEnabled(imap)
        self.maildir.setEnabled(not imap)
        oauth = imap and bool(self.signin.currentData())
        self.password.setEnabled(imap and not oauth)
        for w in (self.client_id, self.issuer, self.client_secret):
            w.setEnabled(oauth)
        self.scope.setEnabled(oauth and self.signin.currentData() == "generic")
        # A sign-in is for an account the service has (saved): it runs in the service.
        self.signin_button.setEnabled(oauth and self.editing is not None)

    # -- loading ---------------------------------------------------------------------------

    def load(self) -> None:
        self.link.call("config_get", self._loaded)

    def _loaded(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.status.setText(self.tr("Cannot read the settings: {why}").format(
                why=error.message if error else ""))
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
        oauth = a.get("oauth") or {}
        self._oauth_loaded = dict(oauth)
        self.signin.setCurrentIndex(max(0, self.signin.findData(oauth.get("provider", ""))))
        self.client_id.setText(oauth.get("client_id", ""))
        self.issuer.setText(oauth.get("issuer") or oauth.get("tenant") or "")
        self.scope.setText(oauth.get("scope", ""))
        self.client_secret.clear()
        keys = (ident.get("batv") or {}).get("keys") or []
        self.batv_number.setValue(int(keys[0]["number"]) if keys else 0)
        self.batv_secret.clear()
        self.batv_secret.setPlaceholderText(
            self.tr("stored (keep it blank to leave it)") if keys
            else self.tr("your relay's BATV secret (to the keyring)")
        )  # fmt: skip
        self.loaded = self.form_values()
        self._kind_changed()

    def new_account(self) -> None:
        self.editing = None
        self.loaded = {}
        self._oauth_loaded = {}
        self.list.clearSelection()
        self.signin.setCurrentIndex(0)
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
            self.client_id,
            self.issuer,
            self.scope,
            self.client_secret,
        ):
            w.clear()
        self.quarantine.setText("Backscatter")
        self._kind_changed()
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
            oauth = self.oauth_table()
            values["oauth"] = oauth
            if oauth is None and not self._oauth_loaded:
                del values["oauth"]  # a password account: as loaded, nothing to compare
        return values

    def oauth_table(self) -> dict[str, Any] | None:
        """The account's `oauth` table as the form says: what it had (scope, endpoints, a CA
        the CLI set) with the provider, client ID and tenant or issuer the form shows."""
        provider = self.signin.currentData()
        if not provider:
            return None
        table = dict(self._oauth_loaded) if self._oauth_loaded.get("provider") == provider else {}
        table.update(provider=provider, client_id=self.client_id.text().strip())
        extra = self.issuer.text().strip()
        for key in ("tenant", "issuer"):
            table.pop(key, None)
        if provider == "microsoft" and extra:
            table["tenant"] = extra
        if provider == "generic" and self.scope.text().strip():
            table["scope"] = self.scope.text().strip()
        if provider == "generic" and extra:
            table["issuer"] = extra
            # The issuer's HTTPS is checked against the account's CA file when one is given
            # (an office's own CA); the big providers' endpoints against the system's CAs.
            if self.ca_file.text().strip() and "ca_file" not in table:
                table["ca_file"] = self.ca_file.text().strip()
        return table

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
            if "oauth" in changes and changes["oauth"] is None:
                changes["auth"] = None  # back to a password: the login is the default again
            args |= {"name": self.editing, "changes": changes}
            changed = {k: v for k, v in lists.items() if v != old_lists[k]}
            if changed:
                args["identity"] = {k: v or None for k, v in changed.items()}
        if self.batv_secret.text():
            args["batv_key"] = {"number": self.batv_number.value(),
                                "secret": self.batv_secret.text()}  # fmt: skip
        if self.password.text() and not self.signin.currentData():
            args["password"] = self.password.text()
        if self.client_secret.text() and self.signin.currentData():
            args["client_secret"] = self.client_secret.text()
        return args

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("The CA certificate that signed the server's certificate"),
            self.ca_file.text(), self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )  # fmt: skip
        if path:
            self.ca_file.setText(path)

    def trust_certificate(self) -> None:
        """Fetch the server's certificate and show its fingerprint; pinned only once the user
        has seen it and said yes (compare it with what the server's administrator says)."""
        self.capabilities.setText(self.tr("Fetching the server's certificate…"))
        self.link.call("peer_certificate", self._got_certificate, host=self.host.text().strip(),
                       port=self.port.value(), security=self.security.currentData())  # fmt: skip

    def _got_certificate(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.capabilities.setText(self.tr("No certificate: {why}").format(
                why=error.message if error else ""))
            return
        self.capabilities.setText("")
        host = f"{self.host.text().strip()}:{self.port.value()}"
        text = self.tr(
            "{host} shows a certificate with the SHA-256 fingerprint\n\n{sha256}\n\n"
            "Trust it only if this is the fingerprint the server's administrator gave you. "
            "ndrguard will then accept this certificate, and no other, for this account."
        ).format(host=host, sha256=result["sha256"])
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Trust this certificate?"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)  # fmt: skip
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda answer: self._trusted(answer, result["sha256"]))
        self.trust_dialog = box
        box.open()

    def _trusted(self, answer: int, fingerprint: str) -> None:
        if answer == QMessageBox.StandardButton.Yes:
            self.fingerprint.setText(fingerprint)
            self.capabilities.setText(self.tr("Pinned; press Test, then Save."))

    def test(self) -> None:
        self.capabilities.setText(self.tr("Testing…"))
        self.link.call("test_account", self._tested, **self.save_args())

    def _tested(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.capabilities.setText(self.tr("Test failed: {why}").format(
                why=error.message if error else ""))
            return
        text = ("✔ " if result["ok"] else "✘ ") + errors.words(result["message"])
        if result["capabilities"]:
            caps = set(result["capabilities"])
            yes, no = self.tr("yes"), self.tr("no")
            text += "<br>" + " · ".join(
                f"{c}: {yes if c in caps else no}"
                for c in ("IDLE", "MOVE", "UIDPLUS", "SPECIAL-USE")
            )
            text += "<br>" + self.tr("Sent folder: {folder}").format(
                folder=result["sent_folder"] or self.tr("not found"))
        self.capabilities.setText(text)
        self.tested.emit(result)

    def save(self) -> None:
        self.link.call("account_save", self._saved, **self.save_args())

    def remove(self) -> None:
        if self.editing:
            self.link.call("account_remove", self._saved, name=self.editing)

    def _saved(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.status.setText(self.tr("Not saved: {why}").format(
                why=error.message if error else ""))
            return
        self.status.setText(self.tr("Saved to {file}; the service uses it now.").format(
            file=result["config_file"]))
        name = self.name.text().strip()
        self.password.clear()
        self.batv_secret.clear()
        self.client_secret.clear()
        self._loaded(result, None)
        names = [a["name"] for a in self.accounts]
        if name in names:  # stay on the account just saved (its Sign in is now possible)
            self.list.setCurrentRow(names.index(name))
        self.saved.emit(result)

    # -- OAuth sign-in ---------------------------------------------------------------------

    def sign_in(self) -> None:
        """Ask the service to sign the saved account in: it answers with the page to open in
        the browser, then waits for the browser to come back; the window follows it."""
        if self.editing is None:
            return
        self._signing_in = self.editing
        self.capabilities.setText(self.tr("Starting the sign-in…"))
        self.link.call("signin", self._signin_started, account=self.editing)

    def _signin_started(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.capabilities.setText(self.tr("Cannot sign in: {why}").format(
                why=error.message if error else ""))
            self._signing_in = None
            return
        if result.get("url"):
            self.capabilities.setText(self.tr(
                "Sign in in the browser window that opened; ndrguard waits for it."))
            self.open_url(QUrl(str(result["url"])))
        elif result.get("user_code"):
            self.capabilities.setText(self.tr("Open {uri} and enter the code {code}").format(
                uri=result.get("verification_uri", ""), code=result["user_code"]))
        self._signin_timer.start()

    def _poll_signin(self) -> None:
        if self._signing_in is None:
            self._signin_timer.stop()
            return
        self.link.call("signin_status", self._signin_status, account=self._signing_in)

    def _signin_status(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None or result.get("state") == "waiting":
            return
        self._signin_timer.stop()
        account, self._signing_in = str(result.get("account")), None
        if result.get("state") == "signed-in":
            self.capabilities.setText(self.tr("✔ Signed in; the service is watching {account}.")
                                      .format(account=account))  # fmt: skip
        else:
            self.capabilities.setText(self.tr("✘ Not signed in: {why}").format(
                why=result.get("detail") or result.get("state")))
        self.signin_done.emit(account, result)

    def closeEvent(self, event: Any) -> None:
        self._signin_timer.stop()
        super().closeEvent(event)
