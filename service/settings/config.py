"""The service's settings: one TOML file, its accounts, and where config, state and logs live.

Paths: the platform's config, data and log dirs (platformdirs), or all three in one folder when
NDRGUARD_HOME is set (portable use and tests); `--config FILE` names the file itself. Every
value is checked on load, with a message that names the setting, because a typo in a daemon's
config otherwise shows up days later as mail that was not moved. Secrets are never read from
this file: passwords and tokens live in the keyring (see secrets.py).
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from ndrguard.errors import NdrguardError
from ndrguard.service.oauth.providers import OAuthSettings, settings_from
from ndrguard.service.settings import config_checks as checks
from ndrguard.vocabulary import Policy

APP = "ndrguard"
SECURITIES = ("tls", "starttls", "plain")
POLICIES = tuple(p.value for p in Policy)
AUTHS = ("login", "xoauth2", "oauthbearer")
OAUTH_AUTHS = ("xoauth2", "oauthbearer")
_ACCOUNT_KEYS = {
    "name", "host", "port", "security", "username", "ca_file", "auth", "quarantine", "policy",
    "identity", "folders", "sent", "maildir", "poll_seconds", "timeout_seconds", "oauth",
    "allow_plain_over_network", "tls_fingerprint",
}  # fmt: skip
_TOP_KEYS = frozenset({"accounts"})
_DEFAULT_PORTS = {"tls": 993, "starttls": 143, "plain": 143}


class ConfigError(NdrguardError, ValueError):
    """The config file cannot be used; the message names the file, the line and the setting.

    `setting` is the key it is about and `line` its line in the file, when known, for whoever
    words it for the user (the CLI, the tray); the texts are in config_checks.MESSAGES.
    """

    title = "Configuration error"

    def __init__(self, message: str, *, setting: str | None = None, line: int | None = None):
        super().__init__(message)
        self.setting = setting
        self.line = line


@dataclass(frozen=True, slots=True)
class Paths:
    config_file: Path
    state_file: Path
    log_dir: Path

    @classmethod
    def resolve(cls, config: str | os.PathLike[str] | None = None) -> Paths:
        home = os.environ.get("NDRGUARD_HOME")
        if home:
            base = Path(home)
            paths = cls(base / "config.toml", base / "state.sqlite", base / "logs")
        else:
            paths = cls(
                Path(platformdirs.user_config_dir(APP)) / "config.toml",
                Path(platformdirs.user_data_dir(APP)) / "state.sqlite",
                Path(platformdirs.user_log_dir(APP)),
            )
        if config is not None:
            paths = cls(Path(config), paths.state_file, paths.log_dir)
        return paths


@dataclass(frozen=True, slots=True)
class Account:
    """One mailbox to watch: an IMAP login or a local Maildir."""

    name: str
    host: str = ""
    port: int = 993
    security: str = "tls"
    username: str = ""
    ca_file: Path | None = None
    auth: str = "login"
    quarantine: str = "Backscatter"
    policy: Policy = Policy.EVIDENCE
    identity: Path | Mapping[str, Any] | None = None
    folders: tuple[str, ...] = ("INBOX",)
    sent: str | None = None  # None: the folder with SPECIAL-USE \Sent
    maildir: Path | None = None
    poll_seconds: float = 60.0  # only where IDLE is missing
    timeout_seconds: float = 60.0  # socket read timeout
    # security = "plain" to a host other than this machine: only when the user says so.
    allow_plain_over_network: bool = False
    # "sha256:HEX": trust the server's certificate by its digest instead of a CA (a
    # self-signed server whose fingerprint the user has seen and accepted).
    tls_fingerprint: str | None = None
    # Sign-in by OAuth 2 (auth is then xoauth2 or oauthbearer); the grant is in the keyring.
    oauth: OAuthSettings | None = None

    @property
    def is_maildir(self) -> bool:
        return self.maildir is not None

    def to_table(self) -> dict[str, Any]:
        """The account as its `[[accounts]]` table holds it (for `account add`, written by
        settings/toml_edit.py); defaults are left out, so the file says what was chosen."""
        table: dict[str, Any] = {"name": self.name}
        if self.maildir is not None:
            table["maildir"] = str(self.maildir)
        else:
            table |= {"host": self.host, "port": self.port, "security": self.security,
                      "username": self.username}  # fmt: skip
            if self.auth != "login":
                table["auth"] = self.auth
            if self.ca_file is not None:
                table["ca_file"] = str(self.ca_file)
            if self.allow_plain_over_network:
                table["allow_plain_over_network"] = True
            if self.tls_fingerprint is not None:
                table["tls_fingerprint"] = self.tls_fingerprint
            if self.oauth is not None:
                table["oauth"] = self.oauth.to_table()
        table |= {"quarantine": self.quarantine, "policy": self.policy}
        if isinstance(self.identity, Path):
            table["identity"] = str(self.identity)
        return table


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    accounts: tuple[Account, ...] = ()
    text: str = ""  # what was parsed: a reload compares it to ignore unchanged saves
    extra: Mapping[str, Any] = field(default_factory=dict)

    def account(self, name: str) -> Account:
        for a in self.accounts:
            if a.name == name:
                return a
        known = ", ".join(a.name for a in self.accounts) or "none yet"
        raise ConfigError(f"{self.path}: no account named {name!r} (accounts: {known})")


def load(path: Path) -> Config:
    """Read and check the config at `path`; a missing file is an empty config."""
    text = read_text(path)
    return Config(path) if text is None else parse(text, path)


def read_text(path: Path) -> str | None:
    """The file's text, or None when there is none; never more than the size limit is read
    (a config pointed at a disk image must not fill the memory first)."""
    try:
        # O_NONBLOCK: a FIFO put where the config was must not hang the reload thread in open()
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ConfigError(f"{path}: is not a regular file")
        with os.fdopen(fd, "rb") as f:
            data = f.read(checks.MAX_BYTES + 1)
        if len(data) > checks.MAX_BYTES:
            too = checks.message("too-large", size=f"more than {checks.MAX_BYTES}",
                                 limit=checks.MAX_BYTES)  # fmt: skip
            raise ConfigError(f"{path}: {too}")
        return data.decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot be read: {err}") from err


def parse(text: str, path: Path) -> Config:
    """Check `text` against the size and depth limits, parse it, check every value."""
    broken = checks.measure(text)
    if broken is not None:
        key, values = broken
        line = values.get("line")
        raise ConfigError(f"{path}: {checks.message(key, **values)}",
                          line=line if isinstance(line, int) else None)  # fmt: skip
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: {checks.message('not-toml', error=err)}",
                          line=checks.toml_line(err, text)) from err  # fmt: skip
    except (RecursionError, MemoryError, ValueError) as err:  # past the limits, still refused
        why = checks.message("unreadable", error=type(err).__name__)
        raise ConfigError(f"{path}: {why}") from err
    for key in data:
        if key not in _TOP_KEYS:  # `[[account]]` would otherwise be a config of no accounts
            line = checks.top_line(text, key)
            hint = checks.suggestion(key, _TOP_KEYS)
            raise ConfigError(f"{checks.where(path, line)}: "
                              f"{checks.message('unknown', key=key, hint=hint)}",
                              setting=key, line=line)  # fmt: skip
    raw_accounts = data.get("accounts", [])
    if not isinstance(raw_accounts, list) or not all(isinstance(a, dict) for a in raw_accounts):
        raise ConfigError(f"{path}: accounts must be written as [[accounts]] tables",
                          setting="accounts")  # fmt: skip
    accounts = []
    for i, raw in enumerate(raw_accounts, 1):
        try:
            accounts.append(_account(raw, i, path.parent))
        except ConfigError as err:
            line = checks.line_of(text, i, err.setting) if err.setting else None
            raise ConfigError(f"{checks.where(path, line)}: {err}", setting=err.setting,
                              line=line) from err  # fmt: skip
    names = [a.name for a in accounts]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{path}: two accounts are named {name!r}", setting="name")
    extra = {k: v for k, v in data.items() if k != "accounts"}
    return Config(path, tuple(accounts), text, extra)


def _account(raw: dict[str, Any], position: int, base: Path) -> Account:
    name = raw.get("name")
    shown = isinstance(name, str) and name and checks.printable(name)
    where = f"account {name!r}" if shown else f"account #{position}"

    def bad(key: str, text: str) -> ConfigError:
        return ConfigError(f"{where}: {text}", setting=key)

    for key in raw:
        if key not in _ACCOUNT_KEYS:
            hint = checks.suggestion(key, _ACCOUNT_KEYS)
            raise bad(key, checks.message("unknown", key=key, hint=hint))
    if not isinstance(name, str) or not name.strip():
        raise bad("name", "name must be a non-empty string")
    if not checks.printable(name) or len(name) > 100:
        raise bad("name", checks.message("not-printable", key="name") + ", at most 100 characters")

    def text(key: str, default: str = "") -> str:
        value = raw.get(key, default)
        if not isinstance(value, str):
            raise bad(key, f"{key} must be a string")
        if not checks.printable(value):
            raise bad(key, checks.message("not-printable", key=key))
        return value

    def choice(key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = text(key, default)
        if value not in allowed:
            hint = checks.suggestion(value, frozenset(allowed))
            raise bad(key, f"{key} must be one of {', '.join(allowed)}{hint}")
        return value

    def seconds(key: str, default: float, low: float, high: float) -> float:
        value = raw.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not checks.seconds_ok(float(value), low, high)
        ):
            raise bad(key, checks.message("not-finite", key=key, low=low, high=high))
        return float(value)

    def path(key: str) -> Path | None:
        value = raw.get(key)
        return None if value is None else base / Path(text(key)).expanduser()

    security = choice("security", "tls", SECURITIES)
    port = raw.get("port", _DEFAULT_PORTS[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise bad("port", "port must be a number from 1 to 65535")
    maildir = path("maildir")
    fingerprint = text("tls_fingerprint") or None
    if fingerprint is not None and normal_fingerprint(fingerprint) is None:
        raise bad("tls_fingerprint", 'tls_fingerprint must be "sha256:" and 64 hex digits '
                  "(colons allowed), as the settings window or `openssl x509 -fingerprint "
                  '-sha256` shows it')  # fmt: skip
    allow_plain = raw.get("allow_plain_over_network", False)
    if not isinstance(allow_plain, bool):
        raise bad("allow_plain_over_network", "allow_plain_over_network must be true or false")
    if maildir is None and security == "plain" and not allow_plain and not (
        checks.loopback(text("host"))
    ):
        raise bad("security", checks.message("plain-over-network", host=text("host")))
    if maildir is None and not (text("host") and text("username")):
        raise bad("host", "give host and username (IMAP) or maildir (a local folder)")
    folders = raw.get("folders", ["INBOX"])
    if not isinstance(folders, list) or not folders or not all(
        isinstance(f, str) and f.strip() and checks.printable(f) for f in folders
    ):
        raise bad("folders", "folders must be a list of folder names (printable text)")
    identity = raw.get("identity")
    if identity is not None and not isinstance(identity, str | dict):
        raise bad("identity", "identity must be a file name or a table")
    oauth = None
    if "oauth" in raw:
        try:
            oauth = settings_from(raw["oauth"], base)
        except ValueError as err:
            raise bad("oauth", str(err)) from err
    auth = choice("auth", "xoauth2" if oauth else "login", AUTHS)
    if (oauth is None) != (auth not in OAUTH_AUTHS):
        raise bad("auth",
            f"auth = {auth!r} " + ("needs an oauth table (provider, client_id)"
                                   if oauth is None else "cannot be used with oauth")
        )  # fmt: skip
    quarantine = text("quarantine", "Backscatter")
    if not quarantine.strip():
        raise bad("quarantine", "quarantine must name a folder")
    sent = text("sent") or None
    if sent is not None and sent == quarantine:
        raise bad("quarantine", checks.message("quarantine-sent", value=quarantine))
    watched = {f.upper() if f.upper() == "INBOX" else f for f in [*folders, "INBOX"]}
    if (quarantine.upper() if quarantine.upper() == "INBOX" else quarantine) in watched:
        raise bad("quarantine", checks.message("quarantine-watched", value=quarantine))
    return Account(
        name=name,
        host=text("host"),
        port=port,
        security=security,
        username=text("username"),
        ca_file=path("ca_file"),
        auth=auth,
        quarantine=quarantine,
        policy=Policy(choice("policy", Policy.EVIDENCE, POLICIES)),
        identity=path("identity") if isinstance(identity, str) else identity,
        folders=tuple(folders),
        sent=sent,
        maildir=maildir,
        poll_seconds=seconds("poll_seconds", 60.0, 1.0, 86400.0),
        timeout_seconds=seconds("timeout_seconds", 60.0, 1.0, 3600.0),
        allow_plain_over_network=allow_plain,
        tls_fingerprint=fingerprint,
        oauth=oauth,
    )


def normal_fingerprint(text: str) -> str | None:
    """The 64 lower-case hex digits of a "sha256:AB:CD..." pin, or None if it is not one."""
    kind, _, digits = text.strip().partition(":")
    digits = digits.replace(":", "").lower()
    if kind.lower() != "sha256" or len(digits) != 64:
        return None
    return digits if all(c in "0123456789abcdef" for c in digits) else None
